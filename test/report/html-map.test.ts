// The memory map renderer (src/report/html-map.ts) on hand-made models: the scale (memory linear, holes capped),
// ranges too small to see drawn at a minimum width and listed, and the size of a 24 TiB / 16-node / 8M-block map
// (aggregated per pixel column).
//
//   node 0 [0 ............ 1 GiB memory ............ | 1 TiB hole | 1 GiB memory )
//   Expect: the hole is at most 40 px of the 1000 px strip; the two memory ranges share the rest equally.
import { describe, expect, it } from 'vitest';
import type { MapModel, MapNode } from '../../src/report/html-map.js';
import { StripScale, STRIP_PX, renderMemoryMap } from '../../src/report/html-map.js';
import { htmlPage } from '../../src/report/html.js';
import { cpuNow } from '../helpers/cpu-time.js';

const GiB_PAGES = 262144; // 4 KiB pages

function node(nid: number, start: number, end: number, mem = [{ start, end }]): MapNode {
  return {
    nid,
    startPfn: start,
    endPfn: end,
    firstDeferredPfn: null,
    zones: [{ name: 'Normal', startPfn: start, endPfn: end }],
    memRanges: mem,
  };
}

describe('StripScale', () => {
  it('draws memory linearly and a hole at most 40 px wide', () => {
    const hole = 1024 * GiB_PAGES;
    const n = node(0, 0, 2 * GiB_PAGES + hole, [
      { start: 0, end: GiB_PAGES },
      { start: GiB_PAGES + hole, end: 2 * GiB_PAGES + hole },
    ]);
    const s = new StripScale(n);
    expect(s.xOf(0)).toBe(0);
    expect(s.xOf(GiB_PAGES)).toBeCloseTo((STRIP_PX - 40) / 2);
    expect(s.xOf(GiB_PAGES + hole)).toBeCloseTo((STRIP_PX - 40) / 2 + 40);
    expect(s.xOf(2 * GiB_PAGES + hole)).toBeCloseTo(STRIP_PX);
    // monotone, and pfnAt() inverts xOf() inside memory
    expect(s.pfnAt(s.xOf(GiB_PAGES / 2))).toBeCloseTo(GiB_PAGES / 2, -1);
  });

  it('a small hole keeps its linear width', () => {
    const n = node(0, 0, 1000, [
      { start: 0, end: 495 },
      { start: 505, end: 1000 },
    ]);
    const s = new StripScale(n);
    expect(s.xOf(505) - s.xOf(495)).toBeCloseTo(10);
  });
});

describe('renderMemoryMap', () => {
  const base: MapModel = {
    pageShift: 12,
    nodes: [node(0, 0, 4 * GiB_PAGES), node(1, 4 * GiB_PAGES, 8 * GiB_PAGES)],
    reserved: [{ start: 10, end: 11 }],
    scratch: [{ start: GiB_PAGES, end: GiB_PAGES + 4096 }],
    blocks: {
      count: 2,
      start: [2 * GiB_PAGES, 5 * GiB_PAGES],
      end: [2 * GiB_PAGES + 1, 6 * GiB_PAGES],
      owner: [0, 1],
      owners: ['folio', 'pages'],
    },
    findingSets: [
      {
        id: 'a',
        label: 'lazy-tail',
        findings: [
          {
            code: 'X_ERR',
            severity: 'error',
            pages: 1,
            ranges: [{ start: 2 * GiB_PAGES, end: 2 * GiB_PAGES + 1 }],
          },
        ],
      },
      { id: 'b', label: 'zone-walk', findings: [] },
    ],
  };

  it('one strip per node; a one-page range is drawn 2 px wide and listed with its [mem ...] and pfns', () => {
    const html = renderMemoryMap(base, 'm');
    expect(html.match(/<svg class="strip"/g)).toHaveLength(2);
    expect(html).toContain('3 ranges narrower than a pixel on node 0, drawn 2 px wide');
    expect(html).toContain(
      '<li>memblock reserved: [mem 0x000000000000a000-0x000000000000afff] pfn 0xa-0xa</li>',
    );
    expect(html).toContain(
      'preserved (folio): [mem 0x0000000080000000-0x0000000080000fff] pfn 0x80000-0x80000',
    );
    // the second finding set is hidden until chosen in the select
    expect(html).toContain(
      '<select class="fsel" data-map="m"><option value="a">lazy-tail</option><option value="b">zone-walk</option></select>',
    );
    expect(html).toMatch(/<g class="fset" data-set="b" style="display:none">/);
  });

  it('escapes what comes from the input', () => {
    const html = renderMemoryMap(
      { ...base, findingSets: [{ id: '"><script>', label: '<b>x</b>', findings: [] }] },
      'm',
    );
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>x</b>');
  });

  it('a 24 TiB, 16-node host with 8M preserved blocks: aggregated per pixel, well under 10 MB, in seconds', () => {
    const nodes = 16;
    const perNode = 1.5 * 1024 * GiB_PAGES; // 1.5 TiB
    const blocks = 8 * 1024 * 1024;
    const start = new Float64Array(blocks);
    const end = new Float64Array(blocks);
    const owner = new Uint8Array(blocks);
    const stride = (nodes * perNode) / blocks;
    for (let i = 0; i < blocks; i++) {
      start[i] = Math.floor(i * stride);
      end[i] = start[i]! + 1 + (i % 4) * 8;
      owner[i] = i % 3;
    }
    // a finding with a million ranges, and one small one that stays listed
    const ranges = Array.from({ length: 1 << 20 }, (_, i) => ({
      start: i * 4 * (perNode / (1 << 18)),
      end: i * 4 * (perNode / (1 << 18)) + 1,
    }));
    const model: MapModel = {
      pageShift: 12,
      nodes: Array.from({ length: nodes }, (_, i) => ({
        ...node(i, i * perNode, (i + 1) * perNode),
        firstDeferredPfn: i * perNode + GiB_PAGES,
      })),
      reserved: [],
      scratch: [],
      blocks: { count: blocks, start, end, owner, owners: ['folio', 'pages', 'vmalloc'] },
      findingSets: [
        {
          id: 'a',
          label: 'run',
          findings: [{ code: 'STRUCT_PAGE_NEVER_INIT', severity: 'error', pages: 1 << 20, ranges }],
        },
      ],
    };
    // CPU time (test/helpers/cpu-time.ts): wall time on a shared machine is the neighbours'
    const t0 = cpuNow();
    const page = htmlPage('24 TiB', renderMemoryMap(model, 'big'));
    const ms = cpuNow() - t0;
    expect(page.match(/<svg class="strip"/g)).toHaveLength(16);
    expect(page).toContain('ranges in these pixels (aggregated)');
    expect(page.length).toBeLessThan(10 * 1024 * 1024);
    expect(ms).toBeLessThan(20000);
  });
});
