// The JSON API of `ironclad serve` (docs/server.md). Field names follow the typed reports:
// crates/ironclad/src/{check,show,simulate}.rs and crates/sim/src/stats.rs `Summary`.

export interface Position { line: number; column: number; offset: number }
export interface Label { message: string; primary: boolean; start: Position; end: Position }
export interface Diagnostic {
  file: string;
  severity: 'error' | 'warning' | 'note' | string;
  code: string;
  lint: string | null;
  message: string;
  start: Position | null;
  end: Position | null;
  labels: Label[];
  help: string | null;
  notes: string[];
}
export interface CheckReport {
  ok: boolean;
  errors: number;
  warnings: number;
  files: { file: string; errors: number; warnings: number; diagnostics: Diagnostic[] }[];
}

export interface ShowCommitment {
  id: string;
  article: string | null;
  kind: string;
  by: string[] | { body: string };
  to: string[];
  domains: string[];
  strength: string;
  status: string;
  takes_effect: boolean;
  modality: string;
  amount: string | null;
  variant: { variant: string; option: string } | null;
}
export interface ShowVariant { id: string; question: string; options: { id: string; weight: number; summary: string | null }[] }
export interface ShowReport {
  id: string;
  title: string;
  protects: string[];
  threat: string | null;
  coverage: { domains: string[]; rows: { who: string; cells: unknown[] }[] };
  commitments: ShowCommitment[];
  variants: ShowVariant[];
}

export interface Estimate { value: number; low: number; high: number }
export interface Need { domain: string; required: number; unit: string; count: boolean }
export interface SimulateReport {
  framework: string;
  scenario: string;
  runs: number;
  seed: number;
  absent: string[];
  horizons: number[];
  needs: Need[];
  deterrence: { gain: number; cost: number; noise: number; horizon: number };
  adequate: Estimate[];
  adequate_by_need: Estimate[][];
  adequacy: Estimate[][];
  delivered: Estimate[][];
  credibility: Estimate;
  deterred: Estimate;
  escalation: Estimate;
  commitments: { id: string; activation: Estimate; honour: Estimate | null; obliged_pairs: number; simulated: boolean }[];
  variants: [string, [string, number][]][];
  widest_half_width: number;
  /** With `--until-ci` only (the API runs a fixed number of runs and leaves it out). */
  until_ci?: { target_half_width: number; reached: boolean; run_cap: number };
  elapsed_ms?: number;
}

export interface Library {
  frameworks: { id: string; title: string; scenario: string | null }[];
  scenarios: { id: string; title: string }[];
}

/** An error answer of the API, `{"error": {kind, message, diagnostics?}}`, or a network failure. */
export class ApiError extends Error {
  constructor(
    public status: number,
    public kind: string,
    message: string,
    public diagnostics: Diagnostic[] = [],
  ) {
    super(message);
  }
  /** One readable line: what failed and why. */
  describe(): string {
    const what: Record<string, string> = {
      bad_request: 'The request was refused',
      too_large: 'The spec is too large for the server',
      invalid_input: 'The spec or scenario has errors',
      too_expensive: 'Too expensive to simulate',
      unservable: 'Cannot answer for this input',
      busy: 'The server is busy',
      deadline: 'The simulation took too long and was cancelled',
      network: 'The server cannot be reached',
    };
    return `${what[this.kind] ?? `Error (${this.kind})`}: ${this.message}` + (this.status ? ` [HTTP ${this.status}]` : '');
  }
}

async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'network', (e as Error).message);
  }
  const text = await response.text();
  let json: any = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON: reported below */
  }
  if (!response.ok) {
    const err = json?.error;
    if (err && typeof err === 'object') {
      throw new ApiError(response.status, String(err.kind ?? 'error'), String(err.message ?? ''), err.diagnostics ?? []);
    }
    throw new ApiError(response.status, 'http', text.slice(0, 300) || response.statusText);
  }
  if (json === null) throw new ApiError(response.status, 'http', 'the answer is not JSON');
  return json as T;
}

export const api = {
  library: () => call<Library>('GET', '/api/library'),
  framework: (id: string) => call<{ id: string; text: string }>('GET', `/api/library/frameworks/${encodeURIComponent(id)}`),
  scenario: (id: string) => call<{ id: string; text: string }>('GET', `/api/library/scenarios/${encodeURIComponent(id)}`),
  check: (spec: string, signal?: AbortSignal) => call<CheckReport>('POST', '/api/check', { spec }, signal),
  show: (spec: string, signal?: AbortSignal) => call<ShowReport>('POST', '/api/show', { spec }, signal),
  simulate: (body: SimulateBody, signal?: AbortSignal) => call<SimulateReport>('POST', '/api/simulate', body, signal),
};

export interface SimulateBody {
  spec: string;
  scenario?: string;
  runs?: number;
  seed?: number;
  variants?: Record<string, string>;
  absent?: string[];
  off?: string[];
  params?: Record<string, number>;
}

/**
 * One request channel: each `run` aborts the previous one still in flight, and a stale answer
 * (of a request that is no longer the newest) is never delivered.
 */
export class Channel {
  private controller: AbortController | null = null;
  private generation = 0;

  async run<T>(f: (signal: AbortSignal) => Promise<T>): Promise<{ fresh: true; value: T } | { fresh: false }> {
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    const generation = ++this.generation;
    try {
      const value = await f(controller.signal);
      return generation === this.generation ? { fresh: true, value } : { fresh: false };
    } catch (e) {
      if ((e as Error).name === 'AbortError' || generation !== this.generation) return { fresh: false };
      throw e;
    } finally {
      if (this.controller === controller) this.controller = null;
    }
  }

  cancel() {
    this.generation++;
    this.controller?.abort();
    this.controller = null;
  }
}
