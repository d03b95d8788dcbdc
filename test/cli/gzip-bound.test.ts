// A gzipped host file is bounded like any host text file before it is sized (issue 13): a small .gz that expands
// past MAX_TEXT_BYTES (256 MiB) is rejected as TRACE_ERR_GZIP at the file, not inflated into memory.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { captureOutput } from '../helpers/output.js';

describe('gzip output bound', () => {
  it('a 257 MiB dmesg.txt.gz of newlines (about 250 KiB on disk) is refused with TRACE_ERR_GZIP', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kexec-replay-gz-'));
    try {
      const gz = gzipSync(new Uint8Array(257 * 1024 * 1024).fill(10), { level: 1 });
      expect(gz.length).toBeLessThan(2 * 1024 * 1024);
      fs.writeFileSync(path.join(dir, 'dmesg.txt.gz'), gz);
      const o = captureOutput();
      expect(await run(['parse', dir], o)).toBe(3);
      expect(o.stderr).toMatch(
        /dmesg\.txt\.gz: offset 0x0: TRACE_ERR_GZIP: expected a gzip stream, found .*larger than/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
