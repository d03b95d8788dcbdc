// page_ext_init() has a client only on some boots (mm/page_ext.c invoke_need_callbacks): the CLI decides it
// from the captured command line and config, and the replay reads section starts only then.
import { describe, expect, it } from 'vitest';
import { bootOptionsFromHost, pageExtClient } from '../../src/sim/boot-options.js';
import { replay } from '../../src/sim/index.js';
import { hostFromQemuTrace } from './host-from-trace.js';

const b16 = hostFromQemuTrace('b-16g-2node');
const withCmdline = (raw: string) => ({ ...b16, cmdline: { ...b16.cmdline!, raw } });

describe('pageExtClient', () => {
  it("Debian 6.1 in qemu: CONFIG_PAGE_EXTENSION=y but no client, as the log's missing page_ext line shows", () => {
    expect(b16.config['CONFIG_PAGE_EXTENSION']).toBe('y');
    expect(pageExtClient(b16).on).toBe(false);
  });
  it('page_owner=on and page_table_check=on are clients; page_owner=off is not', () => {
    expect(pageExtClient(withCmdline('console=ttyS0 page_owner=on')).on).toBe(true);
    expect(pageExtClient(withCmdline('page_table_check=on quiet')).on).toBe(true);
    expect(pageExtClient(withCmdline('page_owner=off')).on).toBe(false);
  });
  it('a config option that makes a client: CONFIG_PAGE_TABLE_CHECK_ENFORCED, CONFIG_MEM_ALLOC_PROFILING', () => {
    expect(
      pageExtClient({ ...b16, config: { ...b16.config, CONFIG_PAGE_TABLE_CHECK_ENFORCED: 'y' } }).on,
    ).toBe(true);
    const prof = { ...b16, config: { ...b16.config, CONFIG_MEM_ALLOC_PROFILING: 'y' } };
    expect(pageExtClient(prof).on).toBe(true);
    expect(
      pageExtClient({ ...prof, cmdline: { ...b16.cmdline!, raw: 'sysctl.vm.mem_profiling=never' } }).on,
    ).toBe(false);
  });
  it('the replay reads section starts in page_ext_init only with a client', () => {
    const reads = (pageExt: boolean) =>
      replay(b16, null, { pageExt }).events.filter((e) => e.fn === 'page_ext_init').length;
    expect(reads(bootOptionsFromHost(b16).pageExt)).toBe(0);
    expect(reads(bootOptionsFromHost(withCmdline('page_owner=on')).pageExt)).toBeGreaterThan(0);
  });
  it('CPUs per node come from the node cpulists', () => {
    expect(bootOptionsFromHost(b16).cpusPerNode).toEqual({ 0: 1, 1: 1 });
  });
});
