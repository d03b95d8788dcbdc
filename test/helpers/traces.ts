// Test helper: the real captures under traces/, read the way the CLI hands them to loadBundle()
// (relative path -> bytes). One place for the list of qemu traces and for walking a bundle directory.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Repository root's traces/ folder. */
export const TRACES_ROOT = new URL('../../traces/', import.meta.url).pathname;

/** Every real qemu capture, with the kexec stages as their own entries. */
export const QEMU_TRACES = [
  'a-4g-1node',
  'b-16g-2node',
  'd-16g-2node-kernelcore',
  'e-128g-2node',
  'e2-128g-2node-quietconsole',
  'e2-128g-2node-quietconsole-run2',
  'e2-128g-2node-quietconsole-run3',
  'f-16g-2node-kexec/stage1-cold-boot',
  'f-16g-2node-kexec/stage2-after-kexec',
  'g-8g-2node-uefi',
] as const;

/** Relative paths of every file below `dir`, sorted ('kho/fdt', 'dmesg.txt', ...). */
export function listBundleFiles(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const ent of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${ent.name}` : ent.name;
    if (ent.isDirectory()) out.push(...listBundleFiles(dir, r));
    else out.push(r);
  }
  return out.sort();
}

/** A bundle directory as loadBundle() takes it: relative path -> bytes. */
export function readBundleFiles(dir: string): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  for (const rel of listBundleFiles(dir)) files[rel] = new Uint8Array(fs.readFileSync(path.join(dir, rel)));
  return files;
}

/** One file of a capture under traces/, as text: readTraceText('qemu/b-16g-2node', 'dmesg.txt'). */
export function readTraceText(trace: string, file: string): string {
  return fs.readFileSync(path.join(TRACES_ROOT, trace, file), 'utf8');
}

const NOTES = /^(README|SOURCE|INDEX)(\.|$)|\.md$/i;

/**
 * Every bundle under `dir` (default traces/): a folder holding a file other than notes, or a kho/fdt. kho/ folders
 * and the deliberately broken inputs of traces/malformed/ are not walked. Paths relative to the repository root
 * when `dir` is. Enumerated, not listed, so that bundles which land later are covered.
 */
export function traceBundles(dir = 'traces'): string[] {
  const out: string[] = [];
  const entries = fs.readdirSync(dir, { withFileTypes: true });
  if (entries.some((e) => e.isFile() && !NOTES.test(e.name)) || fs.existsSync(path.join(dir, 'kho/fdt')))
    out.push(dir);
  for (const e of entries)
    if (e.isDirectory() && e.name !== 'kho' && e.name !== 'malformed')
      out.push(...traceBundles(path.join(dir, e.name)));
  return out;
}
