// The file system, seen by the rest of the CLI. Parsers receive bytes or a ByteSource, never paths.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ByteSource } from '../core/index.js';
import { TraceError, UsageError, escapeTerminalText } from '../core/index.js';
import type { LaterJson } from './json-thread.js';
import { jsonThreadAvailable, startJsonThread } from './json-thread.js';

export interface Output {
  out(text: string): void;
  /**
   * One piece of a long document (src/cli/json.ts), already escaped for the terminal (every JSON string went
   * through escapeTerminalText): resolves once stdout can take more (backpressure: the process never holds more
   * than a chunk or two of a GB-sized --json), and to false once the reader has gone (EPIPE, `... --json | head`),
   * so the writer stops. Bytes are written before it resolves (the JSON writer reuses their buffer for the next
   * chunk). Outputs without it get out() per chunk.
   */
  outChunk?(text: string | Uint8Array): Promise<boolean>;
  /**
   * A thread that writes one --json document to stdout while its later parts are still being made
   * (src/cli/json-thread.ts), or null where none can run. Outputs without it get the document from printJson().
   */
  laterJson?(): LaterJson | null;
  err(text: string): void;
  /** True when stderr is a terminal with a width, outside CI (progress only then). */
  readonly interactive: boolean;
  /** Columns to lay reports out in: stdout's terminal width, else 100. */
  readonly width?: number;
  /** Colour in reports: stdout is a terminal (or FORCE_COLOR), and NO_COLOR is not set. */
  readonly color?: boolean;
  /** stderr's terminal width now (it changes when the window is resized), for the progress line. */
  stderrColumns?(): number;
}

/** Report width when stdout is not a terminal (a file, a pipe, CI logs), or a terminal that reports no width. */
export const DEFAULT_WIDTH = 100;

/**
 * https://no-color.org: NO_COLOR set and non-empty turns colour off; FORCE_COLOR (not "0" or "false") turns it on
 * for a pipe; otherwise colour only on a terminal that is not "dumb".
 */
export function colorWanted(env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  if (env['NO_COLOR']) return false;
  const force = env['FORCE_COLOR'];
  if (force !== undefined) return force !== '0' && force !== 'false';
  return isTTY && env['TERM'] !== 'dumb';
}

// A reader that closes the pipe early (`kexec-replay compare --json b | head`) is not an error of ours:
// stop writing quietly instead of dying on an unhandled EPIPE.
let stdoutClosed = false;
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') stdoutClosed = true;
  else throw e;
});

let chunksSinceTurn = 0;

/** Resolves when stdout has taken its queue ('drain'), or can take nothing more (error, close). */
function stdoutDrained(): Promise<void> {
  const s = process.stdout;
  if (stdoutClosed || s.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      s.off('drain', done);
      s.off('error', done);
      s.off('close', done);
      resolve();
    };
    s.on('drain', done);
    s.on('error', done);
    s.on('close', done);
  });
}

// stdout carries reports that quote input (node names, subtree and session names, log lines): every control byte
// in them prints as an escape (escapeTerminalText keeps newline and tab), never acts on the terminal (issue 13).
// The tool writes no control sequence of its own to stdout; one that wants colour must add it after this escape.
// stderr is escaped where messages are made (TraceError, cutLong, formatDiagnostic), because the progress line
// writes its own \r and ESC [K there.
export const processOutput: Output = {
  out: (t) => {
    if (!stdoutClosed) process.stdout.write(escapeTerminalText(t));
  },
  outChunk: async (t) => {
    if (stdoutClosed) return false;
    if (typeof t !== 'string') {
      // bytes are the JSON writer's one reused buffer (json.ts): handed back only once the stream has written them,
      // not while they wait in its queue (a pipe whose reader is behind). Waiting per write also keeps at most one
      // chunk in flight, which is all the backpressure a slow reader needs.
      await new Promise<void>((resolve) => void process.stdout.write(t, () => resolve()));
    } else if (!process.stdout.write(t)) await stdoutDrained();
    // a write that returns true never lets the event loop run, where an EPIPE is reported: give it a turn now and
    // then (every 16 chunks) so a closed pipe stops the writer soon after
    if (++chunksSinceTurn >= 16) {
      chunksSinceTurn = 0;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return !stdoutClosed;
  },
  laterJson: () => (jsonThreadAvailable() ? startJsonThread(1) : null),
  err: (t) => void process.stderr.write(t),
  // a terminal that says it has 0 columns (`script -qc`, some serial consoles) gets no progress line: there is
  // nowhere to draw one
  interactive: Boolean(process.stderr.isTTY) && (process.stderr.columns ?? 0) > 0 && !process.env['CI'],
  get width(): number {
    const c = process.stdout.isTTY ? process.stdout.columns : 0;
    return c && c >= 40 ? c : DEFAULT_WIDTH;
  },
  color: colorWanted(process.env, Boolean(process.stdout.isTTY)),
  stderrColumns: () => process.stderr.columns ?? 0,
};

/**
 * A path the user named as input: a directory (a bundle) or, where `file` allows, one captured file. A path that
 * does not exist is the input's fault, not a misuse: exit 3 saying so.
 */
export function requireInputPath(p: string, accepts: 'dir' | 'dir-or-file'): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new TraceError({
      code: code === 'ENOENT' || code === 'ENOTDIR' ? 'TRACE_ERR_NOT_FOUND' : 'TRACE_ERR_UNREADABLE',
      location: { file: p },
      expected:
        accepts === 'dir' ? 'a trace bundle directory' : 'a trace bundle directory or a captured file',
      found: code === 'ENOENT' || code === 'ENOTDIR' ? 'no such file or directory' : (code ?? 'EIO'),
    });
  }
  if (accepts === 'dir' && !st.isDirectory()) {
    throw new TraceError({
      code: 'TRACE_ERR_NOT_A_BUNDLE',
      location: { file: p },
      expected: 'a trace bundle directory',
      found: st.isFile() ? 'a regular file' : 'not a directory',
    });
  }
}

function notFound(file: string, what: string, e: unknown): TraceError {
  const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
  return new TraceError({ code: 'TRACE_ERR_UNREADABLE', location: { file }, expected: what, found: code });
}

export function readBytes(file: string): Uint8Array {
  try {
    return new Uint8Array(fs.readFileSync(file));
  } catch (e) {
    throw notFound(file, 'a readable file', e);
  }
}

export function readText(file: string): string {
  return Buffer.from(readBytes(file)).toString('utf8');
}

export function exists(file: string): boolean {
  return fs.existsSync(file);
}

export function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function statKind(p: string): 'dir' | 'file' | 'other' {
  try {
    const st = fs.statSync(p);
    return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
  } catch {
    return 'other'; // a dangling link names nothing to read
  }
}

/** Files of a directory, recursively, as paths relative to it, sorted. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(dir, rel), { withFileTypes: true });
    } catch (e) {
      throw notFound(path.join(dir, rel), 'a readable directory', e);
    }
    for (const ent of entries) {
      const r = rel ? `${rel}/${ent.name}` : ent.name;
      // a bundle assembled with `ln -s` is as good as a copied one: follow links to what they name
      const kind = ent.isSymbolicLink()
        ? statKind(path.join(dir, r))
        : ent.isDirectory()
          ? 'dir'
          : ent.isFile()
            ? 'file'
            : 'other';
      if (kind === 'dir') walk(r);
      else if (kind === 'file') out.push(r);
    }
  };
  walk('');
  return out.sort();
}

/**
 * The first n bytes of `buf` read from `fd` at `offset`, as many as the file has (readSync until it returns 0): the
 * count read. An error of the read is the file's TRACE_ERR_UNREADABLE at the offset it failed at.
 */
function readFully(fd: number, file: string, buf: Uint8Array, offset: number, n: number): number {
  let done = 0;
  while (done < n) {
    let r: number;
    try {
      r = fs.readSync(fd, buf, done, n - done, offset + done);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
      throw new TraceError({
        code: 'TRACE_ERR_UNREADABLE',
        location: { file, offset: offset + done },
        expected: `${n - done} readable bytes`,
        found: code,
      });
    }
    if (r === 0) break;
    done += r;
  }
  return done;
}

/**
 * A ByteSource over an open file handle: reads by offset with readSync, so a core of hundreds of GiB is
 * never loaded whole. Close it with `close()` when done.
 */
export function openFileSource(file: string): ByteSource & { close(): void } {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    throw notFound(file, 'a readable file', e);
  }
  const st = fs.fstatSync(fd);
  if (!st.isFile()) {
    fs.closeSync(fd);
    throw new TraceError({
      code: 'TRACE_ERR_UNREADABLE',
      location: { file },
      expected: 'a regular file',
      found: st.isDirectory() ? 'a directory' : 'not a regular file',
    });
  }
  const size = st.size;
  return {
    name: file,
    size,
    read(offset: number, length: number): Uint8Array {
      const n = Math.max(0, Math.min(length, size - offset));
      const buf = new Uint8Array(n);
      const done = readFully(fd, file, buf, offset, n);
      return done === n ? buf : buf.subarray(0, done);
    },
    readInto(offset: number, buf: Uint8Array): number {
      return readFully(fd, file, buf, offset, Math.max(0, Math.min(buf.length, size - offset)));
    },
    close(): void {
      fs.closeSync(fd);
    },
  };
}

/** Write an output file the user named (--html, --junit, a baseline): a path we cannot write is a usage error. */
export function writeText(file: string, text: string): void {
  try {
    fs.writeFileSync(file, text);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
    throw new UsageError(`cannot write ${file}: ${code}`);
  }
}
