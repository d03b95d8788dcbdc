// The device-tree-compiler tools as test oracles: compile DTS with dtc, decode blobs with `dtc -O dts` and
// fdtdump, and read their text output back into a plain tree for comparison. Tests only (spawns processes).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FdtNode } from '../../../parsers/fdt/index.js';
import type { FdtNodeSpec } from '../../builders/fdt.js';

/** A tree reduced to what dtc's text shows: names, property bytes in order, children in order. */
export interface PlainNode {
  name: string;
  props: [string, number[]][];
  children: PlainNode[];
}

export interface PlainTree {
  reservations: [number, number][];
  root: PlainNode;
}

export function plainFromFdt(node: FdtNode): PlainNode {
  return {
    name: node.name,
    props: node.props.map((p) => [p.name, Array.from(p.value)]),
    children: node.children.map(plainFromFdt),
  };
}

export function plainFromSpec(name: string, spec: FdtNodeSpec): PlainNode {
  const list = <T>(s: Record<string, T> | [string, T][] | undefined): [string, T][] =>
    s === undefined ? [] : Array.isArray(s) ? s : Object.entries(s);
  return {
    name,
    props: list(spec.props).map(([n, v]) => [n, Array.from(v)]),
    children: list(spec.children).map(([n, c]) => plainFromSpec(n, c)),
  };
}

function run(cmd: string, args: string[], input?: Uint8Array | string): Buffer {
  const r = spawnSync(cmd, args, { input, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.toString()}`);
  return r.stdout;
}

/** `dtc -I dts -O dtb` on DTS source text; `version` passes `-V`. */
export function dtcCompile(source: string, version = 17): Uint8Array {
  return new Uint8Array(
    run('dtc', ['-q', '-I', 'dts', '-O', 'dtb', '-V', String(version), '-o', '-', '-'], source),
  );
}

/** `dtc -I dtb -O dts` on a blob. */
export function dtcDecompile(blob: Uint8Array): string {
  return run('dtc', ['-q', '-I', 'dtb', '-O', 'dts', '-o', '-', '-'], blob).toString('latin1');
}

/** `dtc -I dtb -O dtb`: dtc's own re-encoding of a blob. */
export function dtcReencode(blob: Uint8Array): Uint8Array {
  return new Uint8Array(run('dtc', ['-q', '-I', 'dtb', '-O', 'dtb', '-o', '-', '-'], blob));
}

/** fdtdump reads a file only. */
export function fdtdump(blob: Uint8Array): string {
  const dir = mkdtempSync(join(tmpdir(), 'kexec-replay-fdt-'));
  try {
    const file = join(dir, 'blob.dtb');
    writeFileSync(file, blob);
    return run('fdtdump', [file]).toString('latin1');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const ESCAPES: Record<string, number> = {
  a: 7,
  b: 8,
  t: 9,
  n: 10,
  v: 11,
  f: 12,
  r: 13,
  '\\': 92,
  '"': 34,
  "'": 39,
};

/** Bytes of a DTS property value as dtc and fdtdump print it: `"a", "b"`, `<0x1 0x2>`, `[01 02]`, mixed by commas. */
export function parseDtsValue(text: string): number[] {
  const out: number[] = [];
  let i = 0;
  const skipSpace = (): void => {
    while (i < text.length && /[\s,]/.test(text[i]!)) i++;
  };
  for (skipSpace(); i < text.length; skipSpace()) {
    const c = text[i]!;
    if (c === '"') {
      i++;
      while (text[i] !== '"') {
        if (i >= text.length) throw new Error(`unterminated string in ${text}`);
        let ch = text[i++]!;
        if (ch === '\\') {
          ch = text[i++]!;
          if (ch === 'x') {
            out.push(parseInt(text.slice(i, i + 2), 16));
            i += 2;
          } else if (/[0-7]/.test(ch)) {
            let oct = ch;
            while (oct.length < 3 && /[0-7]/.test(text[i] ?? '')) oct += text[i++];
            out.push(parseInt(oct, 8));
          } else if (ESCAPES[ch] !== undefined) {
            out.push(ESCAPES[ch]!);
          } else {
            out.push(ch.charCodeAt(0));
          }
        } else {
          out.push(ch.charCodeAt(0));
        }
      }
      i++;
      out.push(0);
    } else if (c === '<') {
      const end = text.indexOf('>', i);
      for (const cell of text
        .slice(i + 1, end)
        .trim()
        .split(/\s+/)
        .filter(Boolean)) {
        const v = Number(cell);
        out.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
      }
      i = end + 1;
    } else if (c === '[') {
      const end = text.indexOf(']', i);
      const hex = text.slice(i + 1, end).replace(/\s+/g, '');
      for (let k = 0; k < hex.length; k += 2) out.push(parseInt(hex.slice(k, k + 2), 16));
      i = end + 1;
    } else {
      throw new Error(`unexpected ${c} in value ${text}`);
    }
  }
  return out;
}

/**
 * Read the DTS text that `dtc -O dts` and fdtdump print for a blob (one node header, property or `};` per
 * line, no labels, no includes) into a PlainTree. Comment lines and fdtdump's banner are skipped.
 */
export function parseDtsText(text: string): PlainTree {
  const reservations: [number, number][] = [];
  const stack: PlainNode[] = [];
  let root: PlainNode | undefined;
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('//') || line.startsWith('****') || line === '/dts-v1/;') continue;
    const rsv = /^\/memreserve\/\s+(\S+)\s+(\S+);$/.exec(line);
    if (rsv) {
      reservations.push([Number(rsv[1]), Number(rsv[2])]);
      continue;
    }
    const open = /^(\S+) \{$/.exec(line);
    if (open) {
      const node: PlainNode = { name: open[1] === '/' && !root ? '' : open[1]!, props: [], children: [] };
      if (stack.length === 0) root = node;
      else stack[stack.length - 1]!.children.push(node);
      stack.push(node);
      continue;
    }
    if (line === '};') {
      stack.pop();
      continue;
    }
    const node = stack[stack.length - 1];
    if (!node) throw new Error(`property outside a node: ${line}`);
    const eq = line.indexOf(' = ');
    if (eq < 0) {
      node.props.push([line.replace(/;$/, ''), []]);
    } else {
      node.props.push([line.slice(0, eq), parseDtsValue(line.slice(eq + 3).replace(/;$/, ''))]);
    }
  }
  if (!root) throw new Error(`no root node in:\n${text}`);
  return { reservations, root };
}
