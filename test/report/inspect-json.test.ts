// inspect --json's preserved rows and owner summary, built from runs of one owner (inspectToJson), against a
// block-by-block reference: each row's owner, session and token from its block's (kind, ref), the summary from
// ownerSummary() and the per-order totals from preservedByOrder(). On the real LUO/memfd capture and on the same
// image with owner columns redrawn at random in runs (short and long, every kind, refs past the tables).
import { describe, expect, it } from 'vitest';
import { loadKhoImage } from '../../src/cli/load-kho.js';
import { KHO_OWNER, ownerName, ownerSummary } from '../../parsers/kho/owners.js';
import type { KhoImage } from '../../parsers/kho/types.js';
import { inspectToJson, preservedByOrder } from '../../src/report/inspect-json.js';
import { prng } from '../helpers/prng.js';

/** Each block's row as the document's contract says, one block at a time. */
function referenceRows(img: KhoImage): Record<string, unknown>[] {
  const sessions = img.luo?.sessionRecords ?? [];
  const files = img.luo?.files ?? [];
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < img.preserved.count; i++) {
    const k = img.owners.kind[i]!;
    const r = img.owners.ref[i]!;
    const row: Record<string, unknown> = {
      phys: img.preserved.phys[i],
      order: img.preserved.order[i],
      owner: ownerName(img, k, r),
    };
    let file = -1;
    if (k === KHO_OWNER.LUO_FILE_BLOCK) {
      if (sessions[r]) row['session'] = sessions[r].name;
    } else if (k === KHO_OWNER.MEMFD_FOLIO || k === KHO_OWNER.MEMFD_SER) file = r;
    else if (k === KHO_OWNER.VMALLOC_CHUNK || k === KHO_OWNER.VMALLOC_DATA)
      file = files.findIndex((f) => f.memfd?.vmalloc === r);
    const f = files[file];
    if (f) {
      row['session'] = sessions[f.session]?.name ?? '?';
      row['token'] = f.token;
    }
    rows.push(row);
  }
  return rows;
}

function expectAsReference(img: KhoImage): void {
  const doc = inspectToJson(img, 'b', []);
  expect(JSON.parse(JSON.stringify(doc.kho.preserved))).toEqual(referenceRows(img));
  expect(doc.kho.owners).toEqual(ownerSummary(img));
  expect(doc.kho.totals.byOrder).toEqual(preservedByOrder(img));
}

describe('inspectToJson: rows and owners from runs of one owner', () => {
  const { image } = loadKhoImage('traces/real-kho-c-8g-2node-luo-memfd');

  it('the real LUO/memfd capture (11 owner kinds, 77 files): every row as the block-by-block reference', () => {
    expectAsReference(image);
  });

  it('owner columns redrawn in runs of 1 to 300 blocks, every kind, refs -1 to past the tables', () => {
    const r = prng(5);
    const kinds = Object.values(KHO_OWNER);
    for (let t = 0; t < 8; t++) {
      const n = image.preserved.count;
      const kind = new Uint8Array(n);
      const ref = new Int32Array(n);
      let k = 0;
      let rf = -1;
      for (let i = 0; i < n;) {
        const len = 1 + Math.floor(r() < 0.5 ? r() * 3 : r() * 300);
        // the next run: the same kind with another ref, the same ref with another kind, or both new
        const change = r();
        if (change >= 0.3) k = kinds[Math.floor(r() * kinds.length)]!;
        if (change < 0.3 || change >= 0.6) rf = Math.floor(r() * 90) - 1;
        kind.fill(k, i, i + len);
        ref.fill(rf, i, i + len);
        i += len;
      }
      expectAsReference({ ...image, owners: { kind, ref, unattributed: 0 } });
    }
  });
});
