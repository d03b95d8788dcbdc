// The memory map as SVG: one strip per node, rows for zones and holes, memblock reserved, KHO scratch, preserved
// blocks coloured by owner, and one row per finding code. The scale is linear in pfns inside memory, holes are
// drawn at most HOLE_MAX_PX wide (a 1 TiB hole must not squash 4 GiB of RAM), ranges narrower than a pixel are
// drawn MIN_PX wide and listed, and a row with many ranges is aggregated per pixel column (coverage and, for
// blocks, the owner with most pages), so a 24 TiB host with 8M blocks is a few thousand rectangles.
import type { Range, RangesLike, Severity } from '../core/index.js';
import { formatBytes, formatMemRange, hex, hexPa, rangeAt, rangeCount } from '../core/index.js';
import { esc } from './html-escape.js';

/** Drawable width of a strip in px (after the row labels). */
export const STRIP_PX = 1000;
const LABEL_PX = 190;
const ROW_PX = 14;
const ROW_GAP = 3;
const HOLE_MAX_PX = 40;
const MIN_PX = 2;
/** A row of one node with more ranges than this is aggregated per pixel column. */
const INDIVIDUAL_MAX = 400;
/** Ranges listed as too small to see, per node (the rest are counted). */
const LIST_MAX = 100;

export interface MapZone {
  readonly name: string;
  readonly startPfn: number;
  readonly endPfn: number;
}

export interface MapNode {
  readonly nid: number;
  readonly startPfn: number;
  readonly endPfn: number;
  readonly firstDeferredPfn: number | null;
  readonly zones: readonly MapZone[];
  /** Memory of this node (for_each_mem_pfn_range), sorted: what is not in it is a hole. */
  readonly memRanges: readonly Range[];
}

/** Preserved blocks in columns, sorted by start; owner = index into `owners`. */
export interface MapBlocks {
  readonly count: number;
  readonly start: ArrayLike<number>;
  readonly end: ArrayLike<number>;
  readonly owner: ArrayLike<number>;
  readonly owners: readonly string[];
}

export interface MapFinding {
  readonly code: string;
  readonly severity: Severity;
  readonly pages: number;
  readonly ranges: RangesLike;
}

/** The findings of one replay (one strategy of compare, one run of check): a switchable overlay. */
export interface MapFindingSet {
  readonly id: string;
  readonly label: string;
  readonly findings: readonly MapFinding[];
}

export interface MapModel {
  readonly pageShift: number;
  readonly nodes: readonly MapNode[];
  /** memblock.reserved as the replay saw it, pfns, sorted. */
  readonly reserved: readonly Range[];
  /** KHO scratch areas, pfns. */
  readonly scratch: readonly Range[];
  readonly blocks: MapBlocks | null;
  readonly findingSets: readonly MapFindingSet[];
}

const ZONE_COLOURS: Record<string, string> = {
  DMA: '#c6dbef',
  DMA32: '#9ecae1',
  Normal: '#6baed6',
  Movable: '#fdd0a2',
};
const OWNER_COLOURS = ['#31a354', '#756bb1', '#e6550d', '#636363', '#d6616b', '#8c6d31', '#17becf'];
const SEVERITY_COLOURS: Record<Severity, string> = { error: '#d62728', warning: '#ff7f0e', info: '#7f7f7f' };

export function ownerColour(i: number): string {
  return OWNER_COLOURS[i % OWNER_COLOURS.length]!;
}
export function severityColour(s: Severity): string {
  return SEVERITY_COLOURS[s];
}

/** The hatch of holes, defined once per page (every strip refers to it). */
export const HOLE_PATTERN =
  '<svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs><pattern id="hole" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#f0f0f0"/><line x1="0" y1="0" x2="0" y2="6" stroke="#999" stroke-width="2"/></pattern></defs></svg>';

/** pfn -> x inside one node's strip: memory linear, holes capped. */
export class StripScale {
  /** Segment i covers pfns [pfn[i], pfn[i+1]) and x [x[i], x[i+1]). */
  private readonly pfn: number[] = [];
  private readonly x: number[] = [];

  constructor(node: MapNode, width = STRIP_PX) {
    const span = Math.max(1, node.endPfn - node.startPfn);
    const pieces: { s: number; e: number; hole: boolean }[] = [];
    let at = node.startPfn;
    for (const r of node.memRanges) {
      const s = Math.max(r.start, node.startPfn);
      const e = Math.min(r.end, node.endPfn);
      if (e <= s) continue;
      if (s > at) pieces.push({ s: at, e: s, hole: true });
      pieces.push({ s, e, hole: false });
      at = e;
    }
    if (at < node.endPfn) pieces.push({ s: at, e: node.endPfn, hole: true });
    const mem = pieces.filter((p) => !p.hole).reduce((n, p) => n + p.e - p.s, 0);
    const holeW = (p: { s: number; e: number }): number =>
      Math.min(((p.e - p.s) / span) * width, HOLE_MAX_PX);
    const holesPx = pieces.filter((p) => p.hole).reduce((n, p) => n + holeW(p), 0);
    const memPx = Math.max(0, width - holesPx);
    let x = 0;
    for (const p of pieces) {
      this.pfn.push(p.s);
      this.x.push(x);
      x += p.hole ? (mem ? holeW(p) : ((p.e - p.s) / span) * width) : ((p.e - p.s) / mem) * memPx;
    }
    this.pfn.push(node.endPfn);
    this.x.push(pieces.length ? x : width);
    if (pieces.length === 0) {
      this.pfn.unshift(node.startPfn);
      this.x.unshift(0);
    }
  }

  private segment(pfn: number): number {
    let lo = 0;
    let hi = this.pfn.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.pfn[mid]! <= pfn) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  xOf(pfn: number): number {
    const n = this.pfn.length;
    if (pfn <= this.pfn[0]!) return this.x[0]!;
    if (pfn >= this.pfn[n - 1]!) return this.x[n - 1]!;
    const i = this.segment(pfn);
    const p0 = this.pfn[i]!;
    const p1 = this.pfn[i + 1]!;
    return this.x[i]! + ((pfn - p0) / (p1 - p0)) * (this.x[i + 1]! - this.x[i]!);
  }

  /** The first pfn drawn at or after x (inverse of xOf, for the pixel columns of aggregated rows). */
  pfnAt(x: number): number {
    const n = this.x.length;
    if (x <= this.x[0]!) return this.pfn[0]!;
    if (x >= this.x[n - 1]!) return this.pfn[n - 1]!;
    let i = 0;
    while (i < n - 2 && this.x[i + 1]! <= x) i++;
    const x0 = this.x[i]!;
    const x1 = this.x[i + 1]!;
    return Math.round(this.pfn[i]! + ((x - x0) / (x1 - x0 || 1)) * (this.pfn[i + 1]! - this.pfn[i]!));
  }
}

/** One rectangle: pfns [s, e) for the tooltip, with its label. */
function rect(
  x: number,
  y: number,
  w: number,
  h: number,
  fill: string,
  s: number,
  e: number,
  label: string,
  extra = '',
): string {
  return `<rect x="${(LABEL_PX + x).toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${h}" fill="${fill}" data-s="${s}" data-e="${e}" data-t="${esc(label)}"${extra}/>`;
}

interface Small {
  row: string;
  start: number;
  end: number;
}

interface RowContext {
  readonly node: MapNode;
  readonly scale: StripScale;
  readonly small: Small[];
  smallCount: number;
  readonly pageShift: number;
}

/** Ranges of `list` (sorted by start) that meet [lo, hi), clipped: binary search for the first. */
function clipped(list: RangesLike, lo: number, hi: number): Range[] {
  const count = rangeCount(list);
  let a = 0;
  let b = count;
  while (a < b) {
    const m = (a + b) >> 1;
    if (rangeAt(list, m).end <= lo) a = m + 1;
    else b = m;
  }
  const out: Range[] = [];
  for (let i = a; i < count; i++) {
    const r = rangeAt(list, i);
    if (r.start >= hi) break;
    const s = Math.max(r.start, lo);
    const e = Math.min(r.end, hi);
    if (e > s) out.push(s === r.start && e === r.end ? r : { start: s, end: e });
  }
  return out;
}

/** One row of ranges in one colour: each range its own rect, or per-pixel coverage when there are many. */
function rangeRow(ctx: RowContext, ranges: RangesLike, y: number, fill: string, label: string): string {
  const { node, scale } = ctx;
  const rs = clipped(ranges, node.startPfn, node.endPfn);
  const out: string[] = [];
  if (rs.length <= INDIVIDUAL_MAX) {
    for (const r of rs) {
      const x0 = scale.xOf(r.start);
      const w = scale.xOf(r.end) - x0;
      if (w < 1) {
        ctx.smallCount++;
        if (ctx.small.length < LIST_MAX) ctx.small.push({ row: label, start: r.start, end: r.end });
      }
      out.push(
        rect(
          x0,
          y,
          Math.max(w, MIN_PX),
          ROW_PX,
          fill,
          r.start,
          r.end,
          `${label}: ${(r.end - r.start).toLocaleString('en-US')} pages`,
        ),
      );
    }
    return out.join('');
  }
  // per pixel column: the fraction covered and the number of ranges starting there
  const cov = new Float64Array(STRIP_PX);
  const cnt = new Uint32Array(STRIP_PX);
  for (const r of rs) {
    const x0 = scale.xOf(r.start);
    const x1 = scale.xOf(r.end);
    const c0 = Math.min(STRIP_PX - 1, Math.floor(x0));
    cnt[c0]!++;
    if (x1 - x0 < 1) {
      cov[c0]! += x1 - x0;
      continue;
    }
    for (let c = c0; c < Math.min(STRIP_PX, Math.ceil(x1)); c++)
      cov[c]! += Math.min(c + 1, x1) - Math.max(c, x0);
  }
  return aggregatedRuns(
    ctx,
    cov,
    cnt,
    y,
    () => fill,
    () => 0,
    label,
  );
}

/** Columns grouped into runs of the same look; one rect per run, its tooltip the pfns and ranges under it. */
function aggregatedRuns(
  ctx: RowContext,
  cov: Float64Array,
  cnt: Uint32Array,
  y: number,
  fillOf: (key: number) => string,
  keyOf: (col: number) => number,
  label: string,
): string {
  const out: string[] = [];
  const level = (c: number): number =>
    cov[c]! <= 0 ? 0 : cov[c]! >= 0.75 ? 4 : cov[c]! >= 0.4 ? 3 : cov[c]! >= 0.1 ? 2 : 1;
  let c = 0;
  while (c < STRIP_PX) {
    const lv = level(c);
    if (!lv) {
      c++;
      continue;
    }
    const k = keyOf(c);
    let e = c + 1;
    let n = cnt[c]!;
    while (e < STRIP_PX && level(e) === lv && keyOf(e) === k) n += cnt[e++]!;
    const s = ctx.scale.pfnAt(c);
    const end = Math.max(s + 1, ctx.scale.pfnAt(e));
    out.push(
      rect(
        c,
        y,
        e - c,
        ROW_PX,
        fillOf(k),
        s,
        end,
        `${label}: ${n.toLocaleString('en-US')} ranges in these pixels (aggregated)`,
        ` fill-opacity="${[0, 0.35, 0.55, 0.8, 1][lv]}"`,
      ),
    );
    c = e;
  }
  return out.join('');
}

/** Preserved blocks of one node: each block coloured by owner, or per pixel the owner with most pages. */
function blockRow(ctx: RowContext, b: MapBlocks, y: number): string {
  const { node, scale } = ctx;
  // blocks are sorted by start: find this node's first by binary search
  let lo = 0;
  let hi = b.count;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (b.end[m]! <= node.startPfn) lo = m + 1;
    else hi = m;
  }
  let last = lo;
  while (last < b.count && b.start[last]! < node.endPfn) last++;
  const n = last - lo;
  const out: string[] = [];
  if (n <= INDIVIDUAL_MAX) {
    for (let i = lo; i < last; i++) {
      const s = Math.max(b.start[i]!, node.startPfn);
      const e = Math.min(b.end[i]!, node.endPfn);
      const x0 = scale.xOf(s);
      const w = scale.xOf(e) - x0;
      const owner = b.owners[b.owner[i]!] ?? '?';
      if (w < 1) {
        ctx.smallCount++;
        if (ctx.small.length < LIST_MAX) ctx.small.push({ row: `preserved (${owner})`, start: s, end: e });
      }
      out.push(
        rect(
          x0,
          y,
          Math.max(w, MIN_PX),
          ROW_PX,
          ownerColour(b.owner[i]!),
          s,
          e,
          `preserved block, ${owner}: ${(e - s).toLocaleString('en-US')} pages`,
          ' class="blk"',
        ),
      );
    }
    return out.join('');
  }
  const k = b.owners.length;
  const pages = new Float64Array(STRIP_PX * k);
  const cov = new Float64Array(STRIP_PX);
  const cnt = new Uint32Array(STRIP_PX);
  for (let i = lo; i < last; i++) {
    const s = Math.max(b.start[i]!, node.startPfn);
    const e = Math.min(b.end[i]!, node.endPfn);
    const x0 = scale.xOf(s);
    const x1 = scale.xOf(e);
    const c0 = Math.min(STRIP_PX - 1, Math.floor(x0));
    const o = b.owner[i]!;
    cnt[c0]!++;
    if (x1 - x0 < 1) {
      cov[c0]! += x1 - x0;
      pages[c0 * k + o]! += e - s;
      continue;
    }
    for (let c = c0; c < Math.min(STRIP_PX, Math.ceil(x1)); c++) {
      const f = Math.min(c + 1, x1) - Math.max(c, x0);
      cov[c]! += f;
      pages[c * k + o]! += ((e - s) * f) / (x1 - x0);
    }
  }
  const dominant = (c: number): number => {
    let best = 0;
    for (let o = 1; o < k; o++) if (pages[c * k + o]! > pages[c * k + best]!) best = o;
    return best;
  };
  return aggregatedRuns(
    ctx,
    cov,
    cnt,
    y,
    ownerColour,
    dominant,
    'preserved blocks (colour: the owner with most pages)',
  );
}

export interface MapRows {
  readonly codes: readonly { code: string; severity: Severity }[];
}

/** Finding rows: every code of every set, errors first, in first-seen order within a severity. */
function findingRows(sets: readonly MapFindingSet[]): { code: string; severity: Severity }[] {
  const m = new Map<string, Severity>();
  for (const s of sets) for (const f of s.findings) if (!m.has(f.code)) m.set(f.code, f.severity);
  const rank: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
  return [...m]
    .map(([code, severity]) => ({ code, severity }))
    .sort((a, b) => rank[a.severity] - rank[b.severity]);
}

/** The SVG of one node, and its list of ranges drawn wider than their scale. */
function nodeStrip(model: MapModel, node: MapNode, rows: { code: string; severity: Severity }[]): string {
  const scale = new StripScale(node);
  const ctx: RowContext = { node, scale, small: [], smallCount: 0, pageShift: model.pageShift };
  const page = 2 ** model.pageShift;
  const body: string[] = [];
  const labels: string[] = [];
  let y = 18;
  const row = (name: string): number => {
    labels.push(`<text x="4" y="${y + ROW_PX - 3}" class="rl">${esc(name)}</text>`);
    const at = y;
    y += ROW_PX + ROW_GAP;
    return at;
  };
  // zones, with the holes over them
  const yz = row('zones / holes');
  for (const z of node.zones) {
    const x0 = scale.xOf(z.startPfn);
    body.push(
      rect(
        x0,
        yz,
        Math.max(scale.xOf(z.endPfn) - x0, MIN_PX),
        ROW_PX,
        ZONE_COLOURS[z.name] ?? '#bbb',
        z.startPfn,
        z.endPfn,
        `zone ${z.name} (node ${node.nid}): spanned ${(z.endPfn - z.startPfn).toLocaleString('en-US')} pages`,
        ' class="zone"',
      ),
    );
  }
  let at = node.startPfn;
  const holes: Range[] = [];
  for (const r of node.memRanges) {
    if (r.start > at) holes.push({ start: at, end: Math.min(r.start, node.endPfn) });
    at = Math.max(at, r.end);
  }
  if (at < node.endPfn) holes.push({ start: at, end: node.endPfn });
  body.push(rangeRow(ctx, holes, yz, 'url(#hole)', 'hole (no memory)'));
  body.push(rangeRow(ctx, model.reserved, row('memblock reserved'), '#969696', 'memblock reserved'));
  if (model.scratch.length || model.blocks)
    body.push(rangeRow(ctx, model.scratch, row('KHO scratch'), '#fdae6b', 'KHO scratch'));
  if (model.blocks) body.push(blockRow(ctx, model.blocks, row('preserved blocks')));
  const rowY = new Map(rows.map((r) => [r.code, row(r.code)]));
  model.findingSets.forEach((set, i) => {
    const parts: string[] = [];
    for (const f of set.findings)
      parts.push(
        rangeRow(
          ctx,
          f.ranges,
          rowY.get(f.code)!,
          severityColour(f.severity),
          `${f.code} (${f.severity}, ${set.label})`,
        ),
      );
    body.push(
      `<g class="fset" data-set="${esc(set.id)}"${i ? ' style="display:none"' : ''}>${parts.join('')}</g>`,
    );
  });
  const height = y + 24;
  // first_deferred_pfn: a line over every row, its label under them
  if (node.firstDeferredPfn !== null && node.firstDeferredPfn < node.endPfn) {
    const x = LABEL_PX + scale.xOf(node.firstDeferredPfn);
    const anchor = x > LABEL_PX + STRIP_PX - 200 ? 'end' : x < LABEL_PX + 160 ? 'start' : 'middle';
    body.push(
      `<line x1="${x.toFixed(1)}" y1="14" x2="${x.toFixed(1)}" y2="${y}" class="fdp"/><text x="${x.toFixed(1)}" y="${y + 9}" class="fdpl" text-anchor="${anchor}">first_deferred_pfn ${hex(node.firstDeferredPfn)}</text>`,
    );
  }
  const axis = `<text x="${LABEL_PX}" y="${height - 2}" class="ax">${hexPa(node.startPfn * page)}</text><text x="${LABEL_PX + STRIP_PX}" y="${height - 2}" class="ax" text-anchor="end">${hexPa(node.endPfn * page - 1)}</text>`;
  const svg =
    `<svg class="strip" data-nid="${node.nid}" width="${LABEL_PX + STRIP_PX + 10}" height="${height}" viewBox="0 0 ${LABEL_PX + STRIP_PX + 10} ${height}" role="img" aria-label="node ${node.nid} memory map">` +
    `<text x="4" y="11" class="nl">node ${node.nid}: ${esc(formatBytes((node.endPfn - node.startPfn) * page))} spanned, pfn ${hex(node.startPfn)}-${hex(node.endPfn - 1)}</text>` +
    labels.join('') +
    body.join('') +
    axis +
    `</svg>`;
  const list = ctx.smallCount
    ? `<details class="small"><summary>${ctx.smallCount.toLocaleString('en-US')} range${ctx.smallCount === 1 ? '' : 's'} narrower than a pixel on node ${node.nid}, drawn ${MIN_PX} px wide</summary><ul>${ctx.small
        .map(
          (s) =>
            `<li>${esc(s.row)}: ${esc(formatMemRange(s.start * page, s.end * page))} pfn ${hex(s.start)}-${hex(s.end - 1)}</li>`,
        )
        .join(
          '',
        )}${ctx.smallCount > ctx.small.length ? `<li>... and ${(ctx.smallCount - ctx.small.length).toLocaleString('en-US')} more</li>` : ''}</ul></details>`
    : '';
  return svg + list;
}

/** The legend, the finding-set switch (when there are several) and one strip per node. */
export function renderMemoryMap(model: MapModel, id: string): string {
  const rows = findingRows(model.findingSets);
  const legend: string[] = [];
  const sw = (c: string, t: string): string => `<span class="sw" style="background:${c}"></span>${esc(t)}`;
  for (const z of ['DMA', 'DMA32', 'Normal', 'Movable']) legend.push(sw(ZONE_COLOURS[z]!, z));
  legend.push(`<span class="sw hole"></span>hole`, sw('#969696', 'reserved'), sw('#fdae6b', 'scratch'));
  if (model.blocks) model.blocks.owners.forEach((o, i) => legend.push(sw(ownerColour(i), `preserved: ${o}`)));
  for (const s of ['error', 'warning', 'info'] as const) legend.push(sw(severityColour(s), `finding: ${s}`));
  const select =
    model.findingSets.length > 1
      ? `<label>findings of <select class="fsel" data-map="${esc(id)}">${model.findingSets
          .map((s) => `<option value="${esc(s.id)}">${esc(s.label)}</option>`)
          .join('')}</select></label>`
      : model.findingSets.length === 1
        ? `<span>findings of ${esc(model.findingSets[0]!.label)}</span>`
        : '';
  return (
    `<div class="map" id="${esc(id)}" data-ps="${model.pageShift}"><div class="legend">${legend.join(' ')}</div>${select}` +
    model.nodes.map((n) => nodeStrip(model, n, rows)).join('') +
    `<div class="info">hover a range for its [mem ...] and pfns; click to keep it here</div></div>`
  );
}
