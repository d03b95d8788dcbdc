// renderTable(): the one layout of every text table (cli-table3, no borders, two spaces between columns).
import { describe, expect, it } from 'vitest';
import { renderTable } from '../../src/report/table.js';

const ROWS = [
  ['phase', 'initialised', 'still uninit'],
  ['memblock_free_all', '13,416', '3,591,064'],
  ['STRUCT_PAGE_DOUBLE_INIT (warning) on a long line of prose', '196,096', '0'],
];

describe('renderTable', () => {
  it('at its natural width: columns two spaces apart, numbers right-aligned, no trailing spaces', () => {
    const lines = renderTable(ROWS.slice(0, 2));
    expect(lines).toEqual([
      'phase              initialised  still uninit',
      'memblock_free_all       13,416     3,591,064',
    ]);
  });

  it('too wide: headings break at spaces and hyphens first, then the prose column wraps; every line fits', () => {
    const lines = renderTable(ROWS, { width: 44 });
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(44);
    expect(lines.join('\n')).toMatch(/still\n?.*\n?.*uninit/);
    // nothing is cut: every word of every cell is still there, in order
    const text = lines.join(' ').replace(/\s+/g, ' ');
    for (const w of ['memblock_free_all', '13,416', '3,591,064', 'warning', '196,096'])
      expect(text).toContain(w);
  });

  it('a word longer than the prose column is split across lines, never cut short with an ellipsis', () => {
    const lines = renderTable(
      [
        ['code', 'pages'],
        ['STRUCT_PAGE_DOUBLE_INIT', '1'],
      ],
      { width: 20 },
    );
    expect(lines.join('\n')).not.toContain('…');
    expect(lines.map((l) => l.split(/ {2,}/)[0]).join('')).toContain('STRUCT_PAGE_DOUBLE_INIT');
  });
});
