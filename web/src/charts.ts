// Dot-and-interval charts in SVG, drawn with d3 (scales, axes and keyed data joins, so a redraw
// updates a few dozen attributes and never rebuilds the chart). Colours are Okabe & Ito's
// colour-blind-safe palette, and every series also has its own marker shape.
import { scaleLinear } from 'd3-scale';
import { select, type Selection } from 'd3-selection';
import { axisBottom } from 'd3-axis';
import { format } from 'd3-format';
import type { Estimate } from './api';

export const OKABE_ITO = {
  orange: '#E69F00',
  skyBlue: '#56B4E9',
  green: '#009E73',
  yellow: '#F0E442',
  blue: '#0072B2',
  vermillion: '#D55E00',
  purple: '#CC79A7',
  black: '#000000',
};
const SERIES_COLOURS = [OKABE_ITO.orange, OKABE_ITO.blue, OKABE_ITO.green, OKABE_ITO.purple, OKABE_ITO.skyBlue, OKABE_ITO.vermillion];
export type Shape = 'circle' | 'square' | 'diamond' | 'triangle' | 'beyond';
const SHAPES: Shape[] = ['circle', 'square', 'diamond', 'triangle'];

export interface Series { name: string; colour: string; shape: Shape }
export interface Point { series: number; est: Estimate; tip: string }
export interface Row { key: string; label: string; sublabel?: string; points: Point[]; emphasis?: boolean }
export interface ChartSpec {
  rows: Row[];
  series: Series[];
  /** The x domain; values are clamped to it. */
  domain: [number, number];
  tickFormat: (v: number) => string;
  /** A vertical reference line (e.g. the requirement at 100 %). */
  reference?: { x: number; label: string };
  /** The axis title: what x is, with its unit. */
  axisLabel: string;
  /** One lane per series in each row (default), or every point centred on the row. */
  stack?: boolean;
}

export function horizonSeries(horizons: number[]): Series[] {
  return horizons.map((h, i) => ({
    name: `${h} days`,
    colour: SERIES_COLOURS[i % SERIES_COLOURS.length],
    shape: SHAPES[i % SHAPES.length],
  }));
}

export const percent = format('.0%');
export const percent1 = format('.1%');

const MARGIN = { top: 8, right: 20, bottom: 40, left: 168 };
const PER_SERIES = 13;
const ROW_PAD = 10;
const MARKER = 5;

function markerPath(shape: Shape, r: number): string {
  switch (shape) {
    case 'circle':
      return `M${-r},0a${r},${r} 0 1,0 ${2 * r},0a${r},${r} 0 1,0 ${-2 * r},0`;
    case 'square':
      return `M${-r},${-r}h${2 * r}v${2 * r}h${-2 * r}z`;
    case 'diamond': {
      const d = r * 1.35;
      return `M0,${-d}L${d},0L0,${d}L${-d},0z`;
    }
    case 'triangle': {
      const d = r * 1.3;
      return `M0,${-d}L${d},${d * 0.8}L${-d},${d * 0.8}z`;
    }
    case 'beyond': {
      // An arrowhead pointing right: the value is past the end of the axis.
      const d = r * 1.4;
      return `M${-d},${-d}L${d},0L${-d},${d}z`;
    }
  }
}

/** Draws (or redraws in place) a chart into an <svg> whose <title> and <desc> the page owns. */
export function drawIntervals(svgEl: SVGSVGElement, spec: ChartSpec) {
  const svg = select(svgEl);
  const width = Math.max(320, svgEl.parentElement?.clientWidth ?? 600);
  const stack = spec.stack ?? true;
  const lanes = stack ? Math.max(1, spec.series.length) : 1;
  const rowHeight = Math.max(34, lanes * PER_SERIES + ROW_PAD);
  const laneTop = (rowHeight - lanes * PER_SERIES) / 2;
  const height = MARGIN.top + spec.rows.length * rowHeight + MARGIN.bottom;
  svg.attr('viewBox', `0 0 ${width} ${height}`).attr('width', width).attr('height', height);

  const x = scaleLinear().domain(spec.domain).range([MARGIN.left, width - MARGIN.right]).clamp(true);
  const plot = ensure(svg, 'g', 'plot');
  const axis = ensure(svg, 'g', 'axis').attr('transform', `translate(0,${height - MARGIN.bottom})`);
  axis.call(axisBottom(x).ticks(Math.min(10, Math.floor((width - MARGIN.left) / 60))).tickFormat((v) => spec.tickFormat(Number(v))));
  ensure(svg, 'text', 'axis-label')
    .attr('x', (MARGIN.left + width - MARGIN.right) / 2)
    .attr('y', height - 6)
    .attr('text-anchor', 'middle')
    .text(spec.axisLabel);

  // Vertical grid lines at the ticks, behind the rows.
  const grid = ensure(plot, 'g', 'grid');
  grid
    .selectAll<SVGLineElement, number>('line')
    .data(x.ticks(Math.min(10, Math.floor((width - MARGIN.left) / 60))))
    .join('line')
    .attr('x1', (d) => x(d))
    .attr('x2', (d) => x(d))
    .attr('y1', MARGIN.top)
    .attr('y2', height - MARGIN.bottom);

  const rows = plot
    .selectAll<SVGGElement, Row>('g.row')
    .data(spec.rows, (d) => d.key)
    .join((enter) => {
      const g = enter.append('g').attr('class', 'row');
      g.append('rect').attr('class', 'stripe');
      g.append('text').attr('class', 'row-label');
      g.append('text').attr('class', 'row-sublabel');
      return g;
    })
    .attr('transform', (_, i) => `translate(0,${MARGIN.top + i * rowHeight})`)
    .classed('emphasis', (d) => !!d.emphasis);
  rows
    .select('rect.stripe')
    .attr('x', 0)
    .attr('width', width)
    .attr('height', rowHeight)
    .attr('class', (_, i) => `stripe ${i % 2 ? 'odd' : 'even'}`);
  rows
    .select('text.row-label')
    .attr('x', MARGIN.left - 10)
    .attr('y', (d) => rowHeight / 2 + (d.sublabel ? -3 : 4))
    .attr('text-anchor', 'end')
    .text((d) => d.label);
  rows
    .select('text.row-sublabel')
    .attr('x', MARGIN.left - 10)
    .attr('y', rowHeight / 2 + 11)
    .attr('text-anchor', 'end')
    .text((d) => d.sublabel ?? '');

  const points = rows
    .selectAll<SVGGElement, Point>('g.point')
    .data((d) => d.points, (p) => String(p.series))
    .join((enter) => {
      const g = enter.append('g').attr('class', 'point');
      g.append('title');
      g.append('line').attr('class', 'whisker');
      g.append('line').attr('class', 'cap lo');
      g.append('line').attr('class', 'cap hi');
      g.append('path').attr('class', 'marker');
      return g;
    })
    .attr('transform', (p) => `translate(0,${laneTop + (stack ? p.series : 0) * PER_SERIES + PER_SERIES / 2})`);
  const colour = (p: Point) => spec.series[p.series]?.colour ?? OKABE_ITO.black;
  points.select('title').text((p) => p.tip);
  points
    .select('line.whisker')
    .attr('x1', (p) => x(p.est.low))
    .attr('x2', (p) => x(p.est.high))
    .attr('stroke', colour);
  points
    .select('line.cap.lo')
    .attr('x1', (p) => x(p.est.low))
    .attr('x2', (p) => x(p.est.low))
    .attr('y1', -4)
    .attr('y2', 4)
    .attr('stroke', colour);
  points
    .select('line.cap.hi')
    .attr('x1', (p) => x(p.est.high))
    .attr('x2', (p) => x(p.est.high))
    .attr('y1', -4)
    .attr('y2', 4)
    .attr('stroke', colour);
  points
    .select('path.marker')
    .attr('d', (p) => markerPath(p.est.value > spec.domain[1] ? 'beyond' : (spec.series[p.series]?.shape ?? 'circle'), MARKER))
    .attr('transform', (p) => `translate(${x(p.est.value)},0)`)
    .attr('fill', colour);

  const ref = ensure(svg, 'g', 'reference');
  if (spec.reference) {
    const rx = x(spec.reference.x);
    ref.style('display', null);
    ensure(ref, 'line', 'ref-line').attr('x1', rx).attr('x2', rx).attr('y1', MARGIN.top).attr('y2', height - MARGIN.bottom);
    ensure(ref, 'text', 'ref-label').attr('x', rx + 4).attr('y', MARGIN.top + 10).text(spec.reference.label);
  } else {
    ref.style('display', 'none');
  }
}

/** The legend of a chart's series (HTML, beside the chart). */
export function drawLegend(el: HTMLElement, series: Series[], extra = '95 % interval') {
  const items = series
    .map(
      (s) =>
        `<span class="legend-item"><svg width="14" height="14" viewBox="-7 -7 14 14" aria-hidden="true"><path d="${markerPath(s.shape, 5)}" fill="${s.colour}"/></svg>${escapeHtml(s.name)}</span>`,
    )
    .join('');
  el.innerHTML =
    items +
    `<span class="legend-item"><svg width="26" height="14" viewBox="0 -7 26 14" aria-hidden="true"><line x1="2" x2="24" y1="0" y2="0" stroke="#555" stroke-width="2"/><line x1="2" x2="2" y1="-4" y2="4" stroke="#555" stroke-width="2"/><line x1="24" x2="24" y1="-4" y2="4" stroke="#555" stroke-width="2"/></svg>${escapeHtml(extra)}</span>`;
}

// The one child element of a class, created on the first draw.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function ensure(parent: Selection<any, any, any, any>, tag: string, cls: string): Selection<any, any, any, any> {
  const s = parent.select(`${tag}.${cls}`);
  return s.empty() ? parent.append(tag).attr('class', cls) : s;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
