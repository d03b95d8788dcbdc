// Reader for any flattened device tree blob. Rules follow libfdt in scripts/dtc/libfdt (Linux 6.x):
// fdt.c fdt_check_header() / fdt_next_tag(), fdt_ro.c fdt_get_string() / fdt_mem_rsv(); every check that libfdt
// leaves to "can_assume(VALID_DTB)" is done here, because a captured blob is untrusted input.
import { DiagnosticSink, LIMITS, TraceError, hex } from '../../src/core/index.js';
import { parseStruct, readU64 } from '../_shared/index.js';
import {
  FDT_CONST,
  FDT_TOKEN,
  fdtHeaderFieldOffset,
  fdtHeaderV16,
  fdtHeaderV17,
  type FdtHeaderField,
  type FdtHeaderV16Raw,
  type FdtHeaderV17Raw,
} from './layout.js';
import type { Fdt, FdtHeader, FdtNode, FdtReservation } from './types.js';

/** Error codes, in libfdt's spelling (libfdt.h FDT_ERR_*), that parseFdt and the prop accessors raise. */
export const FDT_ERR = {
  /** Input (or a token, name or value) ends before what the header or structure says. */
  TRUNCATED: 'FDT_ERR_TRUNCATED',
  BADMAGIC: 'FDT_ERR_BADMAGIC',
  BADVERSION: 'FDT_ERR_BADVERSION',
  /** Unknown token, unbalanced nodes, missing FDT_END, too deep. */
  BADSTRUCTURE: 'FDT_ERR_BADSTRUCTURE',
  /** A property name offset outside the strings block. */
  BADOFFSET: 'FDT_ERR_BADOFFSET',
  /** Header offsets and sizes that put blocks inside the header, past totalsize or over each other. */
  BADLAYOUT: 'FDT_ERR_BADLAYOUT',
  /** The structure block does not start on a 4-byte boundary. */
  ALIGNMENT: 'FDT_ERR_ALIGNMENT',
  /** A value that cannot be what it claims: a u64 above 2^53, a string without NUL, a short cell array. */
  BADVALUE: 'FDT_ERR_BADVALUE',
} as const;

/** Diagnostic codes for blobs that are readable but odd; parseFdt reports them through the optional sink. */
export const FDT_DIAG = {
  VERSION_NEWER: 'FDT_VERSION_NEWER',
  TRAILING_BYTES: 'FDT_TRAILING_BYTES',
  RSVMAP_UNALIGNED: 'FDT_RSVMAP_UNALIGNED',
  ROOT_NAME: 'FDT_ROOT_NAME',
  NODE_NAME: 'FDT_NODE_NAME',
  DUPLICATE_NODE: 'FDT_DUPLICATE_NODE',
  DUPLICATE_PROP: 'FDT_DUPLICATE_PROP',
  PROP_AFTER_SUBNODE: 'FDT_PROP_AFTER_SUBNODE',
} as const;

/** `node /kho/memblock`, the field spelling used in every structure-block location. */
export function fdtNodeField(path: string): string {
  return `node ${path}`;
}

/** `node /kho/memblock prop 'fdt'`. */
export function fdtPropField(path: string, name: string): string {
  return `node ${path} prop '${name}'`;
}

/** Bytes [start, end) as a string, one code unit per byte (names in FDTs are ASCII; nothing is lost). */
export function decodeLatin1(bytes: Uint8Array, start: number, end: number): string {
  let out = '';
  if (end - start <= 32) {
    for (let i = start; i < end; i++) out += String.fromCharCode(bytes[i]!);
    return out;
  }
  // Chunked so that a long name cannot overflow the argument list of fromCharCode.
  for (let i = start; i < end; i += 4096) {
    out += String.fromCharCode(...bytes.subarray(i, Math.min(end, i + 4096)));
  }
  return out;
}

const align4 = (n: number): number => (n + 3) & ~3;

/**
 * Parse a flattened device tree blob (header versions 16 and 17). Throws a TraceError naming the byte offset and
 * the field for anything malformed; reports readable oddities (newer version, trailing bytes, duplicate names,
 * properties after subnodes) to `diagnostics` when given.
 */
export function parseFdt(bytes: Uint8Array, file: string, diagnostics?: DiagnosticSink): Fdt {
  const diag = diagnostics ?? new DiagnosticSink();
  const header = readHeader(bytes, file, diag);
  const hdrSize = header.version >= 17 ? FDT_CONST.FDT_V17_SIZE : FDT_CONST.FDT_V16_SIZE;
  const total = header.totalsize;

  const layoutError = (field: FdtHeaderField, expected: string, found: string): TraceError =>
    new TraceError({
      code: FDT_ERR.BADLAYOUT,
      location: { file, offset: fdtHeaderFieldOffset(field), field: `fdt_header.${field}` },
      expected,
      found,
    });

  // fdt_check_header(): each block starts after the header and ends inside totalsize.
  const checkOff = (field: FdtHeaderField, off: number): void => {
    if (off < hdrSize || off > total) {
      throw layoutError(field, `an offset in [${hex(hdrSize)}, totalsize ${hex(total)}]`, hex(off));
    }
  };
  const checkBlock = (
    offField: FdtHeaderField,
    sizeField: FdtHeaderField,
    off: number,
    size: number,
  ): void => {
    checkOff(offField, off);
    if (off + size > total) {
      throw layoutError(
        sizeField,
        `a block ending inside totalsize ${hex(total)}`,
        `${hex(off)} + ${hex(size)} = ${hex(off + size)}`,
      );
    }
  };
  checkOff('off_mem_rsvmap', header.off_mem_rsvmap);
  if (header.version >= 17) {
    checkBlock('off_dt_struct', 'size_dt_struct', header.off_dt_struct, header.size_dt_struct);
  } else {
    checkOff('off_dt_struct', header.off_dt_struct);
  }
  checkBlock('off_dt_strings', 'size_dt_strings', header.off_dt_strings, header.size_dt_strings);
  if (header.off_dt_struct % FDT_CONST.FDT_TAGSIZE !== 0) {
    throw new TraceError({
      code: FDT_ERR.ALIGNMENT,
      location: { file, offset: fdtHeaderFieldOffset('off_dt_struct'), field: 'fdt_header.off_dt_struct' },
      expected: 'a multiple of 4',
      found: hex(header.off_dt_struct),
    });
  }
  if (header.off_mem_rsvmap % FDT_CONST.FDT_RSV_ALIGN !== 0) {
    diag.warn(
      FDT_DIAG.RSVMAP_UNALIGNED,
      `memory reservation block at ${hex(header.off_mem_rsvmap)} is not 8-byte aligned`,
      {
        file,
        offset: fdtHeaderFieldOffset('off_mem_rsvmap'),
        field: 'fdt_header.off_mem_rsvmap',
      },
    );
  }

  const reservations = readReservations(bytes, file, header.off_mem_rsvmap, total);
  const strings = new StringsBlock(bytes, file, header.off_dt_strings, header.size_dt_strings);
  const structLimit = header.version >= 17 ? header.off_dt_struct + header.size_dt_struct : total;
  const { root, structEnd } = walkStructure(bytes, file, header.off_dt_struct, structLimit, strings, diag);

  // Blocks must not overlap: a reader could still decode them, but such a blob was not written by libfdt or dtc.
  const rsvEnd = header.off_mem_rsvmap + (reservations.length + 1) * FDT_CONST.FDT_RESERVE_ENTRY_SIZE;
  const blocks: [FdtHeaderField, number, number][] = [
    ['off_mem_rsvmap', header.off_mem_rsvmap, rsvEnd],
    ['off_dt_struct', header.off_dt_struct, header.version >= 17 ? structLimit : structEnd],
    ['off_dt_strings', header.off_dt_strings, header.off_dt_strings + header.size_dt_strings],
  ];
  for (let i = 0; i < blocks.length; i++) {
    for (let j = i + 1; j < blocks.length; j++) {
      const [fa, sa, ea] = blocks[i]!;
      const [fb, sb, eb] = blocks[j]!;
      if (sa < ea && sb < eb && sa < eb && sb < ea) {
        throw layoutError(
          fb,
          `blocks that do not overlap`,
          `${fa} [${hex(sa)}, ${hex(ea)}) overlaps ${fb} [${hex(sb)}, ${hex(eb)})`,
        );
      }
    }
  }

  if (bytes.length > total) {
    diag.info(
      FDT_DIAG.TRAILING_BYTES,
      `${bytes.length - total} bytes after totalsize ${hex(total)} ignored`,
      {
        file,
        offset: total,
      },
    );
  }
  return { header, reservations, root };
}

function readHeader(bytes: Uint8Array, file: string, diag: DiagnosticSink): FdtHeader {
  const at = (field: FdtHeaderField) => ({
    file,
    offset: fdtHeaderFieldOffset(field),
    field: `fdt_header.${field}`,
  });
  // Magic first, so that a short file of the wrong kind says "bad magic" rather than "truncated".
  if (bytes.length >= 4) {
    const magic = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, false);
    if (magic !== FDT_CONST.FDT_MAGIC) {
      throw new TraceError({
        code: FDT_ERR.BADMAGIC,
        location: at('magic'),
        expected: hex(FDT_CONST.FDT_MAGIC),
        found: hex(magic),
      });
    }
  }
  const truncated = { file, field: 'fdt_header', truncatedCode: FDT_ERR.TRUNCATED };
  const v16 = parseStruct<FdtHeaderV16Raw>(fdtHeaderV16, bytes, 0, FDT_CONST.FDT_V16_SIZE, truncated);
  // fdt_check_header(): version >= first supported, last_comp_version <= last supported, version >= last_comp.
  if (v16.version < FDT_CONST.FDT_FIRST_READ_VERSION) {
    throw new TraceError({
      code: FDT_ERR.BADVERSION,
      location: at('version'),
      expected: 'version 16 or 17',
      found: `version ${v16.version}`,
    });
  }
  if (v16.last_comp_version > FDT_CONST.FDT_LAST_SUPPORTED_VERSION) {
    throw new TraceError({
      code: FDT_ERR.BADVERSION,
      location: at('last_comp_version'),
      expected: `last_comp_version <= ${FDT_CONST.FDT_LAST_SUPPORTED_VERSION}`,
      found: `${v16.last_comp_version}`,
    });
  }
  if (v16.version < v16.last_comp_version) {
    throw new TraceError({
      code: FDT_ERR.BADVERSION,
      location: at('version'),
      expected: `version >= last_comp_version ${v16.last_comp_version}`,
      found: `version ${v16.version}`,
    });
  }
  if (v16.version > FDT_CONST.FDT_LAST_SUPPORTED_VERSION) {
    diag.warn(
      FDT_DIAG.VERSION_NEWER,
      `version ${v16.version} is newer than 17; read as 17 (last_comp_version ${v16.last_comp_version})`,
      at('version'),
    );
  }
  const header: FdtHeader =
    v16.version >= 17
      ? { ...parseStruct<FdtHeaderV17Raw>(fdtHeaderV17, bytes, 0, FDT_CONST.FDT_V17_SIZE, truncated) }
      : { ...v16, size_dt_struct: 0 };
  const hdrSize = header.version >= 17 ? FDT_CONST.FDT_V17_SIZE : FDT_CONST.FDT_V16_SIZE;
  if (header.totalsize < hdrSize) {
    throw new TraceError({
      code: FDT_ERR.BADLAYOUT,
      location: at('totalsize'),
      expected: `at least the ${hdrSize}-byte header`,
      found: hex(header.totalsize),
    });
  }
  if (header.totalsize > LIMITS.FDT_MAX_BYTES) {
    throw new TraceError({
      code: FDT_ERR.BADLAYOUT,
      location: at('totalsize'),
      expected: `at most ${hex(LIMITS.FDT_MAX_BYTES)} bytes (LIMITS.FDT_MAX_BYTES)`,
      found: hex(header.totalsize),
    });
  }
  if (header.totalsize > bytes.length) {
    throw new TraceError({
      code: FDT_ERR.TRUNCATED,
      location: at('totalsize'),
      expected: `${header.totalsize} bytes`,
      found: `${bytes.length} bytes of input`,
    });
  }
  return header;
}

// fdt_ro.c fdt_num_mem_rsv()/fdt_get_mem_rsv(): big-endian {address, size} pairs up to a {0, 0} entry.
function readReservations(bytes: Uint8Array, file: string, off: number, total: number): FdtReservation[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, total);
  const out: FdtReservation[] = [];
  for (let i = 0; ; i++) {
    const at = off + i * FDT_CONST.FDT_RESERVE_ENTRY_SIZE;
    if (at + FDT_CONST.FDT_RESERVE_ENTRY_SIZE > total) {
      throw new TraceError({
        code: FDT_ERR.TRUNCATED,
        location: { file, offset: at, field: `fdt_reserve_entry[${i}]` },
        expected: 'a 16-byte entry (the list ends with address 0, size 0)',
        found: `${Math.max(0, total - at)} bytes before totalsize`,
      });
    }
    const hiA = view.getUint32(at, false);
    const loA = view.getUint32(at + 4, false);
    const hiS = view.getUint32(at + 8, false);
    const loS = view.getUint32(at + 12, false);
    if ((hiA | loA | hiS | loS) === 0) return out;
    const address = readU64(view, at, false, file, at, `fdt_reserve_entry[${i}].address`, FDT_ERR.BADVALUE);
    const size = readU64(view, at + 8, false, file, at + 8, `fdt_reserve_entry[${i}].size`, FDT_ERR.BADVALUE);
    out.push({ address, size });
  }
}

/** The strings block, decoding each name offset once. */
class StringsBlock {
  private readonly cache = new Map<number, string>();
  constructor(
    private readonly bytes: Uint8Array,
    private readonly file: string,
    private readonly off: number,
    private readonly size: number,
  ) {}

  /** fdt_get_string(): the offset lies inside the block and the name ends with a NUL inside it. */
  get(nameoff: number, fieldOffset: number, field: string): string {
    const cached = this.cache.get(nameoff);
    if (cached !== undefined) return cached;
    if (nameoff >= this.size) {
      throw new TraceError({
        code: FDT_ERR.BADOFFSET,
        location: { file: this.file, offset: fieldOffset, field },
        expected: `a name offset below size_dt_strings ${hex(this.size)}`,
        found: hex(nameoff),
      });
    }
    const start = this.off + nameoff;
    const nul = this.bytes.subarray(start, this.off + this.size).indexOf(0);
    if (nul < 0) {
      throw new TraceError({
        code: FDT_ERR.TRUNCATED,
        location: { file: this.file, offset: start, field: `${field} name` },
        expected: 'a NUL-terminated name inside the strings block',
        found: `no NUL before ${hex(this.off + this.size)}`,
      });
    }
    const s = decodeLatin1(this.bytes, start, start + nul);
    this.cache.set(nameoff, s);
    return s;
  }
}

// fdt.c fdt_next_tag() for the token grammar, fdt_next_node() for the nesting: one pass, one node stack.
function walkStructure(
  bytes: Uint8Array,
  file: string,
  start: number,
  limit: number,
  strings: StringsBlock,
  diag: DiagnosticSink,
): { root: FdtNode; structEnd: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const stack: FdtNode[] = [];
  let root: FdtNode | undefined;
  let pos = start;

  const where = (): string =>
    stack.length > 0 ? fdtNodeField(stack[stack.length - 1]!.path) : 'structure block';
  const truncated = (offset: number, field: string, expected: string): TraceError =>
    new TraceError({
      code: FDT_ERR.TRUNCATED,
      location: { file, offset, field },
      expected,
      found: `the structure block ends at ${hex(limit)}`,
    });
  const badStructure = (offset: number, field: string, expected: string, found: string): TraceError =>
    new TraceError({ code: FDT_ERR.BADSTRUCTURE, location: { file, offset, field }, expected, found });

  for (;;) {
    const tokenOff = pos;
    if (pos + 4 > limit) throw truncated(pos, where(), 'a token (the structure block ends with FDT_END)');
    const token = view.getUint32(pos, false);
    pos += 4;
    // libfdt addresses the root as node offset 0 (fdt_check_node_offset_ wants FDT_BEGIN_NODE there) and dtc's
    // flattree.c refuses anything else: no FDT_NOP before the root.
    if (tokenOff === start && token !== FDT_TOKEN.FDT_BEGIN_NODE) {
      throw badStructure(tokenOff, 'structure block', 'FDT_BEGIN_NODE of the root first', hex(token));
    }
    switch (token) {
      case FDT_TOKEN.FDT_BEGIN_NODE: {
        const nul = bytes.subarray(pos, limit).indexOf(0);
        if (nul < 0) throw truncated(pos, `${where()}: FDT_BEGIN_NODE name`, 'a NUL-terminated node name');
        const name = decodeLatin1(bytes, pos, pos + nul);
        pos = align4(pos + nul + 1);
        const parent = stack[stack.length - 1];
        if (parent === undefined && root !== undefined) {
          throw badStructure(tokenOff, `node /${name}`, 'FDT_END after the root node', 'a second root node');
        }
        if (stack.length + 1 > LIMITS.FDT_MAX_DEPTH) {
          throw badStructure(
            tokenOff,
            `node ${parent!.path}/${name}`,
            `nesting at most ${LIMITS.FDT_MAX_DEPTH} deep (LIMITS.FDT_MAX_DEPTH)`,
            `depth ${stack.length + 1}`,
          );
        }
        let node: FdtNode;
        if (parent === undefined) {
          if (name !== '') {
            diag.warn(FDT_DIAG.ROOT_NAME, `root node is named '${name}' (expected ''); read as /`, {
              file,
              offset: tokenOff,
              field: 'node /',
            });
          }
          node = { name: '', path: '/', offset: tokenOff, props: [], children: [] };
          root = node;
        } else {
          const path = parent.path === '/' ? `/${name}` : `${parent.path}/${name}`;
          const loc = { file, offset: tokenOff, field: fdtNodeField(path) };
          if (name === '' || name.includes('/')) {
            diag.warn(
              FDT_DIAG.NODE_NAME,
              `node name '${name}' under ${parent.path} is empty or holds '/'`,
              loc,
            );
          }
          node = { name, path, offset: tokenOff, props: [], children: [] };
          parent.children.push(node);
        }
        stack.push(node);
        break;
      }
      case FDT_TOKEN.FDT_END_NODE: {
        const closed = stack.pop();
        if (closed === undefined) {
          throw badStructure(
            tokenOff,
            where(),
            'FDT_BEGIN_NODE before FDT_END_NODE',
            'FDT_END_NODE outside any node',
          );
        }
        reportDuplicates(closed, file, diag);
        break;
      }
      case FDT_TOKEN.FDT_PROP: {
        const node = stack[stack.length - 1];
        if (node === undefined) {
          throw badStructure(
            tokenOff,
            where(),
            'FDT_BEGIN_NODE (a property must be inside a node)',
            'FDT_PROP',
          );
        }
        if (pos + 8 > limit)
          throw truncated(pos, `${where()}: struct fdt_property`, 'len and nameoff (8 bytes)');
        const len = view.getUint32(pos, false);
        const nameoff = view.getUint32(pos + 4, false);
        const name = strings.get(nameoff, pos + 4, `${where()}: fdt_property.nameoff`);
        const field = fdtPropField(node.path, name);
        const valueOff = pos + 8;
        if (len > limit - valueOff) {
          throw new TraceError({
            code: FDT_ERR.TRUNCATED,
            location: { file, offset: pos, field: `${field}.len` },
            expected: `a value inside the structure block (at most ${limit - valueOff} bytes)`,
            found: `len ${len}`,
          });
        }
        const loc = { file, offset: tokenOff, field };
        if (node.children.length > 0) {
          diag.warn(
            FDT_DIAG.PROP_AFTER_SUBNODE,
            `property '${name}' of ${node.path} comes after a subnode`,
            loc,
          );
        }
        node.props.push({
          name,
          value: bytes.subarray(valueOff, valueOff + len),
          offset: valueOff,
          nodePath: node.path,
          file,
        });
        pos = align4(valueOff + len);
        break;
      }
      case FDT_TOKEN.FDT_NOP:
        break;
      case FDT_TOKEN.FDT_END:
        if (root === undefined) {
          throw badStructure(tokenOff, 'structure block', 'a root node (FDT_BEGIN_NODE)', 'FDT_END');
        }
        if (stack.length > 0) {
          throw badStructure(
            tokenOff,
            where(),
            `FDT_END_NODE for ${stack.length} open node${stack.length > 1 ? 's' : ''}`,
            'FDT_END',
          );
        }
        return { root, structEnd: pos };
      default:
        throw badStructure(
          tokenOff,
          where(),
          'a token (FDT_BEGIN_NODE 1, FDT_END_NODE 2, FDT_PROP 3, FDT_NOP 4, FDT_END 9)',
          hex(token),
        );
    }
  }
}

/** Duplicate property and child names of a closed node; checked once per node, in linear time. */
function reportDuplicates(node: FdtNode, file: string, diag: DiagnosticSink): void {
  if (node.props.length > 1) {
    const names = new Set<string>();
    for (const p of node.props) {
      if (names.has(p.name)) {
        diag.warn(FDT_DIAG.DUPLICATE_PROP, `second property '${p.name}' in ${node.path}`, {
          file,
          offset: p.offset - 12, // the FDT_PROP token: tag, len and nameoff precede the value
          field: fdtPropField(node.path, p.name),
        });
      }
      names.add(p.name);
    }
  }
  if (node.children.length > 1) {
    const names = new Set<string>();
    for (const c of node.children) {
      if (names.has(c.name)) {
        diag.warn(FDT_DIAG.DUPLICATE_NODE, `second node named '${c.name}' under ${node.path}`, {
          file,
          offset: c.offset,
          field: fdtNodeField(c.path),
        });
      }
      names.add(c.name);
    }
  }
}
