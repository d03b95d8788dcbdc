// `--html <file>` of replay, compare and check: one self-contained page (inline CSS, a 30-line inline script for
// hover and the finding switch, no network, no font, no framework): the memory map of src/report/html-map.ts, a
// timeline of the boot phases with their estimated costs, the findings, and compare's strategies x findings table
// or check's changes against the baseline. Every number that the --json document also has carries
// data-json="<path in that document>" and data-value="<exact value>", so a test can hold the page to the JSON.
import type { CheckResult } from '../check/baseline.js';
import type { Range, Severity } from '../core/index.js';
import { formatBytes, formatMemRange, hex, normalizeRanges, rangeCount, rangeList } from '../core/index.js';
import type { Costs } from '../cost/index.js';
import type { KhoRun } from '../sim/phases/kho-run.js';
import { KHO_RESTORE_KINDS } from '../sim/phases/kho-types.js';
import type { Timeline } from '../sim/timeline.js';
import { describeChange, runLabel } from './check-text.js';
import { esc } from './html-escape.js';
import type { CheckFinding } from '../check/check-runs.js';
import type { MapBlocks, MapFindingSet, MapModel } from './html-map.js';
import { HOLE_PATTERN, renderMemoryMap, severityColour } from './html-map.js';

/** A finding as the page shows it (KHO findings and a plain boot's alike): check's one shape. */
export type HtmlFinding = CheckFinding;

// ---------------------------------------------------------------------------------------------------------------
// Models

/** memblock.reserved in bytes to pfns, outward (a partly reserved page is drawn reserved), merged. */
function bytesToPfns(rs: readonly { start: number; end: number }[], pageShift: number): Range[] {
  const p = 2 ** pageShift;
  return normalizeRanges(rs.map((r) => ({ start: Math.floor(r.start / p), end: Math.ceil(r.end / p) })));
}

/** Preserved blocks as columns, owner = the restore call they are used through (folio, pages, vmalloc, ...). */
export function blocksOfRun(run: KhoRun): MapBlocks {
  const n = run.blocks.length;
  const start = new Float64Array(n);
  const end = new Float64Array(n);
  const owner = new Uint8Array(n);
  const present = new Uint8Array(KHO_RESTORE_KINDS.length);
  for (let i = 0; i < n; i++) present[run.blocks.kindCode[i]!] = 1;
  const kinds = KHO_RESTORE_KINDS.filter((_, c) => present[c]);
  const index = new Map(kinds.map((k, i) => [k, i]));
  for (let i = 0; i < n; i++) {
    start[i] = run.blocks.startPfn[i]!;
    end[i] = run.blocks.endPfn[i]!;
    owner[i] = index.get(run.blocks.kind(i)) ?? 0;
  }
  return { count: n, start, end, owner, owners: kinds };
}

export interface MapSource {
  readonly timeline: Timeline;
  /** memblock.reserved in bytes (the host's last view, or what kho_memory_init() found). */
  readonly reservedBytes: readonly { start: number; end: number }[];
  readonly kho: KhoRun | null;
  readonly findingSets: readonly MapFindingSet[];
}

export function mapModel(src: MapSource): MapModel {
  const tl = src.timeline;
  const pageShift = tl.arch.PAGE_SHIFT;
  return {
    pageShift,
    nodes: tl.nodes.map((n) => ({
      nid: n.nid,
      startPfn: n.startPfn,
      endPfn: n.endPfn,
      firstDeferredPfn: n.firstDeferredPfn,
      zones: n.zones
        .filter((z) => z.spannedPages > 0)
        .map((z) => ({ name: z.name, startPfn: z.startPfn, endPfn: z.startPfn + z.spannedPages })),
      memRanges: tl.layout.nodes.find((l) => l.nid === n.nid)?.memRanges ?? [],
    })),
    reserved: bytesToPfns(src.reservedBytes, pageShift),
    scratch: src.kho ? normalizeRanges(src.kho.scratch) : [],
    blocks: src.kho ? blocksOfRun(src.kho) : null,
    findingSets: src.findingSets,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Page pieces

const CSS = `
body{font:13px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:16px 24px;color:#222;max-width:1300px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 6px;border-bottom:1px solid #ddd}h3{font-size:14px;margin:16px 0 4px}
.sub{color:#555;margin:0 0 2px}table{border-collapse:collapse;margin:6px 0}td,th{border:1px solid #ddd;padding:2px 8px;text-align:right;white-space:nowrap}
td:first-child,th:first-child{text-align:left}th{background:#f4f4f4}.l{text-align:left}
.legend{margin:4px 0 6px}.sw{display:inline-block;width:12px;height:12px;margin:0 3px 0 10px;vertical-align:-2px;border:1px solid #0003}
.sw.hole{background:repeating-linear-gradient(45deg,#f0f0f0 0 3px,#999 3px 5px)}
svg.strip{display:block;margin:6px 0}svg text{font-size:11px;fill:#333}.rl{fill:#444}.nl{font-weight:600}.ax{fill:#777;font-size:10px}
.fdp{stroke:#111;stroke-dasharray:4 3;stroke-width:1.5}.fdpl{font-size:10px}
svg rect[data-s]:hover{stroke:#000;stroke-width:1}
#tip{position:absolute;display:none;background:#fffffe;border:1px solid #888;padding:4px 6px;white-space:pre;font:12px ui-monospace,monospace;pointer-events:none;box-shadow:0 1px 4px #0003}
.info{white-space:pre;font:12px ui-monospace,monospace;background:#f7f7f7;padding:6px;min-height:3em;border:1px solid #ddd;max-width:1180px}
.error{color:#d62728;font-weight:600}.warning{color:#c85f00}.FAIL,.failing{color:#d62728;font-weight:600}.ok{color:#2a7d2a}
details.small{margin:0 0 8px 190px;color:#555}.changes li{font-family:ui-monospace,monospace;font-size:12px}
`;

// hover: the range under the mouse as the kernel prints it, and its pfns; click: the same, kept below the page;
// a finding-set <select> shows that set's rows
const SCRIPT = `
(function(){
var tip=document.getElementById('tip');
function hx(n,w){var s=n.toString(16);while(s.length<w)s='0'+s;return '0x'+s;}
function desc(el){var m=el.closest('.map'),p=Math.pow(2,+(m?m.getAttribute('data-ps'):12)),s=+el.getAttribute('data-s'),e=+el.getAttribute('data-e');
return el.getAttribute('data-t')+'\\n[mem '+hx(s*p,16)+'-'+hx(e*p-1,16)+']\\npfn '+hx(s,1)+'-'+hx(e-1,1)+' ('+(e-s).toLocaleString('en-US')+' pages)';}
function at(ev){var el=ev.target;return el&&el.getAttribute&&el.getAttribute('data-s')!==null?el:null;}
document.addEventListener('mousemove',function(ev){var el=at(ev);if(!el){tip.style.display='none';return;}
tip.textContent=desc(el);tip.style.display='block';tip.style.left=(ev.pageX+14)+'px';tip.style.top=(ev.pageY+14)+'px';});
document.addEventListener('click',function(ev){var el=at(ev),m=el&&el.closest('.map'),i=m&&m.querySelector('.info');if(i)i.textContent=desc(el);});
Array.prototype.forEach.call(document.querySelectorAll('select.fsel'),function(sel){sel.addEventListener('change',function(){
var map=document.getElementById(sel.getAttribute('data-map'));
Array.prototype.forEach.call(map.querySelectorAll('g.fset'),function(g){g.style.display=g.getAttribute('data-set')===sel.value?'':'none';});});});
})();
`;

function n(v: number): string {
  return v.toLocaleString('en-US');
}
function ms(v: number): string {
  return v < 10 ? v.toFixed(2) : v.toFixed(1);
}

/** A number cell tied to the JSON document: the shown text, the exact value, and where the JSON has it. */
function num(path: string | null, value: number | null, shown?: string): string {
  const text = shown ?? (value === null ? '-' : n(value));
  if (path === null) return `<td>${esc(text)}</td>`;
  return `<td data-json="${esc(path)}" data-value="${value === null ? 'null' : value}">${esc(text)}</td>`;
}

/** `base.rest`, or null (an untied cell) when the page's numbers here are not in the document's. */
function sub(base: string | null, rest: string): string | null {
  return base === null ? null : `${base}.${rest}`;
}

/** The page around a body: inline CSS and script, a CSP that forbids every fetch. */
export function htmlPage(title: string, body: string): string {
  return (
    `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">` +
    `<title>${esc(title)}</title><style>${CSS}</style></head><body>${HOLE_PATTERN}${body}` +
    `<div id="tip"></div>` +
    `<script>${SCRIPT}</script></body></html>\n`
  );
}

function mapSection(model: MapModel, id: string): string {
  return renderMemoryMap(model, id);
}

function nodesTable(tl: Timeline, path: string | null = 'nodes'): string {
  const page = 2 ** tl.arch.PAGE_SHIFT;
  const rows = tl.nodes.map(
    (nd, i) =>
      `<tr class="node">${path === null ? `<td>node ${nd.nid}</td>` : `<td data-json="${path}.${i}.nid" data-value="${nd.nid}">node ${nd.nid}</td>`}${num(sub(path, `${i}.startPfn`), nd.startPfn, hex(nd.startPfn))}${num(sub(path, `${i}.endPfn`), nd.endPfn, hex(nd.endPfn))}` +
      `${num(sub(path, `${i}.spannedPages`), nd.spannedPages)}${num(sub(path, `${i}.presentPages`), nd.presentPages)}` +
      `${num(sub(path, `${i}.firstDeferredPfn`), nd.firstDeferredPfn, nd.firstDeferredPfn === null ? 'none' : hex(nd.firstDeferredPfn))}${num(sub(path, `${i}.deferredPages`), nd.deferredPages)}` +
      `<td class="l">${esc(formatBytes(nd.spannedPages * page))}; ${nd.zones
        .filter((z) => z.spannedPages > 0)
        .map((z) => `${z.name} ${hex(z.startPfn)}-${hex(z.startPfn + z.spannedPages - 1)}`)
        .join(', ')}</td></tr>`,
  );
  return `<table class="nodes"><tr><th>node</th><th>start pfn</th><th>end pfn</th><th>spanned</th><th>present</th><th>first_deferred_pfn</th><th>deferred pages</th><th>size, zones</th></tr>${rows.join('')}</table>`;
}

/** Serial phases end to end, the parallel phase one bar per node from the same point, after-boot work apart. */
function costTimeline(c: Costs, path: string | null = 'costs'): string {
  const W = 1000;
  const total = Math.max(c.bootCriticalMs + c.restoreMs, 1e-9);
  const k = (W - 20) / total;
  const bars: string[] = [];
  let x = 0;
  let y = 18;
  const bar = (x0: number, w: number, yy: number, fill: string, label: string): void => {
    bars.push(
      `<rect x="${(190 + x0).toFixed(1)}" y="${yy}" width="${Math.max(w, 2).toFixed(1)}" height="14" fill="${fill}"><title>${esc(label)}</title></rect>`,
      `<text x="4" y="${yy + 11}">${esc(label.length > 30 ? label.slice(0, 29) + '…' : label)}</text>`,
    );
  };
  const afterBoot = c.phases.filter((p) => p.kind === 'after-boot');
  for (const p of c.phases.filter((q) => q.kind !== 'after-boot')) {
    if (p.kind === 'serial') {
      bar(x, p.ms * k, y, '#6baed6', `${p.phase} ${ms(p.ms)} ms`);
      x += p.ms * k;
      y += 17;
    } else {
      for (const nd of p.perNode ?? []) {
        bar(x, nd.ms * k, y, '#9e9ac8', `${p.phase} node ${nd.nid} ${ms(nd.ms)} ms`);
        y += 17;
      }
      if (!p.perNode?.length) {
        bar(x, p.ms * k, y, '#9e9ac8', `${p.phase} ${ms(p.ms)} ms`);
        y += 17;
      }
      x += p.ms * k;
    }
  }
  const bootX = 190 + c.bootCriticalMs * k;
  bars.push(
    `<line x1="${bootX.toFixed(1)}" y1="4" x2="${bootX.toFixed(1)}" y2="${y}" class="fdp"/><text x="${(bootX + 3).toFixed(1)}" y="12" class="fdpl">boot-critical ${ms(c.bootCriticalMs)} ms</text>`,
  );
  for (const p of afterBoot) {
    bar(x, p.ms * k, y, '#fdae6b', `${p.phase} ${ms(p.ms)} ms (after boot)`);
    x += p.ms * k;
    y += 17;
  }
  const svg = `<svg class="timeline" width="${W + 200}" height="${y + 4}" role="img" aria-label="boot phases and their cost">${bars.join('')}</svg>`;
  const rows = c.phases.map(
    (p, i) =>
      `<tr><td>${esc(p.phase)}</td><td class="l">${p.kind}</td>${num(sub(path, `phases.${i}.pagesInitialised`), p.pagesInitialised)}${num(sub(path, `phases.${i}.ms`), p.ms, ms(p.ms))}<td class="l">${esc(p.functions.map((f) => `${f.fn} ${n(f.pages)}`).join(', '))}</td></tr>`,
  );
  const table =
    `<table class="costs"><tr><th>phase</th><th>kind</th><th>struct pages</th><th>ms</th><th>kernel functions (pages)</th></tr>${rows.join('')}` +
    `<tr><th>boot-critical (serial + parallel)</th><td></td><td></td>${num(sub(path, `bootCriticalMs`), c.bootCriticalMs, ms(c.bootCriticalMs))}<td class="l">serial ${ms(c.serialMs)} ms + parallel ${ms(c.parallelMs)} ms</td></tr>` +
    `<tr><th>restore (after boot)</th><td></td><td></td>${num(sub(path, `restoreMs`), c.restoreMs, ms(c.restoreMs))}<td></td></tr></table>`;
  return `${svg}${table}<p class="sub">rate: ${esc(c.rateSource.detail)}</p>`;
}

function findingsTable(fs: readonly HtmlFinding[], pageShift: number, path: string | null): string {
  if (!fs.length) return '<p>no findings</p>';
  const page = 2 ** pageShift;
  const rows = fs.map((f, i) => {
    const ex = rangeList(f.ranges, 0, 2)
      .map((r) => formatMemRange(r.start * page, r.end * page))
      .join(' ');
    const count = rangeCount(f.ranges);
    const more = count > 2 ? ` +${n(count - 2)} ranges` : '';
    const pages = path ? num(sub(path, `${i}.pages`), f.pages) : `<td>${n(f.pages)}</td>`;
    return `<tr class="finding"><td><span class="sw" style="background:${severityColour(f.severity)}"></span>${esc(f.code)}</td><td class="l ${f.severity}">${f.severity}</td><td class="l">${esc(f.kernelFunction)}() in ${esc(f.phase)}</td>${pages}<td>${n(f.blocks)}</td><td class="l">${esc(f.title)}<br><small>${esc(ex)}${esc(more)}</small></td></tr>`;
  });
  return `<table class="findings"><tr><th>code</th><th>severity</th><th>where</th><th>pages</th><th>blocks</th><th class="l">what, first ranges</th></tr>${rows.join('')}</table>`;
}

const verdictOf = (fs: readonly HtmlFinding[]): string =>
  fs.some((f) => f.severity === 'error')
    ? 'FAIL'
    : fs.some((f) => f.severity === 'warning')
      ? 'ok, warnings'
      : 'ok';

function head(title: string, lines: readonly string[]): string {
  return `<h1>${esc(title)}</h1>${lines.map((l) => `<p class="sub">${esc(l)}</p>`).join('')}`;
}

// ---------------------------------------------------------------------------------------------------------------
// The three reports

export interface ReplayHtmlInput {
  readonly bundle: string;
  /** Lines under the title: profile and strategy, deferral, image. */
  readonly lines: readonly string[];
  readonly timeline: Timeline;
  readonly costs: Costs;
  readonly findings: readonly HtmlFinding[];
  readonly reservedBytes: readonly { start: number; end: number }[];
  readonly kho: KhoRun | null;
  /** Where replay --json has the findings' `pages` (null: the page's findings are not that document's). */
  readonly findingsPath?: string | null;
}

export function renderReplayHtml(r: ReplayHtmlInput): string {
  const tl = r.timeline;
  const label = r.kho ? `${r.kho.profile.name} / ${r.kho.strategy.name}` : `boot (${tl.mm.name})`;
  const model = mapModel({
    timeline: tl,
    reservedBytes: r.reservedBytes,
    kho: r.kho,
    findingSets: [{ id: 'run', label, findings: r.findings }],
  });
  const verdict = verdictOf(r.findings);
  const body =
    head(`kexec-replay replay: ${r.bundle}`, [
      ...r.lines,
      `deferred struct page init ${tl.deferred.on ? 'on' : 'off'} (${tl.deferred.reason})`,
    ]) +
    `<p>verdict <span class="${verdict === 'FAIL' ? 'FAIL' : 'ok'}" id="verdict">${verdict}</span></p>` +
    `<h2>memory map</h2>${mapSection(model, 'map-replay')}` +
    `<h2>nodes</h2>${nodesTable(tl)}` +
    `<h2>findings</h2>${findingsTable(r.findings, tl.arch.PAGE_SHIFT, r.findingsPath === undefined ? 'findings' : r.findingsPath)}` +
    `<h2>boot phases and estimated cost</h2>${costTimeline(r.costs)}`;
  return htmlPage(`kexec-replay replay ${r.bundle}`, body);
}

export interface CompareHtmlOutcome {
  readonly strategy: string;
  readonly summary: string;
  readonly findings: readonly HtmlFinding[];
  readonly errors: number;
  readonly warnings: number;
  readonly costs: Costs;
}

export interface CompareHtmlInput {
  readonly bundle: string;
  readonly lines: readonly string[];
  readonly outcomes: readonly CompareHtmlOutcome[];
  /**
   * One replay of the comparison (the first strategy's) for the layout the map is drawn on: nodes, zones, holes,
   * scratch, blocks and reserved are the same under every strategy; each strategy's findings overlay it.
   */
  readonly map: {
    readonly timeline: Timeline;
    readonly kho: KhoRun;
    readonly reservedBytes: readonly { start: number; end: number }[];
  };
}

export function renderCompareHtml(c: CompareHtmlInput): string {
  const first = c.outcomes[0];
  if (!first)
    return htmlPage(
      `kexec-replay compare ${c.bundle}`,
      head(`kexec-replay compare: ${c.bundle}`, ['no strategy']),
    );
  const model = mapModel({
    timeline: c.map.timeline,
    reservedBytes: c.map.reservedBytes,
    kho: c.map.kho,
    findingSets: c.outcomes.map((o) => ({ id: o.strategy, label: o.strategy, findings: o.findings })),
  });
  const codes: { code: string; severity: Severity }[] = [];
  for (const o of c.outcomes)
    for (const f of o.findings)
      if (!codes.some((x) => x.code === f.code)) codes.push({ code: f.code, severity: f.severity });
  const th = c.outcomes.map((o) => `<th>${esc(o.strategy)}</th>`).join('');
  const rows = codes.map(
    ({ code, severity }) =>
      `<tr><td><span class="sw" style="background:${severityColour(severity)}"></span>${esc(code)} (${severity})</td>${c.outcomes
        .map((o, i) => {
          const pages = o.findings.filter((f) => f.code === code).reduce((s, f) => s + f.pages, 0);
          return pages ? num(`strategies.${i}.pagesByCode.${code}`, pages) : '<td>-</td>';
        })
        .join('')}</tr>`,
  );
  const row = (name: string, cells: (o: CompareHtmlOutcome, i: number) => string): string =>
    `<tr><th>${esc(name)}</th>${c.outcomes.map(cells).join('')}</tr>`;
  const table =
    `<table class="compare"><tr><th>pages affected</th>${th}</tr>${rows.join('')}` +
    row('errors', (o, i) => num(`strategies.${i}.errors`, o.errors)) +
    row('warnings', (o, i) => num(`strategies.${i}.warnings`, o.warnings)) +
    row('boot-critical ms', (o, i) =>
      num(`strategies.${i}.cost.bootCriticalMs`, o.costs.bootCriticalMs, ms(o.costs.bootCriticalMs)),
    ) +
    row('restore ms', (o, i) =>
      num(`strategies.${i}.cost.restoreMs`, o.costs.restoreMs, ms(o.costs.restoreMs)),
    ) +
    row('verdict', (o) => {
      const v = o.errors ? 'FAIL' : o.warnings ? 'ok, warnings' : 'ok';
      return `<td class="verdict ${v === 'FAIL' ? 'FAIL' : 'ok'}">${v}</td>`;
    }) +
    `</table>`;
  const per = c.outcomes
    .map(
      (o) =>
        `<h3>${esc(o.strategy)}: ${esc(o.summary)}</h3>${findingsTable(o.findings, c.map.timeline.arch.PAGE_SHIFT, null)}`,
    )
    .join('');
  const body =
    head(`kexec-replay compare: ${c.bundle}`, c.lines) +
    `<h2>strategies x findings</h2>${table}` +
    `<h2>memory map</h2>${mapSection(model, 'map-compare')}` +
    `<h2>nodes</h2>${nodesTable(c.map.timeline, null)}` +
    `<h2>boot phases and estimated cost (${esc(first.strategy)}; the table above has each strategy's)</h2>${costTimeline(first.costs, null)}` +
    `<h2>findings per strategy</h2>${per}`;
  return htmlPage(`kexec-replay compare ${c.bundle}`, body);
}

export interface CheckHtmlBundle {
  /** The bundle as the baseline names it. */
  readonly bundle: string;
  readonly runs: readonly {
    label: string;
    findings: readonly HtmlFinding[];
    timeline: Timeline;
    kho: KhoRun | null;
  }[];
  readonly reservedBytes: readonly { start: number; end: number }[];
}

export function renderCheckHtml(
  r: CheckResult,
  baselineFile: string,
  bundles: readonly CheckHtmlBundle[],
): string {
  const rows = r.runs.map((rc, i) => {
    const status = rc.failed ? 'FAILED' : rc.changes.length ? 'changed' : 'same';
    const changes = rc.changes.length
      ? `<ul class="changes">${rc.changes.map((c) => `<li class="${c.failing ? 'failing' : ''}">${esc(describeChange(c, rc.run.pageShift, r.costTolerance))}${c.failing ? ' (fails the check)' : ''}</li>`).join('')}</ul>`
      : '';
    return (
      `<tr class="run"><td class="l ${rc.failed ? 'FAIL' : 'ok'}" data-json="runs.${i}.failed" data-value="${rc.failed}">${status}</td><td class="l">${esc(rc.run.bundle)}</td><td class="l">${esc(runLabel(rc.run))}</td>` +
      `<td class="l">${esc(rc.baseline ? `${rc.baseline.verdict} -> ${rc.run.verdict}` : `${rc.run.verdict} (new run)`)}</td>${num(`runs.${i}.errors`, rc.run.errors)}${num(`runs.${i}.warnings`, rc.run.warnings)}` +
      `${num(`runs.${i}.cost.bootCriticalMs`, rc.run.cost.bootCriticalMs, ms(rc.run.cost.bootCriticalMs))}<td class="l">${changes}</td></tr>`
    );
  });
  const maps = bundles
    .map((b, i) => {
      const first = b.runs[0];
      if (!first) return '';
      const model = mapModel({
        timeline: first.timeline,
        reservedBytes: b.reservedBytes,
        kho: first.kho,
        findingSets: b.runs.map((x, j) => ({ id: `r${j}`, label: x.label, findings: x.findings })),
      });
      return `<h3>${esc(b.bundle)}</h3>${mapSection(model, `map-check-${i}`)}`;
    })
    .join('');
  const failed = r.runs.filter((x) => x.failed).length;
  const body =
    head(`kexec-replay check against ${baselineFile}`, [
      `${n(r.runs.length)} runs on ${n(new Set(r.runs.map((x) => x.run.bundle)).size)} bundles; boot-cost tolerance ${(r.costTolerance * 100).toFixed(0)}%`,
    ]) +
    `<p>result <span class="${r.failed ? 'FAIL' : 'ok'}" id="verdict">${r.failed ? `FAILED (${failed} run${failed === 1 ? '' : 's'} regressed)` : 'passed'}</span></p>` +
    `<h2>changes against the baseline</h2><table class="check"><tr><th>status</th><th>bundle</th><th>profile / strategy</th><th>verdict</th><th>errors</th><th>warnings</th><th>boot-critical ms</th><th class="l">changes</th></tr>${rows.join('')}</table>` +
    (r.notRun.length
      ? `<p>in the baseline, not run: ${esc(r.notRun.map((b) => `${b.bundle} ${runLabel(b)}`).join('; '))}</p>`
      : '') +
    `<h2>memory maps</h2>${maps}`;
  return htmlPage(`kexec-replay check ${baselineFile}`, body);
}
