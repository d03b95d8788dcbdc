// `upgrade` checks the LUO and memfd versions of the decoded image (parsers/kho decodeLuo, KhoImage.luo) against
// kernel B's, on the real v7.3-rc7 capture C: struct luo_ser "luo-v5" with 77 "memfd-v2" files. B refuses a LUO
// version it does not know (linux v7.3-rc7 kernel/liveupdate/luo_core.c luo_early_startup: "LUO state is
// incompatible") and a file whose handler compatible no handler claims (luo_file.c luo_file_deserialize): the
// sessions are lost, LUO_VERSION_REJECTED. Every kho-v4 profile reads luo-v5 and memfd-v2, so the writer's version is
// changed in a copy of the real bytes, as a kernel A writing luo-v6 (or memfd-v3) would have written them.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { loadKhoImage } from '../../src/cli/load-kho.js';
import { bytesSource } from '../../src/core/index.js';
import { openElfCore } from '../../parsers/elf-core/index.js';
import { captureOutput } from '../helpers/output.js';

const C = 'traces/real-kho-c-8g-2node-luo-memfd';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kexec-replay-upgrade-luo-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface VersionDoc {
  present: boolean;
  image: string[];
  accepts: string | null;
  accepted: boolean | null;
}
interface UpgradeDoc {
  accepted: boolean;
  luo: VersionDoc;
  memfd: VersionDoc;
  findings: { code: string; severity: string; fn: string; pages: number; ranges: [number, number][] }[];
}

async function upgrade(dir: string, ...argv: string[]): Promise<{ code: number; doc: UpgradeDoc }> {
  const o = captureOutput();
  const code = await run(['upgrade', dir, '--json', ...argv], o);
  return { code, doc: JSON.parse(o.stdout) as UpgradeDoc };
}

/** A copy of capture C whose memory.core (and debugfs-like sub_fdts copy) has `bytes` written at `phys`. */
function patched(name: string, phys: number, bytes: Uint8Array): string {
  const dir = path.join(tmp, name);
  fs.cpSync(C, dir, { recursive: true });
  const coreFile = path.join(dir, 'kho/memory.core');
  const core = new Uint8Array(fs.readFileSync(coreFile));
  const off = openElfCore(bytesSource(coreFile, core)).fileOffsetOf(phys);
  if (off === null) throw new Error(`phys 0x${phys.toString(16)} is not in the core`);
  core.set(bytes, off);
  fs.chmodSync(coreFile, 0o644);
  fs.writeFileSync(coreFile, core);
  return dir;
}

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('upgrade: the LUO and memfd versions of the real capture C (image.luo from the decoder)', () => {
  const image = loadKhoImage(C).image;
  const luoPhys = image.subtrees.find((s) => s.name === 'LUO')!.phys;

  it('v7.3 -> v7.3: luo-v5 and memfd-v2 read from the real bytes, both accepted, exit 0', async () => {
    const { code, doc } = await upgrade(C, '--to', 'v7.3');
    expect(code).toBe(0);
    expect(doc.luo).toEqual({ present: true, image: ['luo-v5'], accepts: 'luo-v5', accepted: true });
    expect(doc.memfd).toEqual({ present: true, image: ['memfd-v2'], accepts: 'memfd-v2', accepted: true });
    expect(doc.findings.map((f) => f.code)).not.toContain('LUO_VERSION_REJECTED');
  });

  it('a kernel A writing luo-v6 into the same struct luo_ser: v7.3 rejects its LUO state, exit 1', async () => {
    const dir = patched('luo-v6', luoPhys, ascii('luo-v6'));
    // the sub_fdts copy too (a copy that differs from memory would be reported stale and memory's used)
    const subFile = path.join(dir, 'kho/sub_fdts/LUO');
    const sub = new Uint8Array(fs.readFileSync(subFile));
    sub.set(ascii('luo-v6'));
    fs.chmodSync(subFile, 0o644);
    fs.writeFileSync(subFile, sub);
    const { code, doc } = await upgrade(dir, '--to', 'v7.3');
    expect(code).toBe(1);
    expect(doc.accepted).toBe(true);
    expect(doc.luo).toEqual({ present: true, image: ['luo-v6'], accepts: 'luo-v5', accepted: false });
    // an unknown LUO version: its sessions are not followed, so no memfd is listed
    expect(doc.memfd.present).toBe(false);
    const f = doc.findings.filter((x) => x.code === 'LUO_VERSION_REJECTED');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'error', pages: 1 });
  });

  it('a file whose handler is memfd-v3: v7.3 has no handler for it, LUO_VERSION_REJECTED, exit 1', async () => {
    const first = image.luo!.sessionRecords![0]!.fileBlocks[0]!.phys;
    // the first struct luo_file_ser of the first session's first file block: char compatible[48] after the header
    const dir = patched('memfd-v3', first + 16, ascii('memfd-v3'));
    const { code, doc } = await upgrade(dir, '--to', 'v7.3');
    expect(code).toBe(1);
    expect(doc.luo.accepted).toBe(true);
    expect(doc.memfd).toEqual({
      present: true,
      image: ['memfd-v2', 'memfd-v3'],
      accepts: 'memfd-v2',
      accepted: false,
    });
    expect(doc.findings.filter((x) => x.code === 'LUO_VERSION_REJECTED')).toHaveLength(1);
  });
});
