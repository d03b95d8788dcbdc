// The one writer of `capture --out`: every file lands inside the output directory, and no path component under it
// may be a symbolic link (a link planted in the output folder cannot send a root-run capture's bytes elsewhere).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../../core/index.js';

export class OutDir {
  readonly root: string;
  readonly written: { rel: string; bytes: number }[] = [];

  /** Create (or reuse, with `force`) `dir`; a symlink as the directory itself, or a non-empty one, is refused. */
  constructor(dir: string, force: boolean) {
    const abs = path.resolve(dir);
    let st: fs.Stats | null = null;
    try {
      st = fs.lstatSync(abs);
    } catch {
      st = null;
    }
    if (st?.isSymbolicLink()) throw new UsageError(`--out ${dir} is a symbolic link; give a real directory`);
    if (st && !st.isDirectory()) throw new UsageError(`--out ${dir} exists and is not a directory`);
    if (st && fs.readdirSync(abs).length && !force)
      throw new UsageError(`--out ${dir} exists and is not empty (use --force to write into it)`);
    fs.mkdirSync(abs, { recursive: true });
    this.root = fs.realpathSync(abs);
  }

  /** The absolute path of `rel`, after checking it stays inside and that no existing component is a link. */
  private resolve(rel: string): string {
    if (path.isAbsolute(rel) || rel.split(/[\\/]/).some((p) => p === '..' || p === ''))
      throw new Error(`capture: refusing to write ${JSON.stringify(rel)} (not a plain relative path)`);
    const parts = rel.split('/');
    let cur = this.root;
    for (let i = 0; i < parts.length; i++) {
      cur = path.join(cur, parts[i]!);
      let st: fs.Stats | null = null;
      try {
        st = fs.lstatSync(cur);
      } catch {
        st = null;
      }
      if (st?.isSymbolicLink())
        throw new UsageError(`${cur} is a symbolic link inside --out; capture never follows links out of it`);
      if (!st && i < parts.length - 1) fs.mkdirSync(cur);
    }
    return cur;
  }

  write(rel: string, bytes: Uint8Array | string): void {
    const p = this.resolve(rel);
    const data = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
    // O_NOFOLLOW: a link created between the check and the open is refused by the kernel
    const fd = fs.openSync(
      p,
      fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_NOFOLLOW,
      0o644,
    );
    try {
      fs.writeSync(fd, data, 0, data.length);
    } finally {
      fs.closeSync(fd);
    }
    this.written.push({ rel, bytes: data.length });
  }

  /** Open `rel` for streaming writes (an ELF core); the caller closes the fd and reports the size. */
  openForWrite(rel: string): number {
    const p = this.resolve(rel);
    return fs.openSync(
      p,
      fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_NOFOLLOW,
      0o644,
    );
  }

  recorded(rel: string, bytes: number): void {
    this.written.push({ rel, bytes });
  }
}
