// The --html reports of replay, compare and check in a real headless Chromium (Debian's chromium, installed by
// .ci/run), one browser for every page: each bundle of traces/ that replays (the bundles of
// traces/check-baseline.json) loads with no console error, has one SVG strip per node, and every number the page
// ties to the --json document (data-json / data-value) equals that document's, in its shown text too.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { parseBaseline } from '../../src/check/baseline.js';
import type { MapModel } from '../../src/report/html-map.js';
import { renderMemoryMap } from '../../src/report/html-map.js';
import { htmlPage } from '../../src/report/html.js';
import { captureOutput } from '../helpers/output.js';

const CHROMIUM = '/usr/bin/chromium';
const BASELINE = 'traces/check-baseline.json';
const baseline = parseBaseline(fs.readFileSync(BASELINE, 'utf8'), BASELINE);
const BUNDLES = [...new Set(baseline.runs.map((r) => r.bundle))];
const KHO = BUNDLES.filter((b) => fs.existsSync(path.join('traces', b, 'kho', 'fdt')));

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kexec-replay-html-'));

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const o = captureOutput();
  const code = await run(args, o);
  return { code, out: o.stdout, err: o.stderr };
}

/** The value at a dotted path of a JSON document (`nodes.0.startPfn`, `strategies.2.pagesByCode.X`). */
function at(doc: unknown, p: string): unknown {
  let v: unknown = doc;
  for (const k of p.split('.')) v = (v as Record<string, unknown> | undefined)?.[k];
  return v;
}

/** A shown number: hex, or decimal with thousands separators; with its precision (half its last digit). */
function shownNumber(text: string): { v: number; tol: number } | null {
  const t = text.trim();
  if (/^0x[0-9a-f]+$/.test(t)) return { v: parseInt(t, 16), tol: 0 };
  const m = /^-?[\d,]+(\.(\d+))?$/.exec(t);
  if (!m) return null;
  return { v: Number(t.replace(/,/g, '')), tol: m[2] ? 0.5 * 10 ** -m[2].length + 1e-9 : 0 };
}

let ctx: BrowserContext;
let page: Page;
const problems: string[] = [];

async function open(file: string): Promise<void> {
  problems.length = 0;
  await page.goto(`file://${path.resolve(file)}`, { waitUntil: 'load' });
}

/** Every data-json cell against the document: the exact value, and the text shown to its precision. */
async function expectNumbersMatch(doc: unknown, what: string): Promise<number> {
  const cells = await page.$$eval('[data-json]', (els) =>
    els.map((e) => [e.getAttribute('data-json')!, e.getAttribute('data-value')!, e.textContent ?? '']),
  );
  for (const [p, value, text] of cells) {
    const want = at(doc, p!);
    expect(want, `${what}: ${p} is not in the JSON`).not.toBeUndefined();
    expect(value, `${what}: ${p}`).toBe(String(want));
    const shown = shownNumber(text!);
    if (shown && typeof want === 'number')
      expect(Math.abs(shown.v - want), `${what}: ${p} shows ${text}`).toBeLessThanOrEqual(shown.tol);
  }
  return cells.length;
}

describe.skipIf(!fs.existsSync(CHROMIUM))('HTML reports in headless Chromium', () => {
  beforeAll(async () => {
    ctx = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1300, height: 900 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await ctx.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) problems.push(`request: ${r.url()}`);
    });
  }, 60_000);
  afterAll(async () => {
    await ctx?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('replay --html of every bundle renders: no console error, one strip per node, numbers = replay --json', async () => {
    expect(BUNDLES.length).toBeGreaterThan(20);
    for (const b of BUNDLES) {
      const dir = path.join('traces', b);
      const file = path.join(tmp, `${b.replace(/\//g, '_')}.html`);
      // one replay prints the JSON and writes the page: the two come from the same run
      const json = await cli(['replay', dir, '--json', '--html', file]);
      expect(json.code, `${b}: ${json.err}`).toBeLessThan(2);
      const doc = JSON.parse(json.out) as { nodes: unknown[]; findings: unknown[] };
      await open(file);
      expect(problems, b).toEqual([]);
      expect(await page.locator('svg.strip').count(), b).toBe(doc.nodes.length);
      expect(await page.locator('tr.finding').count(), b).toBe(doc.findings.length);
      expect(await expectNumbersMatch(doc, b)).toBeGreaterThan(5 * doc.nodes.length);
    }
  }, 120_000);

  it('compare --html: the strategies x findings table and costs = compare --json; the finding switch works', async () => {
    for (const b of KHO) {
      const dir = path.join('traces', b);
      const file = path.join(tmp, `compare-${b}.html`);
      const json = await cli(['compare', dir, '--deferred', 'on', '--json', '--html', file]);
      expect(json.code, json.err).toBeLessThan(2);
      const doc = JSON.parse(json.out) as { strategies: { name: string; errors: number }[] };
      await open(file);
      expect(problems, b).toEqual([]);
      expect(await expectNumbersMatch(doc, b)).toBeGreaterThan(4 * doc.strategies.length);
      const verdicts = await page.locator('td.verdict').allTextContents();
      expect(verdicts, b).toEqual(
        doc.strategies.map((s) => (s.errors ? 'FAIL' : expect.stringMatching(/^ok/))),
      );
      // switching the overlay to the last strategy shows its finding rows, hides the first's
      const last = doc.strategies.at(-1)!.name;
      await page.selectOption('select.fsel', last);
      expect(await page.locator(`g.fset[data-set="${last}"]`).first().isVisible()).toBe(true);
    }
  }, 60_000);

  it('hover shows the range as the kernel prints it and its pfns; click keeps it; a screenshot is written', async () => {
    const file = path.join(tmp, 'review.html');
    await cli(['compare', 'traces/kho-review-b-16g-2node', '--deferred', 'on', '--html', file]);
    await open(file);
    const zone = page.locator('svg.strip[data-nid="1"] rect.zone').first();
    await zone.hover();
    const tip = await page.locator('#tip').textContent();
    expect(tip).toContain('zone Normal (node 1)');
    expect(tip).toContain('[mem 0x0000000280000000-0x000000047fffffff]');
    expect(tip).toContain('pfn 0x280000-0x47ffff (2,097,152 pages)');
    await zone.click();
    expect(await page.locator('.map .info').first().textContent()).toBe(tip);
    const png = path.join(tmp, 'review.png');
    await page.screenshot({ path: png, fullPage: true });
    expect(fs.statSync(png).size).toBeGreaterThan(20_000);
    // the README's picture: the strategies x findings table and the map, top of the page
    if (process.env['KEXEC_REPLAY_WRITE_DOCS_PNG']) {
      await page.mouse.move(0, 0);
      await page.evaluate('window.scrollTo(0, 0)');
      const box = await page.locator('.map').first().boundingBox();
      await page.screenshot({
        path: 'docs/report/review-compare.png',
        clip: { x: 0, y: 0, width: 1300, height: Math.ceil(box!.y + box!.height + 8) },
        fullPage: true,
      });
    }
  }, 30_000);

  it('check --html: every run against the committed baseline, its numbers = check --json', async () => {
    const file = path.join(tmp, 'check.html');
    const dirs = BUNDLES.map((b) => path.join('traces', b));
    const json = await cli(['check', ...dirs, '--baseline', BASELINE, '--json', '--html', file]);
    expect(json.code, json.err).toBe(0);
    await open(file);
    expect(problems).toEqual([]);
    expect(await page.locator('tr.run').count()).toBe(baseline.runs.length);
    expect(await page.locator('.map').count()).toBe(BUNDLES.length);
    await expectNumbersMatch(JSON.parse(json.out), 'check');
    expect(await page.locator('#verdict').textContent()).toBe('passed');
  }, 60_000);

  it('a 24 TiB, 16-node, 8M-block map opens in seconds', async () => {
    const nodes = 16;
    const perNode = 1.5 * 1024 * 262144;
    const blocks = 8 * 1024 * 1024;
    const start = new Float64Array(blocks);
    const end = new Float64Array(blocks);
    const owner = new Uint8Array(blocks);
    for (let i = 0; i < blocks; i++) {
      start[i] = Math.floor((i * nodes * perNode) / blocks);
      end[i] = start[i]! + 1 + (i % 4) * 8;
      owner[i] = i % 3;
    }
    const model: MapModel = {
      pageShift: 12,
      nodes: Array.from({ length: nodes }, (_, i) => ({
        nid: i,
        startPfn: i * perNode,
        endPfn: (i + 1) * perNode,
        firstDeferredPfn: i * perNode + 262144,
        zones: [{ name: 'Normal', startPfn: i * perNode, endPfn: (i + 1) * perNode }],
        memRanges: [{ start: i * perNode, end: (i + 1) * perNode }],
      })),
      reserved: [],
      scratch: [],
      blocks: { count: blocks, start, end, owner, owners: ['folio', 'pages', 'vmalloc'] },
      findingSets: [],
    };
    const file = path.join(tmp, 'big.html');
    fs.writeFileSync(file, htmlPage('24 TiB', renderMemoryMap(model, 'big')));
    expect(fs.statSync(file).size).toBeLessThan(10 * 1024 * 1024);
    const t0 = performance.now();
    await open(file);
    const ms = performance.now() - t0;
    expect(problems).toEqual([]);
    expect(await page.locator('svg.strip').count()).toBe(16);
    expect(ms).toBeLessThan(5000);
  }, 60_000);
});
