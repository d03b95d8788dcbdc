// Random access to byte sources without node:fs: the CLI hands parsers a ByteSource backed by a file
// handle, tests hand them one backed by a Uint8Array. Large cores are never loaded whole.

export interface ByteSource {
  /** Display name for locations. */
  readonly name: string;
  /** Total size in bytes. */
  readonly size: number;
  /** Read exactly `length` bytes at `offset`; fewer only when the source ends (the caller checks). */
  read(offset: number, length: number): Uint8Array;
}

export function bytesSource(name: string, bytes: Uint8Array): ByteSource {
  return {
    name,
    size: bytes.length,
    read(offset: number, length: number): Uint8Array {
      const start = Math.max(0, Math.min(offset, bytes.length));
      return bytes.subarray(start, Math.min(bytes.length, start + Math.max(0, length)));
    },
  };
}
