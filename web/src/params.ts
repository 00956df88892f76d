// The key `[model]` parameters the sliders move. Names and defaults mirror
// crates/spec/src/params.rs `DEFAULTS` (docs/model.md gives each one's source); the ranges are
// the valid ranges of docs/spec-format.md, narrowed to where a slider is useful.
import { parse } from 'smol-toml';

export interface Param {
  name: string;
  label: string;
  help: string;
  min: number;
  max: number;
  step: number;
  default: number;
}

export const PARAMS: Param[] = [
  { name: 'honour.treaty', label: 'Honour: treaty', help: 'prior probability that an activated treaty commitment is honoured', min: 0, max: 1, step: 0.01, default: 0.745 },
  { name: 'honour.agreement', label: 'Honour: agreement', help: 'prior for an agreement', min: 0, max: 1, step: 0.01, default: 0.6 },
  { name: 'honour.declaration', label: 'Honour: declaration', help: 'prior for a declaration', min: 0, max: 1, step: 0.01, default: 0.41 },
  { name: 'honour.statement', label: 'Honour: statement', help: 'prior for a statement', min: 0, max: 1, step: 0.01, default: 0.3 },
  { name: 'honour.remark', label: 'Honour: remark', help: 'prior for a remark', min: 0, max: 1, step: 0.01, default: 0.22 },
  { name: 'domestic', label: 'Domestic loading', help: "loading of each party's will on its own politics (domestic² + Σ loading² ≤ 1)", min: 0, max: 0.95, step: 0.01, default: 0.5 },
  { name: 'capacity.mean', label: 'Capacity: mean share delivered', help: 'mean realised fraction of a pledge', min: 0.05, max: 0.99, step: 0.01, default: 0.8 },
  { name: 'deterrence.gain', label: "Deterrence: adversary's gain", help: 'the value of the gain, against a cost of 1 for a full response', min: 0, max: 1.5, step: 0.01, default: 0.5 },
  { name: 'deterrence.noise', label: 'Deterrence: perception noise', help: "noise in the adversary's judgement of credibility", min: 0.05, max: 1, step: 0.01, default: 0.25 },
];

/** A `[[model.factor]]` loading, as a parameter `factor.ID`. */
export function factorParam(id: string, value: number): Param {
  return { name: `factor.${id}`, label: `Factor loading: ${id}`, help: `loading of its parties on the shared factor "${id}"`, min: 0, max: 0.95, step: 0.01, default: value };
}

/** The spec's own `[model]` values by parameter name, and its factors; null when it does not parse. */
export function specModel(text: string): { values: Map<string, number>; factors: { id: string; loading: number }[] } | null {
  let doc: any;
  try {
    doc = parse(text);
  } catch {
    return null;
  }
  const values = new Map<string, number>();
  const factors: { id: string; loading: number }[] = [];
  const model = doc?.model;
  if (model && typeof model === 'object') {
    const put = (name: string, v: unknown) => {
      if (typeof v === 'number') values.set(name, v);
    };
    for (const [k, v] of Object.entries(model.honour ?? {})) put(`honour.${k}`, v);
    for (const [k, v] of Object.entries(model.modality ?? {})) put(`modality.${k}`, v);
    put('domestic', model.domestic);
    put('capacity.mean', model.capacity?.mean);
    put('capacity.concentration', model.capacity?.concentration);
    for (const k of ['gain', 'cost', 'noise', 'horizon']) put(`deterrence.${k}`, model.deterrence?.[k]);
    if (Array.isArray(model.factor)) {
      for (const f of model.factor) {
        if (typeof f?.id === 'string' && typeof f?.loading === 'number') {
          factors.push({ id: f.id, loading: f.loading });
          values.set(`factor.${f.id}`, f.loading);
        }
      }
    }
  }
  return { values, factors };
}
