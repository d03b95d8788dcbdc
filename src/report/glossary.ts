// The short source labels of the KHO spec (K616, KR3, KD1, H619, ...), which profiles and strategies cite, in
// words: what each one is, and the tree and commit it was read from. A text report that shows a label ends with
// the legend of the labels it showed (labelLegend), and `kexec-replay --help` prints them all.

export const SOURCE_LABELS = {
  K616: 'kernel/kexec_handover.c as released in v6.16: first KHO, 512-byte bitmaps (gregkh/linux 8f4abe676eaa)',
  K618: 'kernel/kexec_handover.c as released in v6.18: page-sized bitmaps, KHO_PAGE_MAGIC (torvalds/linux a4a508df2aa3)',
  K619: 'kernel/liveupdate/kexec_handover.c as released in v6.19: LUO era (torvalds/linux dd03dd60e8cd)',
  H619: 'include/linux/kho/abi/kexec_handover.h, the first ABI header, "kho-v1" (torvalds/linux c17ee635fd3a)',
  KR1: 'kernel/liveupdate/kexec_handover.c, first radix-tree version, "kho-v2" (torvalds/linux 3f2ad90060f6)',
  KR2: 'kernel/liveupdate/kexec_handover.c, radix tree without finalize (torvalds/linux 019fc3687237)',
  KR3: 'kernel/liveupdate/kexec_handover.c with blob-size, kexec-metadata and NUMA-split preservation (torvalds/linux 40735a683bf8)',
  H3: 'include/linux/kho/abi/kexec_handover.h of "kho-v3" (openSUSE/kernel 42897b76de43)',
  KD1: '"kho: make preserved pages compatible with deferred struct page init", the merged fix (openSUSE/kernel c6073743d0c7)',
  KD2: '"kho: fix deferred initialization of scratch areas", the scratch fix (openSUSE/kernel bf480c613346)',
} as const satisfies Record<string, string>;

/** Any source label as a whole word (a literal alternation: linear time). */
export const SOURCE_LABEL_PATTERN = new RegExp(`\\b(${Object.keys(SOURCE_LABELS).join('|')})\\b`, 'g');

/** The labels a text shows, in the order of SOURCE_LABELS, as legend lines (none when it shows none). */
export function labelLegend(text: string): string[] {
  const seen = new Set([...text.matchAll(SOURCE_LABEL_PATTERN)].map((m) => m[1]!));
  if (seen.size === 0) return [];
  return [
    'source labels:',
    ...Object.entries(SOURCE_LABELS)
      .filter(([k]) => seen.has(k))
      .map(([k, v]) => `  ${k}: ${v}`),
  ];
}

/** Every label, for --help. */
export function allLabels(): string[] {
  return Object.entries(SOURCE_LABELS).map(([k, v]) => `  ${k}: ${v}`);
}
