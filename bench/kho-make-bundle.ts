// Writes the generated KHO bundles under traces/ (run once; re-run to regenerate, output is deterministic):
//   npm run build && node dist/bench/kho-make-bundle.js [traces-dir]
// traces/kho-b-16g-2node: the real host files of traces/qemu/b-16g-2node plus a generated kho-v3 image placed in
// that host's usable RAM; traces/kho-era-{v1-512,v1-page,v2,v3}: small images of each era on the same layout;
// traces/kho-review-b-16g-2node: the same host files plus a kho-v1 image with one block per review-thread verdict.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { KhoAbi, KhoBitmapFormat } from '../parsers/kho/index.js';
import type { KhoImageSpec } from '../test/builders/kho-image.js';
import { buildKhoImage, khoBundleFiles } from '../test/builders/kho-image.js';
import { b16gReviewScenario, b16gScenario } from './kho-scenario.js';

function writeFiles(dir: string, files: Map<string, Uint8Array>): void {
  for (const [rel, bytes] of files) {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, bytes);
  }
}

/** Write a whole bundle: the `kho/` files of the image, optional host files copied in, and a README. */
export function writeKhoBundle(
  dir: string,
  spec:
    { abi: KhoAbi; bitmapFormat?: KhoBitmapFormat; blocks: number; seed: number } | { image: KhoImageSpec },
  readme: string,
  hostDir?: string,
): { blocks: number; files: number } {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  let copied = 0;
  if (hostDir) {
    for (const f of fs.readdirSync(hostDir)) {
      fs.copyFileSync(path.join(hostDir, f), path.join(dir, f));
      copied++;
    }
  }
  const img = buildKhoImage('image' in spec ? spec.image : b16gScenario(spec));
  const files = khoBundleFiles(img);
  writeFiles(dir, files);
  fs.writeFileSync(path.join(dir, 'README.md'), readme);
  return { blocks: img.blocks.length, files: files.size + copied + 1 };
}

const REGEN = 'npm run build && node dist/bench/kho-make-bundle.js';

function readmeFor(name: string, what: string, host: boolean): string {
  return `# ${name}

${what}

**The KHO part is generated, not captured.** \`kho/fdt\`, \`kho/sub_fdts/*\`, \`kho/scratch_phys\`,
\`kho/scratch_len\` and \`kho/memory.core\` were written by kexec-replay's own image builder
(\`test/builders/kho-image.ts\`, scenario in \`bench/kho-scenario.ts\`), following the kernel's encodings as
described in the project's KHO ABI notes. No kernel produced these bytes. The image is placed in the usable RAM
of the real qemu host \`traces/qemu/b-16g-2node\` (16 GiB, two NUMA nodes: node 0 below 0x280000000, node 1
above; the kernel image at 0x1ac600000-0x1afa10fff is avoided)${host ? ', whose real files are copied here unchanged' : ''}.
The Debian 6.1 kernel of that host has no KHO; the image stands for what a KHO-capable kernel on the same
machine would hand over.

\`kho/memory.core\` is an ELF64 core holding only the pages reachable from the root FDT: the memory-map pages
(chunks and bitmaps, or radix nodes), the subtree blobs and the vmalloc pages of the kho_test-like subtree.

Regenerate (deterministic) from the repository root: \`${REGEN}\`
`;
}

const REVIEW_README = `# kho-review-b-16g-2node

A trace bundle for \`kexec-replay compare\` that shows every verdict of the KHO deferred-init review thread
("[PATCH] kho: add support for deferred struct page init") on one real host. Run it with deferral forced on (the
6.18 profile that follows the image forbids KHO with deferred struct page init in Kconfig, which is the question
the thread argues):

    kexec-replay compare traces/kho-review-b-16g-2node --deferred on

The image is kho-v1 with page-sized bitmaps (Linux 6.18: its kho_preserve_pages() does not split at NUMA node
boundaries, so one preserved piece can straddle them). Blocks, in 4 KiB pfns (\`bench/kho-scenario.ts\`
B16G_REVIEW_BLOCKS):

| pfn, order | where | shows |
|---|---|---|
| 0x10000/9, 0x20003/0 | DMA32, below first_deferred_pfn | init-page-from-nid initialises them twice |
| 0x104000/9, 0x106001/0 | node 0 Normal, below first_deferred_pfn 0x108000 | the same |
| 0x150000/9, 0x300000/10, 0x3ff003/0 | deferred part of node 0 and node 1 | none never initialises them |
| 0x150400/10 | deferred, two pageblocks | lazy-tail and zone-walk leave the tail 0x150600 for set_zone_contiguous() |
| 0x200000/20 | 8..12 GiB, across the node 0/1 boundary 0x280000 | init-deferred-page gives [0x280000, 0x300000) node 0; 4 GiB int shift overflow; order above MAX_PAGE_ORDER for 6.18's restore |
| 0x180200/9 | inside the global scratch area [0x180000, 0x190000) | preserved memory in scratch |

Also expected, for every strategy: the crossing piece covers node 0's last 43 pages, which the captured cold boot
reserved (\`KHO_OVERLAPS_RESERVED\`, a warning), and the scratch areas in the deferred part are set up by
memmap_init_kho_scratch_pages() and again by deferred init (\`STRUCT_PAGE_DOUBLE_INIT\` in deferred_init_pages, a
warning).

**The KHO part is generated, not captured.** \`kho/fdt\`, \`kho/scratch_phys\`, \`kho/scratch_len\` and
\`kho/memory.core\` were written by kexec-replay's own image builder (\`test/builders/kho-image.ts\`), following the
kernel's encodings as described in the project's KHO ABI notes. No kernel produced these bytes. The image is placed
in the RAM of the real qemu host \`traces/qemu/b-16g-2node\` (16 GiB, two NUMA nodes: node 0 below 0x280000000,
node 1 above; the kernel image at 0x1ac600000-0x1afa10fff is avoided), whose real files are copied here unchanged.
Scratch is laid out as a cold boot of that host could have placed it (lowmem 64 MiB at 64 MiB, global 256 MiB at
6 GiB, node 0 256 MiB above it, node 1 256 MiB at 16 GiB), clear of the node-crossing piece except for the one
block put in it on purpose. \`kho/memory.core\` is an ELF64 core holding only the chunk and bitmap pages.

Regenerate (deterministic) from the repository root: \`${REGEN}\`
`;

function main(): void {
  const traces = process.argv[2] ?? 'traces';
  const host = path.join(traces, 'qemu', 'b-16g-2node');
  const out: string[] = [];
  const main = writeKhoBundle(
    path.join(traces, 'kho-b-16g-2node'),
    { abi: 'kho-v3', blocks: 4000, seed: 0x6b686f },
    readmeFor(
      'kho-b-16g-2node',
      'A trace bundle for `kexec-replay inspect` and `replay`: a kho-v3 (radix tree, blob sizes) handover image with about 4,000 preserved blocks of orders 0 to 14, a memblock `reserve_mem` subtree, a lib/test_kho.c-like subtree with its vmalloc folios_info, kexec-metadata, and cold-boot scratch areas.',
      true,
    ),
    host,
  );
  out.push(`kho-b-16g-2node: ${main.blocks} blocks, ${main.files} files`);
  const eras: [string, KhoAbi, KhoBitmapFormat | undefined, string][] = [
    ['kho-era-v1-512', 'kho-v1', '512', 'kho-v1 with 512-byte bitmaps (Linux 6.16, 6.17).'],
    ['kho-era-v1-page', 'kho-v1', 'page', 'kho-v1 with page-sized bitmaps (Linux 6.18, 6.19).'],
    [
      'kho-era-v2',
      'kho-v2',
      undefined,
      'kho-v2: the first radix-tree format (`preserved-data` subtree pointers).',
    ],
    [
      'kho-era-v3',
      'kho-v3',
      undefined,
      'kho-v3: radix tree with `blob-size` and the kexec-metadata subtree.',
    ],
  ];
  for (const [name, abi, bitmapFormat, what] of eras) {
    const r = writeKhoBundle(
      path.join(traces, name),
      { abi, ...(bitmapFormat ? { bitmapFormat } : {}), blocks: 150, seed: 7 },
      readmeFor(name, `A small ${what} Only the \`kho/\` files and this README; no host files.`, false),
    );
    out.push(`${name}: ${r.blocks} blocks, ${r.files} files`);
  }
  const review = writeKhoBundle(
    path.join(traces, 'kho-review-b-16g-2node'),
    { image: b16gReviewScenario() },
    REVIEW_README,
    host,
  );
  out.push(`kho-review-b-16g-2node: ${review.blocks} blocks, ${review.files} files`);
  process.stdout.write(out.join('\n') + '\n');
}

main();
