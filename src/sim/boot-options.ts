// What a captured host says about boot behaviour the replay cannot see directly: the deferred-init thread
// count per node and whether page_ext_init() has a client. The CLI puts these in the replay Scenario
// (src/cli/scenario.ts withHostBoot).
import type { HostTrace } from '../trace/host-trace.js';

export interface HostBootOptions {
  /** CPUs per node from node sysfs cpulists, for the padata thread count of deferred init; absent when unknown. */
  readonly cpusPerNode?: Readonly<Record<number, number>>;
  /** page_ext_init() walks the struct pages at each section start (it has a client on this boot). */
  readonly pageExt: boolean;
  /** Why, in a sentence, with the evidence. */
  readonly pageExtReason: string;
}

/** CPUs per node, summed over the node's cpulist ranges. */
export function cpusPerNodeOf(host: HostTrace): Record<number, number> | undefined {
  if (!host.nodes || host.nodes.length === 0) return undefined;
  const out: Record<number, number> = {};
  for (const n of host.nodes) if (n.cpus) out[n.nid] = n.cpus.reduce((s, r) => s + r.last - r.first + 1, 0);
  return Object.keys(out).length ? out : undefined;
}

function cmdlineHas(host: HostTrace, re: RegExp): boolean {
  return host.cmdline ? re.test(` ${host.cmdline.raw} `) : false;
}

const enabled = (host: HostTrace, opt: string): boolean => host.config[opt] === 'y';
// `# CONFIG_X is not set` reads as 'n'; an option absent from a config excerpt is unknown, not off
const disabled = (host: HostTrace, opt: string): boolean => host.config[opt] === 'n';

/**
 * page_ext_init() returns at once unless a page_ext client needs memory (invoke_need_callbacks(), mm/page_ext.c
 * v6.1 and later), and then it reads no struct page. Clients: page_owner (`page_owner=on`, mm/page_owner.c),
 * page_table_check (`page_table_check=on` or CONFIG_PAGE_TABLE_CHECK_ENFORCED, mm/page_table_check.c),
 * page_idle on 32-bit (CONFIG_PAGE_IDLE_FLAG on a 32-bit arch), and from v6.10 memory allocation profiling
 * (CONFIG_MEM_ALLOC_PROFILING, lib/alloc_tag.c, unless `sysctl.vm.mem_profiling=never`). Debian's 6.1 boots in
 * traces/qemu have CONFIG_PAGE_EXTENSION=y but none of these, and print no `allocated N bytes of page_ext`.
 */
export function pageExtClient(host: HostTrace): { on: boolean; reason: string } {
  if (cmdlineHas(host, /\spage_owner=on\s/) && !disabled(host, 'CONFIG_PAGE_OWNER'))
    return { on: true, reason: 'page_owner=on on the command line (page_owner is a page_ext client)' };
  if (cmdlineHas(host, /\spage_table_check=on\s/) && !disabled(host, 'CONFIG_PAGE_TABLE_CHECK'))
    return { on: true, reason: 'page_table_check=on on the command line (a page_ext client)' };
  if (enabled(host, 'CONFIG_PAGE_TABLE_CHECK_ENFORCED'))
    return {
      on: true,
      reason: 'CONFIG_PAGE_TABLE_CHECK_ENFORCED=y (page_table_check is always a page_ext client)',
    };
  if (enabled(host, 'CONFIG_MEM_ALLOC_PROFILING') && !cmdlineHas(host, /\ssysctl\.vm\.mem_profiling=never\s/))
    return { on: true, reason: 'CONFIG_MEM_ALLOC_PROFILING=y (allocation tagging is a page_ext client)' };
  if (enabled(host, 'CONFIG_PAGE_IDLE_FLAG') && host.arch === 'arm')
    return { on: true, reason: 'CONFIG_PAGE_IDLE_FLAG on a 32-bit kernel (page_idle is a page_ext client)' };
  return {
    on: false,
    reason:
      'no page_ext client on the command line or in the config, so page_ext_init() returns before reading struct pages',
  };
}

export function bootOptionsFromHost(host: HostTrace): HostBootOptions {
  const cpus = cpusPerNodeOf(host);
  const pe = pageExtClient(host);
  return { ...(cpus ? { cpusPerNode: cpus } : {}), pageExt: pe.on, pageExtReason: pe.reason };
}
