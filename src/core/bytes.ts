// Random access to byte sources without node:fs: the CLI hands parsers a ByteSource backed by a file
// handle, tests hand them one backed by a Uint8Array. Large cores are never loaded whole.

export interface ByteSource {
  /** Display name for locations. */
  readonly name: string;
  /** Total size in bytes. */
  readonly size: number;
  /** Read exactly `length` bytes at `offset`; fewer only when the source ends (the caller checks). */
  read(offset: number, length: number): Uint8Array;
  /**
   * read() into the caller's buffer: `out.length` bytes at `offset`, fewer only when the source ends; returns how
   * many. Lets a reader of a large structure in pieces (a memfd's folio array: 133 MB at 8M folios) reuse one
   * buffer instead of a new one per piece, each paged in and zeroed by the kernel.
   */
  readInto?(offset: number, out: Uint8Array): number;
}

export function bytesSource(name: string, bytes: Uint8Array): ByteSource {
  return {
    name,
    size: bytes.length,
    read(offset: number, length: number): Uint8Array {
      const start = Math.max(0, Math.min(offset, bytes.length));
      return bytes.subarray(start, Math.min(bytes.length, start + Math.max(0, length)));
    },
    readInto(offset: number, out: Uint8Array): number {
      const start = Math.max(0, Math.min(offset, bytes.length));
      const piece = bytes.subarray(start, Math.min(bytes.length, start + out.length));
      out.set(piece);
      return piece.length;
    },
  };
}
