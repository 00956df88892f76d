// The ironclad workbench: edit a spec, see its diagnostics as you type, switch parties,
// commitments and variant options, move the model's parameters, and watch the credibility
// redraw. Plain TypeScript over the DOM: the page is a handful of panels whose updates are
// explicit (one function per panel), which a framework would not make shorter or faster.
import './style.css';
import type { EditorView } from '@codemirror/view';
import { api, ApiError, Channel, type Diagnostic, type Library, type ShowReport, type SimulateBody, type SimulateReport } from './api';
import { createEditor, reveal, setText, showDiagnostics } from './editor';
import { PARAMS, factorParam, specModel, type Param } from './params';
import { drawIntervals, drawLegend, escapeHtml, horizonSeries, OKABE_ITO, percent, percent1, type Row } from './charts';
import { format } from 'd3-format';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const amount = format(',.3~r');
const CHECK_DELAY_MS = 300;

/** What the browser test reads (web/tests/workbench.mjs). */
interface Probe {
  /** Simulation results drawn so far. */
  results: number;
  framework: string | null;
  /** Checks answered so far, and the errors of the last. */
  checks: number;
  errors: number;
  /** Slider input events so far; the last redraw after one, and its latency. */
  inputSeq: number;
  /** ms: input event to painted chart; answered: to the parsed answer; drawn: to the updated DOM; server: the server's own time. */
  redraw: { seq: number; ms: number; answered: number; drawn: number; server: number | null } | null;
  lastRedrawMs: number | null;
  lastResult: SimulateReport | null;
  /** The commitments switched off in the request of the last result. */
  lastOff: string[];
}
const probe: Probe = { results: 0, framework: null, checks: 0, errors: 0, inputSeq: 0, redraw: null, lastRedrawMs: null, lastResult: null, lastOff: [] };
(window as any).__workbench = probe;

// ----------------------------------------------------------------------------------------------
// State

let library: Library | null = null;
let specText = '';
let scenarioText: string | undefined;
let show: ShowReport | null = null;
let showFor: string | null = null;
let parties: { id: string; name: string | null }[] = [];
let specValues = new Map<string, number>();
let sliderParams: Param[] = PARAMS;
const absent = new Set<string>();
const off = new Set<string>();
const pins = new Map<string, string>();
const moved = new Map<string, number>();
let lastResult: SimulateReport | null = null;
/** The slider input a pending simulation answers, for the redraw latency. */
let pendingInput: { seq: number; t0: number } | null = null;

const checkChannel = new Channel();
const showChannel = new Channel();
const simChannel = new Channel();
let checkTimer: number | undefined;
/** The last check's diagnostics, and whether the list also shows a failed simulation's. */
let editorDiagnostics: Diagnostic[] = [];
let listsOthers = false;

const editor: EditorView = createEditor($('editor'), (text) => {
  specText = text;
  window.clearTimeout(checkTimer);
  checkTimer = window.setTimeout(analyse, CHECK_DELAY_MS);
});

// ----------------------------------------------------------------------------------------------
// Status and errors

function status(text: string, busy = false) {
  const el = $('status');
  el.textContent = text;
  el.classList.toggle('busy', busy);
}

function showError(e: unknown) {
  const el = $('error');
  if (e === null) {
    el.hidden = true;
    el.textContent = '';
    return;
  }
  const message =
    e instanceof ApiError
      ? e.describe() + (e.diagnostics.length ? ' — the diagnostics are listed under the editor.' : '')
      : `Unexpected error: ${(e as Error)?.message ?? e}`;
  el.hidden = false;
  el.textContent = message;
}

// ----------------------------------------------------------------------------------------------
// Library

async function loadLibrary() {
  status('Loading the library…', true);
  try {
    library = await api.library();
  } catch (e) {
    showError(e);
    status('The library could not be loaded.');
    return;
  }
  const fw = $<HTMLSelectElement>('framework');
  fw.innerHTML =
    library.frameworks.map((f) => `<option value="${escapeHtml(f.id)}">${escapeHtml(f.id)} — ${escapeHtml(f.title)}</option>`).join('') +
    `<option value="">(your own spec: paste or type it in the editor)</option>`;
  const sc = $<HTMLSelectElement>('scenario');
  sc.innerHTML =
    `<option value="">the framework's default</option>` +
    library.scenarios.map((s) => `<option value="${escapeHtml(s.id)}">${escapeHtml(s.id)} — ${escapeHtml(s.title)}</option>`).join('');
  const wanted = decodeURIComponent(location.hash.slice(1));
  const initial =
    library.frameworks.find((f) => f.id === wanted) ?? library.frameworks.find((f) => f.id === 'coalition-2025') ?? library.frameworks[0];
  if (initial) {
    fw.value = initial.id;
    await pickFramework(initial.id);
  } else {
    status('The library is empty: paste a spec in the editor.');
  }
}

function describeDefaultScenario(frameworkId: string) {
  const f = library?.frameworks.find((x) => x.id === frameworkId);
  const opt = $<HTMLSelectElement>('scenario').options[0];
  opt.textContent = f ? (f.scenario ? `the framework's default (${f.scenario})` : "the framework's default (it has none: pick one)") : "the framework's default";
}

/** Forgets the drawn result (another framework was picked). */
function clearResults() {
  lastResult = null;
  probe.lastResult = null;
  $('results').classList.remove('has-result');
  for (const id of ['p-adequate', 'p-deterred', 'p-escalation']) $(id).textContent = '–';
  for (const id of ['p-adequate-ci', 'p-deterred-ci', 'p-escalation-ci']) $(id).textContent = '95 % interval –';
  $('run-info').textContent = '';
}

let pickSeq = 0;

async function pickFramework(id: string) {
  const seq = ++pickSeq;
  describeDefaultScenario(id);
  simChannel.cancel();
  clearResults();
  // A library scenario is written for one framework: a new framework starts from its default.
  $<HTMLSelectElement>('scenario').value = '';
  scenarioText = undefined;
  absent.clear();
  off.clear();
  pins.clear();
  moved.clear();
  showFor = null;
  probe.framework = null;
  if (!id) return;
  status(`Loading ${id}…`, true);
  try {
    const { text } = await api.framework(id);
    if (seq !== pickSeq) return; // another framework was picked meanwhile
    probe.framework = id;
    history.replaceState(null, '', `#${encodeURIComponent(id)}`);
    window.clearTimeout(checkTimer);
    setText(editor, text);
    specText = text;
    window.clearTimeout(checkTimer);
    await analyse();
  } catch (e) {
    showError(e);
    status(`${id} could not be loaded.`);
  }
}

async function pickScenario(id: string) {
  if (!id) {
    scenarioText = undefined;
  } else {
    try {
      scenarioText = (await api.scenario(id)).text;
    } catch (e) {
      showError(e);
      return;
    }
  }
  simulate();
}

// ----------------------------------------------------------------------------------------------
// Check, show, controls

async function analyse() {
  const text = specText;
  status('Checking…', true);
  let report;
  try {
    const r = await checkChannel.run((signal) => api.check(text, signal));
    if (!r.fresh) return;
    report = r.value;
  } catch (e) {
    showError(e);
    status('The check failed.');
    return;
  }
  const diagnostics = report.files.flatMap((f) => f.diagnostics);
  editorDiagnostics = diagnostics;
  showDiagnostics(editor, diagnostics);
  renderDiagnostics(diagnostics, []);
  listsOthers = false;
  probe.checks++;
  probe.errors = report.errors;
  if (report.errors > 0) {
    simChannel.cancel();
    stale(`The spec has ${report.errors} error${report.errors === 1 ? '' : 's'} (see Diagnostics): the results below are of the last valid spec.`);
    status(`The spec has ${report.errors} error${report.errors === 1 ? '' : 's'}: the results shown are of the last valid spec.`);
    return;
  }
  const model = specModel(text);
  if (model) {
    specValues = model.values;
    parties = partyNames(text);
  }
  if (showFor !== text) {
    try {
      const r = await showChannel.run((signal) => api.show(text, signal));
      if (!r.fresh) return;
      show = r.value;
      showFor = text;
    } catch (e) {
      showError(e);
      status('The framework could not be summarised.');
      return;
    }
    buildControls(model?.factors ?? []);
  } else {
    refreshSliders();
  }
  simulate();
}

function partyNames(text: string): { id: string; name: string | null }[] {
  // The [[party]] tables in order, for readable labels (the show report lists ids only).
  const out: { id: string; name: string | null }[] = [];
  const re = /^\[\[party\]\]\s*$([\s\S]*?)(?=^\[)/gm;
  for (const m of text.matchAll(re)) {
    const id = /^id\s*=\s*"([^"]*)"/m.exec(m[1])?.[1];
    const name = /^name\s*=\s*"([^"]*)"/m.exec(m[1])?.[1] ?? null;
    if (id) out.push({ id, name });
  }
  return out;
}

function buildControls(factors: { id: string; loading: number }[]) {
  if (!show) return;
  const bodies = new Set(show.commitments.flatMap((c) => (Array.isArray(c.by) ? [] : [c.by.body])));
  const names = new Map(parties.map((p) => [p.id, p.name]));
  // Every party that owes something: the coverage rows (a body's row is "ID (body)") and the
  // obligors of every commitment.
  const committing = [
    ...new Set([
      ...show.coverage.rows.map((r) => r.who).filter((w) => !w.endsWith(' (body)') && !bodies.has(w)),
      ...show.commitments.flatMap((c) => (Array.isArray(c.by) ? c.by : [])),
    ]),
  ];
  for (const p of [...absent]) if (!committing.includes(p)) absent.delete(p);
  const commitmentIds = new Set(show.commitments.map((c) => c.id));
  for (const c of [...off]) if (!commitmentIds.has(c)) off.delete(c);
  for (const [v, o] of [...pins]) {
    const variant = show.variants.find((x) => x.id === v);
    if (!variant || !variant.options.some((x) => x.id === o)) pins.delete(v);
  }

  $('parties').innerHTML = committing.length
    ? committing
        .map((id) => {
          const name = names.get(id);
          return `<label class="chip" title="${escapeHtml(name ?? id)}"><input type="checkbox" data-party="${escapeHtml(id)}" data-testid="party-${escapeHtml(id)}" ${absent.has(id) ? '' : 'checked'} /> <span>${escapeHtml(id)}</span>${name ? `<span class="visually-hidden"> (${escapeHtml(name)})</span>` : ''}</label>`;
        })
        .join('')
    : '<p class="empty">No party commits anything.</p>';

  $('variants').innerHTML = show.variants.length
    ? show.variants
        .map(
          (v) => `<div class="variant"><label for="variant-${escapeHtml(v.id)}"><code>${escapeHtml(v.id)}</code> ${escapeHtml(v.question)}</label>
      <select id="variant-${escapeHtml(v.id)}" data-variant="${escapeHtml(v.id)}" data-testid="variant-${escapeHtml(v.id)}">
        <option value="">sampled by weight (${v.options.map((o) => `${escapeHtml(o.id)} ${percent(o.weight)}`).join(', ')})</option>
        ${v.options.map((o) => `<option value="${escapeHtml(o.id)}" ${pins.get(v.id) === o.id ? 'selected' : ''}>${escapeHtml(o.id)} only${o.summary ? ` — ${escapeHtml(o.summary)}` : ''}</option>`).join('')}
      </select><small class="shares" id="shares-${escapeHtml(v.id)}"></small></div>`,
        )
        .join('')
    : '<p class="empty">This framework has no variants.</p>';

  $('commitments').innerHTML = show.commitments
    .map((c) => {
      const by = Array.isArray(c.by) ? c.by.join(', ') : `body ${c.by.body}`;
      const where = c.variant ? ` · only in ${c.variant.variant}=${c.variant.option}` : c.takes_effect ? '' : ' · takes no effect';
      return `<label class="commitment"><input type="checkbox" data-commitment="${escapeHtml(c.id)}" data-testid="commitment-${escapeHtml(c.id)}" data-by="${escapeHtml(Array.isArray(c.by) ? c.by.join(' ') : c.by.body)}" ${off.has(c.id) ? '' : 'checked'} />
        <span class="c-id">${escapeHtml(c.id)}</span>
        <span class="c-meta">${escapeHtml(c.kind)} · ${escapeHtml(by)} · ${escapeHtml(c.domains.join(', ') || 'no domain')} · ${escapeHtml(c.strength)}, ${escapeHtml(c.status)}${escapeHtml(where)}</span>
        <span class="c-stat" id="stat-${escapeHtml(c.id)}"></span></label>`;
    })
    .join('');

  sliderParams = [...PARAMS, ...factors.map((f) => factorParam(f.id, f.loading))];
  for (const name of [...moved.keys()]) if (!sliderParams.some((p) => p.name === name)) moved.delete(name);
  $('sliders').innerHTML = sliderParams
    .map(
      (p) => `<div class="slider" data-name="${escapeHtml(p.name)}">
      <label for="param-${escapeHtml(p.name)}">${escapeHtml(p.label)} <output id="out-${escapeHtml(p.name)}" for="param-${escapeHtml(p.name)}"></output></label>
      <input type="range" id="param-${escapeHtml(p.name)}" data-param="${escapeHtml(p.name)}" data-testid="param-${escapeHtml(p.name)}" min="${p.min}" max="${p.max}" step="${p.step}" aria-describedby="help-${escapeHtml(p.name)}" />
      <small id="help-${escapeHtml(p.name)}" class="help"></small></div>`,
    )
    .join('');
  refreshSliders();
}

function paramValue(p: Param): number {
  return moved.get(p.name) ?? specValues.get(p.name) ?? p.default;
}

function refreshSliders() {
  for (const p of sliderParams) {
    const input = document.getElementById(`param-${p.name}`) as HTMLInputElement | null;
    if (!input) continue;
    const v = paramValue(p);
    if (document.activeElement !== input || !moved.has(p.name)) input.value = String(v);
    input.setAttribute('aria-valuetext', `${v}`);
    ($(`out-${p.name}`) as HTMLOutputElement).textContent = v.toFixed(2);
    const own = specValues.get(p.name);
    $(`help-${p.name}`).textContent = `${p.help}; ${own !== undefined ? `spec ${own}` : `default ${p.default}`}${moved.has(p.name) ? ' · moved' : ''}`;
    input.closest('.slider')?.classList.toggle('moved', moved.has(p.name));
  }
}

// ----------------------------------------------------------------------------------------------
// Diagnostics list

function renderDiagnostics(editorDiagnostics: Diagnostic[], others: Diagnostic[]) {
  const list = $('diagnostics');
  const rank = (d: Diagnostic) => (d.severity === 'error' ? 0 : d.severity === 'warning' ? 1 : 2);
  const all = [...editorDiagnostics.map((d) => ({ d, inEditor: true })), ...others.map((d) => ({ d, inEditor: false }))].sort(
    (a, b) => rank(a.d) - rank(b.d) || (a.d.start?.offset ?? 0) - (b.d.start?.offset ?? 0),
  );
  const errors = all.filter((x) => x.d.severity === 'error').length;
  const warnings = all.filter((x) => x.d.severity === 'warning').length;
  $('diagnostics-count').textContent = all.length ? `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}` : 'none';
  list.innerHTML = '';
  for (const [i, { d, inEditor }] of all.entries()) {
    const li = document.createElement('li');
    li.className = `diag ${d.severity}`;
    li.dataset.line = d.start ? String(d.start.line) : '';
    li.dataset.testid = `diagnostic-${i}`;
    const where = d.start ? `line ${d.start.line}:${d.start.column}` : 'file';
    const file = inEditor ? '' : `${d.file} `;
    const detail = [d.help ? `help: ${d.help}` : '', ...d.notes.map((n) => `note: ${n}`)].filter(Boolean);
    const label = `<span class="sev">${escapeHtml(d.severity)}[${escapeHtml(d.code)}]</span> <span class="where">${escapeHtml(file + where)}</span> <span class="msg">${escapeHtml(d.message)}</span>${detail.length ? `<span class="detail">${detail.map(escapeHtml).join('<br>')}</span>` : ''}`;
    if (inEditor && d.start) {
      const button = document.createElement('button');
      button.type = 'button';
      button.innerHTML = label;
      button.title = 'Show in the editor';
      const start = d.start;
      button.addEventListener('click', () => reveal(editor, start));
      li.append(button);
    } else {
      li.innerHTML = `<div class="static">${label}</div>`;
    }
    list.append(li);
  }
}

// ----------------------------------------------------------------------------------------------
// Simulate and draw

function requestBody(): SimulateBody {
  const body: SimulateBody = {
    spec: specText,
    runs: Number($<HTMLSelectElement>('runs').value) || 20000,
    seed: Math.max(0, Math.floor(Number($<HTMLInputElement>('seed').value) || 0)),
  };
  if (scenarioText !== undefined) body.scenario = scenarioText;
  if (absent.size) body.absent = [...absent];
  if (off.size) body.off = [...off];
  if (pins.size) body.variants = Object.fromEntries(pins);
  if (moved.size) body.params = Object.fromEntries(moved);
  return body;
}

function sleep(ms: number, signal: AbortSignal) {
  return new Promise<void>((resolve, reject) => {
    const t = window.setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      window.clearTimeout(t);
      reject(new DOMException('aborted', 'AbortError'));
    });
  });
}

async function simulate() {
  if (!showFor || showFor !== specText) return; // a spec with errors, or one not yet summarised
  const picked = library?.frameworks.find((f) => f.id === $<HTMLSelectElement>('framework').value);
  if (picked && show?.id === picked.id && !picked.scenario && scenarioText === undefined) {
    simChannel.cancel();
    stale(`${picked.id} names no default scenario: pick one in the Scenario menu above to simulate it.`);
    status('Pick a scenario to simulate.');
    return;
  }
  const body = requestBody();
  const input = pendingInput;
  pendingInput = null;
  status('Simulating…', true);
  let result: SimulateReport;
  try {
    const r = await simChannel.run(async (signal) => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await api.simulate(body, signal);
        } catch (e) {
          // Past --max-concurrent the server answers 503: retry a few times, then say so.
          if (e instanceof ApiError && e.kind === 'busy' && attempt < 8) {
            await sleep(40 * (attempt + 1), signal);
            continue;
          }
          throw e;
        }
      }
    });
    if (!r.fresh) return;
    result = r.value;
  } catch (e) {
    showError(e);
    if (e instanceof ApiError && e.diagnostics.length) {
      renderDiagnostics(editorDiagnostics, e.diagnostics);
      listsOthers = true;
    }
    stale('The simulation failed (see the message above): the results below are of the last successful run.');
    status('The simulation failed: the results shown are of the last successful run.');
    return;
  }
  const answered = performance.now();
  showError(null);
  if (listsOthers) {
    renderDiagnostics(editorDiagnostics, []);
    listsOthers = false;
  }
  lastResult = result;
  drawResult(result);
  const drawn = performance.now();
  probe.results++;
  probe.lastResult = result;
  probe.lastOff = body.off ?? [];
  if (input) {
    // The chart is drawn once the browser has painted this frame.
    requestAnimationFrame(() =>
      setTimeout(() => {
        const ms = performance.now() - input.t0;
        probe.redraw = { seq: input.seq, ms, answered: answered - input.t0, drawn: drawn - input.t0, server: result.elapsed_ms ?? null };
        probe.lastRedrawMs = ms;
        (window as any).__lastRedrawMs = ms;
      }, 0),
    );
  }
}

function thirtyDays(horizons: number[]): number {
  const i = horizons.indexOf(30);
  return i >= 0 ? i : Math.min(horizons.length - 1, 1);
}

const interval = (e: { low: number; high: number }) => `95 % interval ${percent1(e.low)} – ${percent1(e.high)}`;

function stale(why: string | null) {
  $('results').classList.toggle('stale', why !== null);
  const el = $('stale');
  el.hidden = why === null;
  el.textContent = why ?? '';
}

/** The smallest of 10 %, 20 %, 50 % and 100 % that holds every interval: small probabilities stay legible. */
function probabilityDomain(highs: number[]): [number, number] {
  const top = Math.max(0, ...highs);
  return [0, [0.1, 0.2, 0.5, 1].find((d) => top <= d) ?? 1];
}

function drawResult(r: SimulateReport) {
  stale(null);
  $('results').classList.add('has-result');
  const h30 = thirtyDays(r.horizons);
  $('p-adequate-caption').textContent = `P(adequate response), all domains, at ${r.horizons[h30]} days`;
  $('p-adequate').textContent = percent1(r.adequate[h30].value);
  $('p-adequate-ci').textContent = interval(r.adequate[h30]);
  $('p-deterred').textContent = percent1(r.deterred.value);
  $('p-deterred-ci').textContent = interval(r.deterred);
  $('p-escalation').textContent = percent1(r.escalation.value);
  $('p-escalation-ci').textContent = interval(r.escalation);
  $('p-deterred-caption').textContent = `P(deterred), credibility judged at ${r.deterrence.horizon} days`;
  const what = [
    `${r.runs.toLocaleString('en')} runs`,
    `seed ${r.seed}`,
    `scenario ${r.scenario}`,
    r.elapsed_ms !== undefined ? `${Math.round(r.elapsed_ms)} ms on the server` : '',
    r.absent.length ? `absent: ${r.absent.join(', ')}` : '',
    off.size ? `off: ${[...off].join(', ')}` : '',
    pins.size ? `pinned: ${[...pins].map(([v, o]) => `${v}=${o}`).join(', ')}` : '',
    moved.size ? `moved: ${[...moved].map(([k, v]) => `${k}=${v}`).join(', ')}` : '',
  ].filter(Boolean);
  $('run-info').textContent = what.join(' · ');
  status(`Done: ${r.framework}, ${r.runs.toLocaleString('en')} runs${r.elapsed_ms !== undefined ? ` in ${Math.round(r.elapsed_ms)} ms` : ''}.`);

  const series = horizonSeries(r.horizons);
  const tip = (label: string, h: number, e: { value: number; low: number; high: number }) => `${label} at ${h} days: ${percent1(e.value)} (${interval(e)})`;
  const adequateRows: Row[] = [
    { key: '__all', label: 'All domains', emphasis: true, points: r.horizons.map((h, i) => ({ series: i, est: r.adequate[i], tip: tip('All domains', h, r.adequate[i]) })) },
    ...r.needs.map((n, d) => ({
      key: n.domain,
      label: n.domain.replace(/_/g, ' '),
      sublabel: `needs ${amount(n.required)} ${n.unit}`,
      points: r.horizons.map((h, i) => ({ series: i, est: r.adequate_by_need[i][d], tip: tip(n.domain, h, r.adequate_by_need[i][d]) })),
    })),
  ];
  const adequateDomain = probabilityDomain(adequateRows.flatMap((row) => row.points.map((pt) => pt.est.high)));
  drawIntervals($('chart-adequate') as unknown as SVGSVGElement, {
    rows: adequateRows,
    series,
    domain: adequateDomain,
    tickFormat: percent,
    axisLabel: `P(adequate response), % of runs${adequateDomain[1] < 1 ? ` (axis 0–${percent(adequateDomain[1])})` : ''}`,
  });
  drawLegend($('legend-adequate'), series);

  let widest = 1.2;
  const deliveredRows: Row[] = r.needs.map((n, d) => {
    const ratio = (e: { value: number; low: number; high: number }) => ({ value: e.value / n.required, low: e.low / n.required, high: e.high / n.required });
    for (let i = 0; i < r.horizons.length; i++) widest = Math.max(widest, ratio(r.delivered[i][d]).high * 1.05);
    const at = r.delivered[h30][d];
    return {
      key: n.domain,
      label: n.domain.replace(/_/g, ' '),
      sublabel: `${r.horizons[h30]} d: ${amount(at.value)} of ${amount(n.required)} ${n.unit}`,
      points: r.horizons.map((h, i) => ({
        series: i,
        est: ratio(r.delivered[i][d]),
        tip: `${n.domain} at ${h} days: ${amount(r.delivered[i][d].value)} ${n.unit} delivered on average (95 % interval ${amount(r.delivered[i][d].low)} – ${amount(r.delivered[i][d].high)}) of ${amount(n.required)} required`,
      })),
    };
  });
  drawIntervals($('chart-delivered') as unknown as SVGSVGElement, {
    rows: deliveredRows,
    series,
    domain: [0, Math.min(widest, 5)],
    tickFormat: percent,
    reference: { x: 1, label: 'requirement' },
    axisLabel: `Mean delivered, % of the requirement${widest > 5 ? ' (▶: beyond 500 %)' : ''}`,
  });
  drawLegend($('legend-delivered'), series, '95 % interval of the mean');

  const dSeries = [
    { name: 'P(deterred)', colour: OKABE_ITO.blue, shape: 'circle' as const },
    { name: 'P(escalation)', colour: OKABE_ITO.vermillion, shape: 'square' as const },
  ];
  drawIntervals($('chart-deterrence') as unknown as SVGSVGElement, {
    rows: [
      { key: 'deterred', label: 'P(deterred)', sublabel: `credibility ${percent(r.credibility.value)} at ${r.deterrence.horizon} d`, points: [{ series: 0, est: r.deterred, tip: `P(deterred): ${percent1(r.deterred.value)} (${interval(r.deterred)})` }] },
      { key: 'escalation', label: 'P(escalation)', sublabel: 'a red line crossed', points: [{ series: 1, est: r.escalation, tip: `P(escalation): ${percent1(r.escalation.value)} (${interval(r.escalation)})` }] },
    ],
    series: dSeries,
    stack: false,
    domain: [0, 1],
    tickFormat: percent,
    axisLabel: 'Probability, %',
  });

  // Beside the controls: how often each commitment obliged anyone and was honoured, and how
  // often each variant option held in the runs.
  for (const c of r.commitments) {
    const el = document.getElementById(`stat-${c.id}`);
    if (!el) continue;
    if (off.has(c.id)) el.textContent = `switched off: obliges in ${percent(c.activation.value)} of runs, never acts`;
    else el.textContent = c.honour ? `obliges in ${percent(c.activation.value)} of runs; honoured ${percent(c.honour.value)}` : 'obliges nobody in this scenario';
  }
  for (const [v, options] of r.variants) {
    const el = document.getElementById(`shares-${v}`);
    if (el) el.textContent = `in the runs: ${options.map(([o, share]) => `${o} ${percent(share)}`).join(', ')}`;
  }
}

// ----------------------------------------------------------------------------------------------
// Events

$('framework').addEventListener('change', (e) => pickFramework((e.target as HTMLSelectElement).value));
$('scenario').addEventListener('change', (e) => pickScenario((e.target as HTMLSelectElement).value));
$('runs').addEventListener('change', () => simulate());
$('seed').addEventListener('change', () => simulate());
$('parties').addEventListener('change', (e) => {
  const t = e.target as HTMLInputElement;
  const id = t.dataset.party;
  if (!id) return;
  if (t.checked) absent.delete(id);
  else absent.add(id);
  simulate();
});
$('commitments').addEventListener('change', (e) => {
  const t = e.target as HTMLInputElement;
  const id = t.dataset.commitment;
  if (!id) return;
  if (t.checked) off.delete(id);
  else off.add(id);
  simulate();
});
$('variants').addEventListener('change', (e) => {
  const t = e.target as HTMLSelectElement;
  const id = t.dataset.variant;
  if (!id) return;
  if (t.value) pins.set(id, t.value);
  else pins.delete(id);
  simulate();
});
$('sliders').addEventListener('input', (e) => {
  const t = e.target as HTMLInputElement;
  const name = t.dataset.param;
  if (!name) return;
  const t0 = performance.now();
  moved.set(name, Number(t.value));
  refreshSliders();
  pendingInput = { seq: ++probe.inputSeq, t0 };
  simulate();
});
$('reset-params').addEventListener('click', () => {
  moved.clear();
  refreshSliders();
  simulate();
});
let resizeTimer: number | undefined;
window.addEventListener('resize', () => {
  window.clearTimeout(resizeTimer);
  resizeTimer = window.setTimeout(() => lastResult && drawResult(lastResult), 100);
});

loadLibrary();
