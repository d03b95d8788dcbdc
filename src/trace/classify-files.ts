// Finding a bundle's files: by the names users copy them under, and by content when they were renamed.
// Pure: the CLI hands over { relativePath -> bytes | text }.

export type BundleInput = Readonly<Record<string, Uint8Array | string>>;

/** What a file of a bundle is. `other` kinds are recognised but carry nothing the host model reads. */
export type FileKind =
  | 'trace-json'
  | 'dmesg'
  | 'iomem'
  | 'zoneinfo'
  | 'buddyinfo'
  | 'pagetypeinfo'
  | 'cmdline'
  | 'kconfig'
  | 'uname'
  | 'proc-version'
  | 'memblock-memory'
  | 'memblock-reserved'
  | 'memblock-physmem'
  | 'node-meminfo'
  | 'node-cpulist'
  | 'node-distance'
  | 'node-memory-blocks'
  | 'node-numastat'
  | 'node-states'
  | 'memory-block-table'
  | 'firmware-memmap'
  | 'cpuinfo'
  | 'kho'
  | 'other'
  | 'binary'
  | 'unknown';

export interface ClassifiedFile {
  readonly path: string;
  readonly kind: FileKind;
  /** 'name' when the path said what it is, 'content' when sniffed. */
  readonly by: 'name' | 'content' | 'none';
  /** Node id for node-* kinds (from the name or the content). */
  readonly nid?: number;
  /** Lower is preferred when several files have the same kind (dmesg.txt before serial-console.txt). */
  readonly rank: number;
}

interface NameRule {
  readonly re: RegExp;
  readonly kind: FileKind;
  readonly rank?: number;
}

// Matched against the base name without a trailing `.txt`, lower case. Node files take their nid from group 1.
const NAME_RULES: readonly NameRule[] = [
  { re: /^trace\.json$/, kind: 'trace-json' },
  { re: /^dmesg$/, kind: 'dmesg', rank: 0 },
  { re: /^dmesg[-_.]?(excerpt|boot|log)?$/, kind: 'dmesg', rank: 1 },
  { re: /^(journal|journalctl|kern\.log|kernel\.log|boot\.log)$/, kind: 'dmesg', rank: 2 },
  { re: /^console[-_]?log$/, kind: 'dmesg', rank: 3 },
  { re: /^dmesg[-_]raw$/, kind: 'dmesg', rank: 4 },
  { re: /^serial[-_]console$/, kind: 'dmesg', rank: 5 },
  // lines cut mechanically out of dmesg.txt by the capture tooling: a fallback when dmesg itself is missing
  { re: /^memblock-(debug-calls|dump)-from-dmesg$/, kind: 'dmesg', rank: 8 },
  { re: /^iomem([-_.].*)?$/, kind: 'iomem' },
  { re: /^zoneinfo$/, kind: 'zoneinfo' },
  { re: /^buddyinfo$/, kind: 'buddyinfo' },
  { re: /^pagetypeinfo$/, kind: 'pagetypeinfo' },
  { re: /^cmdline$/, kind: 'cmdline' },
  { re: /^(config|\.config|config-.*|kernel-config.*|kconfig)$/, kind: 'kconfig' },
  { re: /^uname$/, kind: 'uname' },
  { re: /^(version|proc-version)$/, kind: 'proc-version' },
  { re: /^memblock[-_/]memory$/, kind: 'memblock-memory' },
  { re: /^memblock[-_/]reserved$/, kind: 'memblock-reserved' },
  { re: /^memblock[-_/]physmem$/, kind: 'memblock-physmem' },
  { re: /^node(\d+)[-_/]meminfo$/, kind: 'node-meminfo' },
  { re: /^node(\d+)[-_/]cpulist$/, kind: 'node-cpulist' },
  { re: /^node(\d+)[-_/]distance$/, kind: 'node-distance' },
  { re: /^node(\d+)[-_/]memory[-_]blocks$/, kind: 'node-memory-blocks' },
  { re: /^node(\d+)[-_/]numastat$/, kind: 'node-numastat' },
  { re: /^nodes$/, kind: 'node-states' },
  { re: /^memory[-_]blocks$/, kind: 'memory-block-table' },
  { re: /^firmware[-_]memmap$/, kind: 'firmware-memmap' },
  { re: /^cpuinfo$/, kind: 'cpuinfo' },
  // known, not read by the host model: provenance, capture bookkeeping, other /proc files
  {
    re: /^(source|readme.*|index\.md|qemu-cmd|capture-markers|absent-files|meminfo|vmstat|vm-sysctls|kexec-load|.*\.dts|.*\.md)$/,
    kind: 'other',
  },
];

function nameKey(path: string): string {
  // node/node0/meminfo and memblock/memory keep their folder as part of the name
  const parts = path.toLowerCase().split('/');
  const base = parts[parts.length - 1]!.replace(/\.txt$/, '');
  const dir = parts.length > 1 ? parts[parts.length - 2]! : '';
  if (dir === 'memblock' || /^node\d+$/.test(dir)) return `${dir}/${base}`;
  return base;
}

/** True when the bytes look like text (no NUL, few control bytes): sniffing reads only text. */
export function looksLikeText(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 8192);
  let ctl = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b === 0) return false;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x1b) ctl++;
  }
  return ctl * 32 <= n;
}

/** Classify by content: the first few KiB of a renamed file. */
export function sniffKind(head: string): { kind: FileKind; nid?: number } {
  let m: RegExpExecArray | null;
  if (/^Node \d+, zone +\S+ *\n {2}(pages free|per-node stats)/m.test(head)) return { kind: 'zoneinfo' };
  if (/^Page block order: \d+ *$/m.test(head)) return { kind: 'pagetypeinfo' };
  if (/^Node \d+, zone +\S+( +\d+)+ *$/m.test(head)) return { kind: 'buddyinfo' };
  if ((m = /^Node (\d+) MemTotal: /m.exec(head))) return { kind: 'node-meminfo', nid: Number(m[1]) };
  if (/^ *[0-9a-f]{8,}-[0-9a-f]{8,} : (System RAM|Reserved|reserved|Soft Reserved|CXL Window)/m.test(head)) {
    return { kind: 'iomem' };
  }
  if (
    /Linux version \d|BIOS-e820: \[mem |Kernel command line: |Zone ranges:|MEMBLOCK configuration:|memblock_(add|reserve)|deferred pages initialised/.test(
      head,
    )
  ) {
    return { kind: 'dmesg' };
  }
  if (/^(CONFIG_[A-Z0-9_]+=|# CONFIG_[A-Z0-9_]+ is not set)/m.test(head)) return { kind: 'kconfig' };
  if (/^block_size_bytes [0-9a-f]+$/m.test(head)) return { kind: 'memory-block-table' };
  if (/^possible: [\d,-]*$/m.test(head) && /^online: /m.test(head)) return { kind: 'node-states' };
  if (/^\s*\d+: 0x[0-9a-f]{16}\.\.0x[0-9a-f]{16}/m.test(head)) return { kind: 'memblock-memory' };
  if (/^Linux \S+ \d+\.\d+\S* #/.test(head)) return { kind: 'uname' };
  if (/^[^\n]*\b(root|console|BOOT_IMAGE|rdinit|init)=\S+[^\n]*\n?$/.test(head)) return { kind: 'cmdline' };
  return { kind: 'unknown' };
}

function headText(v: Uint8Array | string): string | null {
  if (typeof v === 'string') return v.slice(0, 8192);
  if (!looksLikeText(v)) return null;
  return new TextDecoder('utf-8', { fatal: false }).decode(v.subarray(0, 8192));
}

export function classifyFile(path: string, value: Uint8Array | string): ClassifiedFile {
  const lower = path.toLowerCase();
  if (/(^|\/)kho\//.test(lower)) return { path, kind: 'kho', by: 'name', rank: 0 };
  const key = nameKey(path);
  for (const rule of NAME_RULES) {
    const m = rule.re.exec(key);
    if (m) {
      const nid = m[1] !== undefined && rule.kind.startsWith('node-') ? Number(m[1]) : undefined;
      return {
        path,
        kind: rule.kind,
        by: 'name',
        rank: rule.rank ?? 0,
        ...(nid !== undefined ? { nid } : {}),
      };
    }
  }
  const head = headText(value);
  if (head === null) return { path, kind: 'binary', by: 'content', rank: 9 };
  const s = sniffKind(head);
  // a sniffed file ranks after every named one of its kind
  return {
    path,
    kind: s.kind,
    by: s.kind === 'unknown' ? 'none' : 'content',
    rank: 10,
    ...(s.nid !== undefined ? { nid: s.nid } : {}),
  };
}
