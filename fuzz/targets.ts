// What the fuzzer feeds and how it judges the result (issue 13). Each input must parse, end in a TraceError with
// a code and a location, or end in counted diagnostics; anything else thrown is a crash. Seeds are the real files
// under traces/ (malformed/ excluded: they are broken already).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TraceError, bytesSource, DiagnosticSink } from '../src/core/index.js';
import type { Diagnostic } from '../src/core/index.js';
import { parseFdt } from '../parsers/fdt/index.js';
import { openElfCore } from '../parsers/elf-core/index.js';
import { decodeKhoImage } from '../parsers/kho/index.js';
import { loadBundle } from '../src/trace/index.js';

export type Format = 'fdt' | 'elf' | 'kho' | `text:${string}`;

export interface Seed {
  readonly format: Format;
  /** Path under traces/ (the mutated file). */
  readonly file: string;
  /** kho: the bundle directory whose kho/fdt, kho/memory.core and kho/sub_fdts/* make the image. */
  readonly bundle?: string;
  /** kho: which of the image's files the edits apply to. */
  readonly part?: 'core' | 'fdt';
}

export type Outcome =
  | { readonly kind: 'parsed' }
  | { readonly kind: 'diagnostics'; readonly n: number }
  | {
      readonly kind: 'trace-error';
      readonly code: string;
      readonly located: boolean;
      readonly message: string;
    }
  | { readonly kind: 'crash'; readonly message: string }
  | { readonly kind: 'hang' };

/** The text files the host loader reads, by the name a bundle gives them. */
export const TEXT_KINDS = [
  'dmesg.txt',
  'iomem.txt',
  'zoneinfo.txt',
  'buddyinfo.txt',
  'pagetypeinfo.txt',
  'firmware-memmap.txt',
  'cmdline.txt',
  'memblock-memory.txt',
  'node0-meminfo.txt',
  'nodes.txt',
  'memory-blocks.txt',
  'kernel-config-excerpt.txt',
] as const;

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'malformed' ? [] : walk(p);
    return [p];
  });
}

/** Seeds from traces/: every FDT blob, every small core, every KHO bundle, the host text files by kind. */
export function findSeeds(root = 'traces', maxCoreBytes = 20 * 1024 * 1024): Seed[] {
  const files = walk(root).sort();
  const seeds: Seed[] = [];
  for (const f of files) {
    const rel = f.split(path.sep).join('/');
    if (/\/kho\/(fdt|sub_fdts\/[^/]+)$/.test(rel)) seeds.push({ format: 'fdt', file: f });
    if (/\/kho\/memory\.core$/.test(rel) && fs.statSync(f).size <= 1024 * 1024)
      seeds.push({ format: 'elf', file: f });
    if (/\/kho\/memory\.core$/.test(rel) && fs.statSync(f).size <= maxCoreBytes) {
      const bundle = path.dirname(path.dirname(f));
      if (fs.existsSync(path.join(bundle, 'kho', 'fdt'))) {
        seeds.push({ format: 'kho', file: f, bundle, part: 'core' });
        seeds.push({ format: 'kho', file: path.join(bundle, 'kho', 'fdt'), bundle, part: 'fdt' });
      }
    }
    const base = path.basename(f);
    for (const kind of TEXT_KINDS) {
      if (base === kind || (kind === 'node0-meminfo.txt' && /^node\d+-meminfo\.txt$/.test(base))) {
        if (fs.statSync(f).size <= 2 * 1024 * 1024) seeds.push({ format: `text:${kind}`, file: f });
      }
    }
  }
  return seeds;
}

/** The image files of a KHO bundle other than the mutated one. */
export function khoParts(bundle: string): {
  fdt: Uint8Array;
  core: Uint8Array;
  subs: Map<string, Uint8Array>;
} {
  const subs = new Map<string, Uint8Array>();
  const subDir = path.join(bundle, 'kho', 'sub_fdts');
  if (fs.existsSync(subDir))
    for (const n of fs.readdirSync(subDir).sort())
      subs.set(n, new Uint8Array(fs.readFileSync(path.join(subDir, n))));
  return {
    fdt: new Uint8Array(fs.readFileSync(path.join(bundle, 'kho', 'fdt'))),
    core: new Uint8Array(fs.readFileSync(path.join(bundle, 'kho', 'memory.core'))),
    subs,
  };
}

function diagCount(ds: readonly Diagnostic[]): number {
  let n = 0;
  for (const d of ds) n += d.count ?? 1;
  return n;
}

/** Run one input. Throws nothing: every result is an Outcome. */
export function runTarget(
  format: Format,
  input: Uint8Array,
  ctx: {
    name: string;
    kho?: { fdt: Uint8Array; core: Uint8Array; subs: Map<string, Uint8Array>; part: 'core' | 'fdt' };
  },
): Outcome {
  try {
    let diags: readonly Diagnostic[] = [];
    if (format === 'fdt') {
      const sink = new DiagnosticSink();
      parseFdt(input, ctx.name, sink);
      diags = sink.items;
    } else if (format === 'elf') {
      const core = openElfCore(bytesSource(ctx.name, input));
      for (const s of core.segments.slice(0, 16)) {
        const n = Math.min(4096, s.memSize);
        if (core.hasPhys(s.paddr, n)) core.readPhys(s.paddr, n, 'fuzz');
      }
      diags = core.diagnostics;
    } else if (format === 'kho') {
      const k = ctx.kho!;
      const fdtBytes = k.part === 'fdt' ? input : k.fdt;
      const coreBytes = k.part === 'core' ? input : k.core;
      const sink = new DiagnosticSink();
      const root = parseFdt(fdtBytes, 'kho/fdt', sink);
      const mem = openElfCore(bytesSource('kho/memory.core', coreBytes));
      const subBlobs = new Map([...k.subs].map(([n, b]) => [n, { file: `kho/sub_fdts/${n}`, bytes: b }]));
      const image = decodeKhoImage({
        root: root.root,
        rootFile: 'kho/fdt',
        mem,
        subBlobs,
        readFdt: (bytes, file) => parseFdt(bytes, file, sink),
      });
      // What inspect --json does with the result: every block serialised (the "Invalid string length" class).
      JSON.stringify({ n: image.preserved.count, d: image.diagnostics.length });
      diags = [...sink.items, ...image.diagnostics];
    } else {
      const name = format.slice('text:'.length);
      const text = new TextDecoder('utf-8').decode(input);
      const host = loadBundle({ [name]: text }, { displayRoot: 'fuzz' });
      diags = host.diagnostics;
    }
    const n = diagCount(diags);
    return n > 0 ? { kind: 'diagnostics', n } : { kind: 'parsed' };
  } catch (e) {
    if (e instanceof TraceError) {
      const l = e.location;
      const located =
        Boolean(l.file) && (l.offset !== undefined || l.line !== undefined || l.field !== undefined);
      return { kind: 'trace-error', code: e.code, located, message: e.message.slice(0, 300) };
    }
    const msg =
      e instanceof Error
        ? `${e.name}: ${e.message}\n${(e.stack ?? '').split('\n').slice(1, 4).join('\n')}`
        : String(e);
    return { kind: 'crash', message: msg.slice(0, 600) };
  }
}
