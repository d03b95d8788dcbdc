import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isEnabled, parseKconfig } from '../../../parsers/kconfig/index.js';

describe('parseKconfig', () => {
  it('the Debian 6.1 config excerpt: every line understood, not-set options are n', () => {
    const c = parseKconfig(
      readFileSync('traces/qemu/b-16g-2node/kernel-config-excerpt.txt', 'utf8'),
      'config',
    );
    expect([c.totalLines, c.parsedLines, c.unknownLines]).toEqual([60, 60, 0]);
    expect(c.options['CONFIG_DEFERRED_STRUCT_PAGE_INIT']).toBe('y');
    expect(c.options['CONFIG_NODES_SHIFT']).toBe('10');
    expect(c.options['CONFIG_CMA']).toBe('n');
    expect(c.options['CONFIG_PHYSICAL_START']).toBe('0x1000000');
    expect(isEnabled(c, 'CONFIG_SPARSEMEM_VMEMMAP')).toBe(true);
    expect(isEnabled(c, 'CONFIG_KASAN')).toBe(false);
  });

  it('strings keep their quotes; redefinitions and stray lines are diagnostics', () => {
    const c = parseKconfig(
      'CONFIG_LOCALVERSION="-kho"\nCONFIG_NUMA=y\nCONFIG_NUMA=n\nCONFIG_BROKEN\n\u0000\u0001\n',
      'c',
    );
    expect(c.options['CONFIG_LOCALVERSION']).toBe('"-kho"');
    expect(c.options['CONFIG_NUMA']).toBe('n');
    expect(c.diagnostics.map((d) => [d.code, d.location?.line])).toEqual([
      ['KCONFIG_REDEFINED', 3],
      ['KCONFIG_UNKNOWN_LINE', 4],
      ['KCONFIG_UNKNOWN_LINE', 5],
    ]);
  });
});
