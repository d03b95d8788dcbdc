// Subtree blobs seen in practice (spec section 5): memblock reserve_mem (include/linux/kho/abi/memblock.h
// @c17ee635fd3a), kexec-metadata (include/linux/kho/abi/kexec_metadata.h @40735a683bf8), lib/test_kho.c
// (@136114e0abf0) and LUO (include/linux/kho/abi/luo.h @0153094d03df).
import type { DiagnosticSink, PhysMemory } from '../../src/core/index.js';
import { TraceError, hex } from '../../src/core/index.js';
import { parseStruct } from '../_shared/index.js';
import { KHO_BOUNDS, KHO_SUBTREE } from './constants.js';
import type { FdtNode, FdtProp } from '../fdt/index.js';
import { findNode, getProp } from '../fdt/index.js';
import { propFirstString, propU32Native, propU64Native } from './fdt-view.js';
import type { KhoKexecMetadataRaw } from './layout.js';
import { KHO_KEXEC_METADATA, KHO_KEXEC_METADATA_SIZE } from './layout.js';
import type { KhoEndian } from './phys-read.js';
import { dumpEndianness, readPhysChecked, u64At, viewOf } from './phys-read.js';
import type { KhoKexecMetadata, KhoLuo, KhoReserveMem, KhoTestSubtree, KhoVmallocArea } from './types.js';
import { decodeVmalloc, readVmallocContents } from './vmalloc.js';

function requireProp(node: FdtNode, name: string, file: string): FdtProp {
  const p = getProp(node, name);
  if (!p) {
    throw new TraceError({
      code: 'KHO_ERR_NOPROP',
      location: { file, offset: node.offset, field: `${node.path}:${name}` },
      expected: `property ${name}`,
      found: 'nothing',
    });
  }
  return p;
}

/**
 * memblock subtree: `compatible = "memblock-v1"`, children `reserve-mem-v1` with native u64 `start` and `size`
 * (`endian`: the writer's byte order).
 */
export function decodeMemblockSubtree(
  root: FdtNode,
  file: string,
  diags: DiagnosticSink,
  endian: KhoEndian = 'le',
): KhoReserveMem[] {
  const compat = propFirstString(getProp(root, 'compatible'));
  if (compat !== KHO_SUBTREE.MEMBLOCK_KHO_NODE_COMPATIBLE) {
    diags.warn(
      'KHO_MEMBLOCK_COMPATIBLE',
      `memblock subtree compatible is ${JSON.stringify(compat)}, expected "memblock-v1" (reserve_mem would not be revived)`,
      {
        file,
        offset: root.offset,
      },
    );
  }
  const out: KhoReserveMem[] = [];
  for (const c of root.children) {
    const cc = propFirstString(getProp(c, 'compatible'));
    if (cc !== KHO_SUBTREE.RESERVE_MEM_KHO_NODE_COMPATIBLE) {
      diags.warn(
        'KHO_MEMBLOCK_UNKNOWN_NODE',
        `node ${c.path} has compatible ${JSON.stringify(cc)}, not "reserve-mem-v1"; skipped`,
        {
          file,
          offset: c.offset,
        },
      );
      continue;
    }
    out.push({
      name: c.name,
      start: propU64Native(requireProp(c, 'start', file), file, c.path, endian),
      sizeBytes: propU64Native(requireProp(c, 'size', file), file, c.path, endian),
    });
  }
  return out;
}

/**
 * kexec-metadata: a packed native-endian struct, not an FDT. The reader wants blob-size >= 4, version 1, then the
 * whole struct.
 */
export function decodeKexecMetadata(
  bytes: Uint8Array,
  file: string,
  endian: KhoEndian = 'le',
): KhoKexecMetadata {
  if (bytes.length < 4) {
    throw new TraceError({
      code: 'KHO_ERR_TRUNCATED',
      location: { file, offset: 0, field: 'kho_kexec_metadata.version' },
      expected: 'at least 4 bytes',
      found: `${bytes.length} bytes`,
    });
  }
  const version = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, endian === 'le');
  if (version !== KHO_SUBTREE.KHO_KEXEC_METADATA_VERSION) {
    throw new TraceError({
      code: 'KHO_ERR_VERSION',
      location: { file, offset: 0, field: 'kho_kexec_metadata.version' },
      expected: `version ${KHO_SUBTREE.KHO_KEXEC_METADATA_VERSION}`,
      found: `${version}`,
    });
  }
  const raw = parseStruct<KhoKexecMetadataRaw>(
    KHO_KEXEC_METADATA[endian],
    bytes,
    0,
    KHO_KEXEC_METADATA_SIZE,
    {
      file,
      field: 'kho_kexec_metadata',
      truncatedCode: 'KHO_ERR_TRUNCATED',
    },
  );
  const rel = raw.previous_release;
  const end = rel.indexOf(0);
  let previousRelease = '';
  for (let i = 0; i < (end < 0 ? rel.length : end); i++) previousRelease += String.fromCharCode(rel[i]!);
  return { version, previousRelease, kexecCount: raw.kexec_count };
}

/**
 * kho_test subtree: root `compatible = "kho-test-v1"`, native u32 `magic`; node `data` with native u32 `nr_folios`,
 * the raw 16-byte `folios_info` (struct kho_vmalloc) and u32 `csum`. folios_info's contents are `phys | order`.
 */
export function decodeKhoTestSubtree(
  root: FdtNode,
  file: string,
  mem: PhysMemory | null,
  diags: DiagnosticSink,
  pageShift: number,
  endian: KhoEndian = dumpEndianness(mem),
): { test: KhoTestSubtree; vmalloc: KhoVmallocArea | null } {
  const compat = propFirstString(getProp(root, 'compatible'));
  if (compat !== KHO_SUBTREE.KHO_TEST_COMPAT) {
    diags.warn(
      'KHO_TEST_COMPATIBLE',
      `kho_test compatible is ${JSON.stringify(compat)}, expected "kho-test-v1"`,
      { file, offset: root.offset },
    );
  }
  const magic = propU32Native(requireProp(root, 'magic', file), file, '/', endian);
  if (magic !== KHO_SUBTREE.KHO_TEST_MAGIC) {
    diags.warn(
      'KHO_TEST_MAGIC',
      `kho_test magic is ${hex(magic)}, expected 0x4b484f21 ("KHO!"); restore would fail`,
      { file },
    );
  }
  const data = findNode(root, '/data');
  if (!data) {
    throw new TraceError({
      code: 'KHO_ERR_NOPROP',
      location: { file, offset: root.offset, field: '/data' },
      expected: 'node data',
      found: 'nothing',
    });
  }
  const nrProp = requireProp(data, 'nr_folios', file);
  const nrFolios = propU32Native(nrProp, file, data.path, endian);
  const csum = propU32Native(requireProp(data, 'csum', file), file, data.path, endian);
  const info = requireProp(data, 'folios_info', file);
  if (!mem) return { test: { magic, nrFolios, csum, folios: null }, vmalloc: null };
  const area = decodeVmalloc(
    info.value,
    { file, offset: info.offset, field: `${data.path}:folios_info` },
    'kho_test/data/folios_info',
    mem,
    diags,
    pageShift,
    endian,
  );
  // linux v7.3-rc7 lib/test_kho.c kho_test_preserve_folios(): folios_info is vmalloc_array(nr_folios,
  // sizeof(phys_addr_t)), so its area holds nr_folios entries; kho_test_restore() reads folios_info[0..nr_folios)
  // from it. A larger nr_folios reads past the area (and, unchecked, sized a 32 GiB buffer from a u32).
  const areaBytes = area.totalPages * 2 ** pageShift;
  if (nrFolios * 8 > areaBytes) {
    throw new TraceError({
      code: 'KHO_ERR_BADCOUNT',
      location: { file, offset: nrProp.offset, field: `${data.path}:nr_folios` },
      expected: `at most ${Math.floor(areaBytes / 8)} (folios_info holds ${area.totalPages} page(s) of phys_addr_t)`,
      found: `${nrFolios}`,
    });
  }
  const bytes = readVmallocContents(area, mem, nrFolios * 8, pageShift);
  const view = viewOf(bytes);
  const pageSize = 2 ** pageShift;
  const phys = new Float64Array(nrFolios);
  const order = new Uint8Array(nrFolios);
  for (let i = 0; i < nrFolios; i++) {
    const v = u64At(mem, view, i * 8, area.blockPhys[0] ?? 0, `kho_test folios_info[${i}]`, endian);
    order[i] = v % pageSize; // folios_info[i] & ~PAGE_MASK
    phys[i] = v - order[i]!; // folios_info[i] & PAGE_MASK
  }
  return { test: { magic, nrFolios, csum, folios: { phys, order } }, vmalloc: area };
}

/** LUO subtree: `compatible = "luo-v1"`, native u64 `liveupdate-number`, and session/FLB children with header pointers. */
export function decodeLuoSubtree(
  root: FdtNode,
  file: string,
  mem: PhysMemory | null,
  diags: DiagnosticSink,
  endian: KhoEndian = dumpEndianness(mem),
): KhoLuo {
  const compatible = propFirstString(getProp(root, 'compatible'));
  const num = getProp(root, 'liveupdate-number');
  const liveupdateNumber = num ? propU64Native(num, file, '/', endian) : null;
  const sessions: { compatible: string | null; headerPhys: number | null; names: string[] | null }[] = [];
  for (const c of root.children) {
    const cc = propFirstString(getProp(c, 'compatible'));
    const hdr = getProp(c, 'luo-session-header');
    if (!hdr) {
      diags.info('KHO_LUO_NODE', `LUO node ${c.path} (${JSON.stringify(cc)}) is listed but not decoded`, {
        file,
        offset: c.offset,
      });
      sessions.push({ compatible: cc, headerPhys: null, names: null });
      continue;
    }
    const headerPhys = propU64Native(hdr, file, c.path, endian);
    let names: string[] | null = null;
    if (mem && headerPhys !== 0) {
      // luo_session_header_ser { u64 count; } then count x luo_session_ser: name[64] (v1) or name[64] + 16 (v2).
      const stride = cc === 'luo-session-v2' ? 80 : 64;
      const field = `${c.path}:luo-session-header`;
      const count = u64At(
        mem,
        viewOf(
          readPhysChecked(mem, headerPhys, 8, 'luo_session_header_ser', {
            field,
            location: { file, offset: hdr.offset, field },
          }),
        ),
        0,
        headerPhys,
        'luo_session_header_ser.count',
        endian,
      );
      if (count > KHO_BOUNDS.MAX_LUO_SESSIONS) {
        throw new TraceError({
          code: 'KHO_ERR_BADCOUNT',
          location: { file: mem.name, field: `luo_session_header_ser.count @ phys ${hex(headerPhys)}` },
          expected: `at most ${KHO_BOUNDS.MAX_LUO_SESSIONS}`,
          found: `${count}`,
        });
      }
      const arr = readPhysChecked(mem, headerPhys + 8, count * stride, 'luo_session_ser[]');
      names = [];
      for (let i = 0; i < count; i++) {
        let s = '';
        for (let j = 0; j < KHO_SUBTREE.LIVEUPDATE_SESSION_NAME_LENGTH; j++) {
          const ch = arr[i * stride + j]!;
          if (ch === 0) break;
          s += String.fromCharCode(ch);
        }
        names.push(s);
      }
    }
    sessions.push({ compatible: cc, headerPhys, names });
  }
  return { compatible, liveupdateNumber, sessions };
}
