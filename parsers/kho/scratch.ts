// Scratch areas and the handover's entry points, in the forms a user has them: debugfs scratch_phys/scratch_len
// (kernel/kexec_handover.c kho_out_debugfs / kexec_handover_debugfs.c, "0x%llx\n" per area), the x86 setup_data
// payload struct kho_data (SETUP_KEXEC_KHO), the DT /chosen linux,kho-fdt and linux,kho-scratch properties
// (drivers/of/fdt.c early_init_dt_check_kho), and the struct kho_scratch array itself. Spec sections 2.1, 2.2, 8.1.
import type { DiagnosticSink, PhysMemory } from '../../src/core/index.js';
import { TraceError, hex } from '../../src/core/index.js';
import { parseStruct, u64FromHalves } from '../_shared/index.js';
import { KHO_BOUNDS, KHO_DATA_SIZE, KHO_SCRATCH_ENTRY_SIZE } from './constants.js';
import type { FdtNode } from '../fdt/index.js';
import { findNode, getProp } from '../fdt/index.js';
import { cellsToNumber, propU32Cell } from './fdt-view.js';
import type { KhoData } from './layout.js';
import { khoData } from './layout.js';
import type { KhoEndian } from './phys-read.js';
import { dumpEndianness, readPhysChecked, u64At, viewOf } from './phys-read.js';
import type { KhoScratchArea } from './types.js';

const HEX_LINE = /^0x([0-9a-fA-F]{1,16})$/;

/**
 * Parse one debugfs file of `0x%llx` lines into numbers; errors carry line:column. The kernel ends every line with
 * a newline, so a missing one means a cut copy: a KHO_SCRATCH_TRUNCATED warning (the last value may be short).
 */
export function parseHexLines(text: string, file: string, diags?: DiagnosticSink): number[] {
  const out: number[] = [];
  const lines = text.split('\n');
  if (text.length > 0 && !text.endsWith('\n')) {
    diags?.warn('KHO_SCRATCH_TRUNCATED', 'the last line has no newline: the file may be cut short', {
      file,
      line: lines.length,
      column: lines[lines.length - 1]!.length + 1,
    });
  }
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '');
    const trimmed = raw.trim();
    const col = raw.indexOf(trimmed) + 1;
    const m = HEX_LINE.exec(trimmed);
    if (!m) {
      throw new TraceError({
        code: 'KHO_ERR_SCRATCH_SYNTAX',
        location: { file, line: i + 1, column: trimmed === '' ? 1 : col },
        expected: 'one 0x%llx value per line',
        found: trimmed === '' ? 'an empty line' : JSON.stringify(trimmed.slice(0, 40)),
      });
    }
    const v = Number.parseInt(m[1]!, 16);
    if (!Number.isSafeInteger(v)) {
      throw new TraceError({
        code: 'KHO_ERR_RANGE',
        location: { file, line: i + 1, column: col },
        expected: 'a value below 2^53',
        found: trimmed,
      });
    }
    if (out.length >= KHO_BOUNDS.MAX_SCRATCH) {
      throw new TraceError({
        code: 'KHO_ERR_BADCOUNT',
        location: { file, line: i + 1, column: 1 },
        expected: `at most ${KHO_BOUNDS.MAX_SCRATCH} scratch areas`,
        found: 'more lines',
      });
    }
    out.push(v);
  }
  return out;
}

/** The debugfs pair `scratch_phys` + `scratch_len` (one line per area, same order). */
export function parseScratchFiles(
  physText: string,
  physFile: string,
  lenText: string,
  lenFile: string,
  diags?: DiagnosticSink,
): KhoScratchArea[] {
  const phys = parseHexLines(physText, physFile, diags);
  const lens = parseHexLines(lenText, lenFile, diags);
  if (phys.length !== lens.length) {
    const shorter = phys.length < lens.length ? physFile : lenFile;
    throw new TraceError({
      code: 'KHO_ERR_SCRATCH_COUNT',
      location: { file: shorter, line: Math.min(phys.length, lens.length) + 1, column: 1 },
      expected: `as many lines as the other file (${Math.max(phys.length, lens.length)})`,
      found: `${Math.min(phys.length, lens.length)} lines`,
    });
  }
  const out = phys.map((p, i) => ({ phys: p, sizeBytes: lens[i]! }));
  checkScratch(out, physFile, diags);
  return out;
}

function checkScratch(areas: readonly KhoScratchArea[], file: string, diags?: DiagnosticSink): void {
  if (!diags) return;
  const sorted = [...areas].sort((a, b) => a.phys - b.phys);
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!;
    const b = sorted[i]!;
    if (a.phys + a.sizeBytes > b.phys) {
      diags.warn('KHO_SCRATCH_OVERLAP', `scratch areas at ${hex(a.phys)} and ${hex(b.phys)} overlap`, {
        file,
      });
    }
  }
  const empty = areas.filter((a) => a.sizeBytes === 0).length;
  if (empty > 0) diags.info('KHO_SCRATCH_EMPTY', `${empty} scratch area(s) have size 0`, { file });
}

/** The handover's entry: where the root FDT and the scratch array are (physical addresses, sizes in bytes). */
export interface KhoEntry {
  readonly fdtPhys: number;
  readonly fdtSize: number;
  readonly scratchPhys: number;
  readonly scratchSize: number;
}

/** x86 `struct kho_data` (setup_data payload, 32 bytes packed, little endian) at `offset` of `bytes`. */
export function decodeKhoData(bytes: Uint8Array, file: string, offset = 0): KhoEntry {
  const d = parseStruct<KhoData>(khoData, bytes, offset, KHO_DATA_SIZE, {
    file,
    field: 'kho_data',
    truncatedCode: 'KHO_ERR_TRUNCATED',
  });
  const u = (hi: number, lo: number, at: number, f: string): number =>
    u64FromHalves(hi, lo, file, offset + at, `kho_data.${f}`, 'KHO_ERR_RANGE');
  return {
    fdtPhys: u(d.fdt_addr_hi, d.fdt_addr_lo, 0, 'fdt_addr'),
    fdtSize: u(d.fdt_size_hi, d.fdt_size_lo, 8, 'fdt_size'),
    scratchPhys: u(d.scratch_addr_hi, d.scratch_addr_lo, 16, 'scratch_addr'),
    scratchSize: u(d.scratch_size_hi, d.scratch_size_lo, 24, 'scratch_size'),
  };
}

/**
 * DT platforms: `/chosen` `linux,kho-fdt` and `linux,kho-scratch`, each <address size> in big-endian cells of the
 * root's #address-cells / #size-cells (defaults 2 and 1 per the DT spec). Returns null when /chosen has neither.
 */
export function decodeChosenKho(root: FdtNode, file: string): KhoEntry | null {
  const chosen = findNode(root, '/chosen');
  if (!chosen) return null;
  const fdtProp = getProp(chosen, 'linux,kho-fdt');
  const scratchProp = getProp(chosen, 'linux,kho-scratch');
  if (!fdtProp && !scratchProp) return null;
  const ac = getProp(root, '#address-cells');
  const sc = getProp(root, '#size-cells');
  const addressCells = ac ? propU32Cell(ac, file, '/') : 2;
  const sizeCells = sc ? propU32Cell(sc, file, '/') : 1;
  if (addressCells < 1 || addressCells > 2 || sizeCells < 1 || sizeCells > 2) {
    throw new TraceError({
      code: 'KHO_ERR_BADPROP',
      location: { file, offset: (ac ?? sc)?.offset ?? root.offset, field: '/#address-cells' },
      expected: '#address-cells and #size-cells of 1 or 2',
      found: `${addressCells} and ${sizeCells}`,
    });
  }
  const pair = (p: typeof fdtProp, name: string): [number, number] => {
    if (!p) {
      throw new TraceError({
        code: 'KHO_ERR_NOPROP',
        location: { file, offset: chosen.offset, field: `/chosen:${name}` },
        expected: `${name} next to the other linux,kho-* property`,
        found: 'nothing',
      });
    }
    if (p.value.length !== (addressCells + sizeCells) * 4) {
      throw new TraceError({
        code: 'KHO_ERR_BADPROP',
        location: { file, offset: p.offset, field: `/chosen:${name}` },
        expected: `${(addressCells + sizeCells) * 4} bytes (<address size>)`,
        found: `${p.value.length} bytes`,
      });
    }
    return [
      cellsToNumber(p, 0, addressCells, file, `/chosen:${name}`),
      cellsToNumber(p, addressCells, sizeCells, file, `/chosen:${name}`),
    ];
  };
  const [fdtPhys, fdtSize] = pair(fdtProp, 'linux,kho-fdt');
  const [scratchPhys, scratchSize] = pair(scratchProp, 'linux,kho-scratch');
  return { fdtPhys, fdtSize, scratchPhys, scratchSize };
}

/**
 * The `struct kho_scratch` array in memory: scratchSize / 16 entries of native-endian { addr, size } (kho_populate);
 * `endian` defaults to the dump's byte order.
 */
export function decodeScratchArray(
  mem: PhysMemory,
  entry: KhoEntry,
  diags: DiagnosticSink,
  endian: KhoEndian = dumpEndianness(mem),
): KhoScratchArea[] {
  if (entry.scratchSize % KHO_SCRATCH_ENTRY_SIZE !== 0) {
    diags.warn(
      'KHO_SCRATCH_LEN',
      `scratch_size ${entry.scratchSize} is not a multiple of ${KHO_SCRATCH_ENTRY_SIZE}; the trailing bytes are ignored`,
      { file: mem.name },
    );
  }
  const n = Math.floor(entry.scratchSize / KHO_SCRATCH_ENTRY_SIZE);
  if (n > KHO_BOUNDS.MAX_SCRATCH) {
    throw new TraceError({
      code: 'KHO_ERR_BADCOUNT',
      location: { file: mem.name, field: `scratch array @ phys ${hex(entry.scratchPhys)}` },
      expected: `at most ${KHO_BOUNDS.MAX_SCRATCH} entries`,
      found: `${n}`,
    });
  }
  const view = viewOf(readPhysChecked(mem, entry.scratchPhys, n * KHO_SCRATCH_ENTRY_SIZE, 'kho_scratch[]'));
  const out: KhoScratchArea[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      phys: u64At(mem, view, i * 16, entry.scratchPhys, `kho_scratch[${i}].addr`, endian),
      sizeBytes: u64At(mem, view, i * 16 + 8, entry.scratchPhys, `kho_scratch[${i}].size`, endian),
    });
  }
  checkScratch(out, mem.name, diags);
  return out;
}
