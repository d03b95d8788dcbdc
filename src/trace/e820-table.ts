// The e820 table after the kernel's own printed edits: arch/x86/kernel/e820.c __e820__range_update() and
// e820__range_remove() (linux v4.18; the same in v7.3-rc7), then e820__update_table()'s merge of adjacent entries of
// one type. Used where a kernel rule reads e820_table itself (v4.18 e820__memblock_setup, kernel-eras.ts).
import type { E820Edit, E820Entry } from '../../parsers/dmesg/index.js';

/** The entries of `table` with [edit.start, edit.end) of type edit.fromType changed (update) or dropped (remove). */
function applyEdit(table: readonly E820Entry[], edit: E820Edit): E820Entry[] {
  const out: E820Entry[] = [];
  for (const e of table) {
    if (e.type !== edit.fromType || e.end <= edit.start || e.start >= edit.end) {
      out.push(e);
      continue;
    }
    if (e.start < edit.start) out.push({ start: e.start, end: edit.start, type: e.type });
    const s = Math.max(e.start, edit.start);
    const t = Math.min(e.end, edit.end);
    if (edit.op === 'update' && edit.toType !== null) out.push({ start: s, end: t, type: edit.toType });
    if (e.end > edit.end) out.push({ start: edit.end, end: e.end, type: e.type });
  }
  return out;
}

/** e820__update_table(): sorted by address, adjacent entries of one type merged. */
function sanitize(table: readonly E820Entry[]): E820Entry[] {
  const sorted = [...table].sort((a, b) => a.start - b.start || a.end - b.end);
  const out: E820Entry[] = [];
  for (const e of sorted) {
    const last = out[out.length - 1];
    if (last && last.type === e.type && last.end === e.start) out[out.length - 1] = { ...last, end: e.end };
    else out.push({ start: e.start, end: e.end, type: e.type });
  }
  return out;
}

/** The table after every edit, in the order printed (an edit already in a later printed map changes nothing). */
export function e820AfterEdits(table: readonly E820Entry[], edits: readonly E820Edit[]): E820Entry[] {
  let t = sanitize(table);
  for (const ed of edits) t = sanitize(applyEdit(t, ed));
  return t;
}
