// /proc/iomem: one resource per line, `<2 spaces per depth><start>-<end> : <name>`, from kernel/resource.c
// r_show() (6.1). Addresses are lower-case hex without 0x, inclusive end, zero-padded to 8 digits at least.
import type { Diagnostic } from '../../src/core/index.js';
import { DiagnosticSink, TraceError } from '../../src/core/index.js';
import { IOMEM_LINE, IOMEM_MAX_LEVEL } from './patterns.js';

export interface IomemResource {
  /** [start, end) in bytes: the printed inclusive end plus one. */
  readonly start: number;
  readonly end: number;
  readonly name: string;
  /** Nesting depth: 0 for top-level resources (indent / 2). */
  readonly depth: number;
  /** 1-based line in the file. */
  readonly line: number;
  readonly children: IomemResource[];
}

export interface IomemMap {
  /** Top-level resources in file order, each with its children. Empty when the addresses were zeroed. */
  readonly roots: readonly IomemResource[];
  /** Every resource in file order (depth-first, as printed). */
  readonly all: readonly IomemResource[];
  /** True when every line printed `00000000-00000000`: read without CAP_SYS_ADMIN, so no address is usable. */
  readonly zeroed: boolean;
  readonly totalLines: number;
  readonly parsedLines: number;
  readonly unknownLines: number;
  readonly diagnostics: readonly Diagnostic[];
}

interface Mutable {
  start: number;
  end: number;
  name: string;
  depth: number;
  line: number;
  children: Mutable[];
}

function hexAt(text: string, file: string, line: number, column: number, field: string): number {
  const v = parseInt(text, 16);
  if (!Number.isSafeInteger(v) || v + 1 > Number.MAX_SAFE_INTEGER) {
    throw new TraceError({
      code: 'IOMEM_ERR_ADDRESS',
      location: { file, line, column, field },
      expected: 'an address below 2^53',
      found: text,
    });
  }
  return v;
}

/** Parse the text of /proc/iomem. Unknown lines become IOMEM_UNKNOWN_LINE diagnostics; bad ranges throw. */
export function parseIomem(text: string, file: string): IomemMap {
  const sink = new DiagnosticSink();
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const roots: Mutable[] = [];
  const all: Mutable[] = [];
  // stack[d] is the most recent resource at depth d: a line at depth d + 1 is its child.
  const stack: Mutable[] = [];
  let parsed = 0;
  let unknown = 0;
  let nonZero = 0;
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = lines[i]!;
    const m = IOMEM_LINE.exec(raw);
    if (!m) {
      if (raw.trim() === '') {
        parsed++; // a blank line (trailing or from a copy) carries nothing
        continue;
      }
      unknown++;
      sink.warn('IOMEM_UNKNOWN_LINE', `not an iomem resource line: ${JSON.stringify(raw.slice(0, 80))}`, {
        file,
        line: lineNo,
        column: 1,
      });
      continue;
    }
    const indent = m[1]!.length;
    const startText = m[2]!;
    const endText = m[3]!;
    const start = hexAt(startText, file, lineNo, indent + 1, 'start');
    const endIncl = hexAt(endText, file, lineNo, indent + startText.length + 2, 'end');
    if (endIncl < start) {
      throw new TraceError({
        code: 'IOMEM_ERR_RANGE',
        location: { file, line: lineNo, column: indent + 1 },
        expected: 'start <= end',
        found: `${startText}-${endText}`,
      });
    }
    if (start !== 0 || endIncl !== 0) nonZero++;
    if (indent % 2 !== 0) {
      sink.warn(
        'IOMEM_ODD_INDENT',
        `indent of ${indent} spaces is not a multiple of 2; nesting taken as ${indent >> 1}`,
        {
          file,
          line: lineNo,
          column: 1,
        },
      );
    }
    let depth = indent >> 1;
    if (depth > stack.length) {
      sink.warn('IOMEM_BAD_NESTING', `depth ${depth} below a resource of depth ${stack.length - 1}`, {
        file,
        line: lineNo,
        column: 1,
      });
      depth = stack.length;
    }
    if (depth > IOMEM_MAX_LEVEL) {
      // r_show() never descends further; a deeper line was edited or comes from another tool.
      sink.warn('IOMEM_TOO_DEEP', `depth ${depth} exceeds the kernel's MAX_IORES_LEVEL ${IOMEM_MAX_LEVEL}`, {
        file,
        line: lineNo,
        column: 1,
      });
    }
    const r: Mutable = { start, end: endIncl + 1, name: m[4]!, depth, line: lineNo, children: [] };
    stack.length = depth;
    const parent = depth > 0 ? stack[depth - 1] : undefined;
    if (parent) {
      if ((r.start < parent.start || r.end > parent.end) && nonZero > 0) {
        sink.warn(
          'IOMEM_CHILD_OUTSIDE_PARENT',
          `${r.name} is not inside its parent ${parent.name} (line ${parent.line})`,
          {
            file,
            line: lineNo,
            column: indent + 1,
          },
        );
      }
      parent.children.push(r);
    } else roots.push(r);
    stack.push(r);
    all.push(r);
    parsed++;
  }
  const zeroed = all.length > 0 && nonZero === 0;
  if (zeroed) {
    sink.warn(
      'IOMEM_ZEROED',
      `all ${all.length} resources read 00000000-00000000: /proc/iomem was read without CAP_SYS_ADMIN; capture it as root`,
      { file },
    );
  }
  return {
    roots: zeroed ? [] : roots,
    all: zeroed ? [] : all,
    zeroed,
    totalLines: lines.length,
    parsedLines: parsed,
    unknownLines: unknown,
    diagnostics: sink.items,
  };
}
