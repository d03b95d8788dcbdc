// The README's exit table, one case per row and per promise, through the CLI (src/cli/exit.ts exitCodeFor):
// 0 for a clean run; 1 for an error finding or a FAIL verdict, --fail-on; 2 for usage; 70 for a bug; 3 for input
// that is missing, unrecognised, binary, above 2^53, of an arch or page size the simulator does not model, or partly
// rejected (a note at error severity).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { captureOutput } from '../helpers/output.js';

const K = 'traces/kho-b-16g-2node';
/** The review-era kernel: kho-v3 with the deferred fix (never shipped). */
const FIX = ['--profile', 'kho-v3-deferred-fix'];
const A = 'traces/qemu/a-4g-1node';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kexec-replay-exit-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const o = captureOutput();
  const code = await run(argv, o);
  return { code, out: o.stdout, err: o.stderr };
}

/** A fresh bundle under tmp with these files (name -> text or bytes). */
function bundle(name: string, files: Record<string, string | Uint8Array>): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  for (const [f, v] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), v);
  }
  return dir;
}

describe('exit 1: findings at error severity, FAIL verdicts, --fail-on', () => {
  it('compare prints FAIL for none, lazy-tail and zone-walk: exit 1; --fail-on never: exit 0', async () => {
    // the review-era kernel; the image's own default (v7.1) has deferral off and no FAIL
    const r = await cli('compare', K, ...FIX);
    expect(r.out).toMatch(/^verdict +FAIL +ok +ok +FAIL +FAIL$/m);
    expect(r.code).toBe(1);
    expect((await cli('compare', K, ...FIX, '--json', '--fail-on', 'never')).code).toBe(0);
  });

  it('compare with every verdict ok: exit 0; --fail-on warning/info turns its warnings and infos into exit 1', async () => {
    const r = await cli('compare', K, '--deferred', 'off', '--json');
    const doc = JSON.parse(r.out) as {
      strategies: { errors: number; warnings: number; findings: { severity: string }[] }[];
    };
    expect(doc.strategies.every((s) => s.errors === 0)).toBe(true);
    expect(r.code).toBe(0);
    const severities = new Set(doc.strategies.flatMap((s) => s.findings.map((f) => f.severity)));
    const warn = await cli('compare', K, '--deferred', 'off', '--json', '--fail-on', 'warning');
    expect(warn.code).toBe(severities.has('warning') ? 1 : 0);
    const info = await cli('compare', K, '--deferred', 'off', '--json', '--fail-on', 'info');
    expect(info.code).toBe(severities.size > 0 ? 1 : 0);
  });

  it('replay --strategy none: error findings, exit 1; the merged fix: exit 0', async () => {
    expect((await cli('replay', K, ...FIX, '--strategy', 'none')).code).toBe(1);
    expect((await cli('replay', K, ...FIX, '--strategy', 'none', '--fail-on', 'never')).code).toBe(0);
    expect((await cli('replay', K, ...FIX, '--strategy', 'init-deferred-page')).code).toBe(0);
  });

  it('--fail-on takes error, warning, info or never (exit 2 otherwise)', async () => {
    const r = await cli('replay', A, '--fail-on', 'sometimes');
    expect(r.code).toBe(2);
    expect(r.err).toBe("kexec-replay: --fail-on: 'sometimes' is not one of error, warning, info, never\n");
  });
});

describe('exit 3: unreadable or invalid input', () => {
  it('an empty directory and a folder of unrelated files: nothing recognised', async () => {
    for (const dir of [
      bundle('empty', {}),
      bundle('unrelated', { 'notes.md': '# my notes\n', 'a.csv': '1,2\n' }),
    ]) {
      for (const cmd of ['parse', 'replay']) {
        const r = await cli(cmd, dir);
        expect(r.code, `${cmd} ${dir}`).toBe(3);
        expect(r.out).toBe('');
        expect(r.err).toContain(`${dir}: TRACE_ERR_NOTHING_RECOGNISED: expected at least one host file`);
      }
    }
  });

  it('a binary dmesg.txt: exit 3, with the report and one line saying the file was rejected', async () => {
    const bin = new Uint8Array(4096).map((_, i) => (i * 7919) & 0xff);
    const dir = bundle('binary-dmesg', {
      'dmesg.txt': bin,
      'zoneinfo.txt': fs.readFileSync(`${A}/zoneinfo.txt`),
    });
    const r = await cli('parse', dir);
    expect(r.code).toBe(3);
    expect(r.out).toContain('TRACE_BINARY_TEXT');
    expect(r.err).toMatch(
      /^kexec-replay: .*dmesg\.txt: offset 0x0: TRACE_BINARY_TEXT: .*\(input partly rejected/,
    );
  });

  it('an e820 address above 2^53 in the log: exit 3 for parse and replay', async () => {
    const log = fs
      .readFileSync(`${A}/dmesg.txt`, 'utf8')
      .replace(
        /BIOS-e820: \[mem 0x0000000100000000-0x[0-9a-f]+\] usable/,
        'BIOS-e820: [mem 0x0020000000000000-0x0020000000ffffff] usable',
      );
    expect(log).toContain('0x0020000000000000');
    const dir = bundle('e820-2p53', { 'dmesg.txt': log });
    for (const cmd of ['parse', 'replay']) {
      const r = await cli(cmd, dir);
      expect(r.code, cmd).toBe(3);
      expect(r.err).toMatch(/dmesg\.txt:\d+:\d+: DMESG_BAD_VALUE: expected an address below 2\^53/);
    }
  });

  it('the ARMv7 router (no file says its arch): replay exits 3 instead of using x86_64 rules; --arch supplies it', async () => {
    const dir = 'traces/public/arm32-router-jmr540-procfs';
    const r = await cli('replay', dir);
    expect(r.code).toBe(3);
    expect(r.err).toContain(
      `${dir} (arch): TRACE_ERR_ARCH_UNKNOWN: expected a bundle that says its architecture`,
    );
    const withArch = await cli('replay', dir, '--arch', 'arm64', '--json');
    expect(withArch.code, withArch.err).toBe(0);
    const doc = JSON.parse(withArch.out) as { arch: string; nodes: { zones: { name: string }[] }[] };
    expect(doc.nodes[0]!.zones.map((z) => z.name)).not.toContain('DMA32');
    // parse shows what the bundle gives without replaying: no arch is not an error there
    expect((await cli('parse', dir)).code).toBe(0);
  });

  it('a bundle that says armv7l: exit 3 TRACE_ERR_ARCH_UNSUPPORTED; --arch does not accept arm', async () => {
    const dir = bundle('armv7', {
      'uname.txt': 'Linux router 4.4.60 #1 SMP armv7l GNU/Linux\n',
      'zoneinfo.txt': fs.readFileSync('traces/public/arm32-router-jmr540-procfs/zoneinfo'),
      'iomem.txt': fs.readFileSync('traces/public/arm32-router-jmr540-procfs/iomem'),
    });
    const r = await cli('replay', dir);
    expect(r.code, r.err).toBe(3);
    expect(r.err).toContain('TRACE_ERR_ARCH_UNSUPPORTED: expected an x86_64 or arm64 trace');
    expect((await cli('replay', dir, '--arch', 'arm')).code).toBe(2);
  });

  it('a page size x86_64 does not have: exit 3 TRACE_ERR_PAGE_SIZE; --page-size 4k is the default there', async () => {
    const r = await cli('replay', A, '--page-size', '64k');
    expect(r.code).toBe(3);
    expect(r.err).toContain('TRACE_ERR_PAGE_SIZE');
    expect((await cli('replay', A, '--page-size', '4k', '--json')).code).toBe(0);
  });

  it('a path that does not exist says so, for every command', async () => {
    const missing = path.join(tmp, 'no-such-bundle');
    for (const argv of [
      ['parse', missing],
      ['inspect', missing],
      ['replay', missing],
      ['compare', missing],
      ['upgrade', missing, '--to', 'v7.3'],
      ['check', missing, '--baseline', 'traces/check-baseline.json'],
    ]) {
      const r = await cli(...argv);
      expect(r.code, argv[0]).toBe(3);
      expect(r.err).toContain('TRACE_ERR_NOT_FOUND: expected a trace bundle directory');
      expect(r.err).toContain('found no such file or directory');
      expect(r.err).not.toContain('not a directory');
    }
    // capture reads a dump, not a bundle: the same code, naming what it expected
    const c = await cli(
      'capture',
      '--from-vmcore',
      path.join(tmp, 'no-such-vmcore'),
      '--out',
      path.join(tmp, 'c'),
    );
    expect(c.code).toBe(3);
    expect(c.err).toMatch(
      /^kexec-replay: .*no-such-vmcore: TRACE_ERR_NOT_FOUND: expected a readable ELF core/,
    );
    // and a file that is not an ELF core is unreadable input, not a usage error
    const notElf = path.join(tmp, 'not-a-core');
    fs.writeFileSync(notElf, 'hello\n');
    const d = await cli('capture', '--from-vmcore', notElf, '--out', path.join(tmp, 'd'));
    expect(d.code).toBe(3);
    expect(d.err).toContain('TRACE_ERR_UNREADABLE');
  });

  it('a KHO replay whose notes hold KHO_SUBTREE_INVALID does not end with "no findings" and exit 0', async () => {
    const dir = path.join(tmp, 'bad-subtree');
    fs.cpSync(K, dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'kho/sub_fdts/kexec-metadata'), 'ga');
    const r = await cli('replay', dir, '--strategy', 'init-deferred-page');
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/^input partly rejected: 1 note at error severity \(KHO_SUBTREE_INVALID\)/m);
    expect(r.err).toMatch(/^kexec-replay: .*kexec-metadata.*KHO_SUBTREE_INVALID.*\(input partly rejected/);
    const j = await cli('compare', dir, '--json');
    expect(j.code).toBe(3);
  });
});

describe('exit 0, 2 and 70: clean, usage, a bug', () => {
  it('a clean run exits 0 (parse, replay of a real boot; check against the committed baseline)', async () => {
    expect((await cli('parse', A)).code).toBe(0);
    expect((await cli('replay', A)).code).toBe(0);
    const r = await cli('check', 'traces/qemu/b-16g-2node', '--baseline', 'traces/check-baseline.json');
    expect(r.code, r.err).toBe(0);
  });

  it('an unknown command or option, or a value not among the choices: exit 2, one line in the house style', async () => {
    for (const argv of [
      ['no-such-command'],
      ['replay', A, '--no-such-option'],
      ['replay', A, '--deferred', 'maybe'],
      ['compare', K, '--fail-on', 'fatal'],
      ['synth', '--out', path.join(tmp, 'x'), '--abi', 'kho-v9'],
      ['upgrade', K],
    ]) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err, argv.join(' ')).toMatch(/^kexec-replay: \S/);
      expect(r.err.trimEnd().split('\n'), argv.join(' ')).toHaveLength(1);
    }
  });

  it('a bug (an exception the tool did not expect) exits 70 and asks for a report', async () => {
    // an output whose writer throws stands in for a bug anywhere in a command: run() is the one place that catches
    const o = {
      ...captureOutput(),
      out: (): void => {
        throw new TypeError('writer broke');
      },
    };
    let err = '';
    o.err = (t: string): void => {
      err += t;
    };
    expect(await run(['parse', A], o)).toBe(70);
    expect(err).toContain('internal error (this is a bug in kexec-replay, not in your trace)');
    expect(err).toContain('TypeError: writer broke');
  });
});
