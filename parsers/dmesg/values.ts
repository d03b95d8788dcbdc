// Number helpers for kernel log values: every address is checked against 2^53 before it becomes a number.

/** Thrown by the helpers below and caught per line by parseDmesg: the line has a known shape but a bad value. */
export class BadValue extends Error {
  constructor(
    readonly token: string,
    readonly expected: string,
  ) {
    super(`expected ${expected}, found ${JSON.stringify(token)}`);
  }
}

const HEX = /^(?:0x)?([0-9a-fA-F]+)$/;

/** `0x0000000000001000`, `%#010Lx`, or bare hex (2.6 e820) -> number, or BadValue above 2^53. */
export function hexValue(token: string): number {
  const m = HEX.exec(token);
  if (!m) throw new BadValue(token, 'a hexadecimal number');
  const v = parseInt(m[1] as string, 16);
  // parseInt is exact below 2^53 and rounds above it, so anything not a safe integer was too large.
  if (!Number.isSafeInteger(v)) throw new BadValue(token, 'an address below 2^53');
  return v;
}

export function decValue(token: string): number {
  const v = Number(token);
  if (!/^-?\d+$/.test(token) || !Number.isSafeInteger(v))
    throw new BadValue(token, 'a decimal number below 2^53');
  return v;
}

/**
 * An inclusive printed range `[mem start-end]` -> half-open [start, end + 1). The kernel prints
 * `base + size - 1`, so an empty range shows end == start - 1: accepted as size 0. Anything lower is an error.
 */
export function inclusiveRange(startTok: string, endTok: string): { start: number; end: number } {
  const start = hexValue(startTok);
  const last = hexValue(endTok);
  const end = last + 1;
  if (!Number.isSafeInteger(end)) throw new BadValue(endTok, 'an address below 2^53');
  if (end < start) throw new BadValue(`${startTok}-${endTok}`, 'a range whose start is not above its end');
  return { start, end };
}

/** A printed half-open range (2.6 e820 `start - end`, efi `range=[a-b)`, PFN `a -> b`). */
export function exclusiveRange(startTok: string, endTok: string): { start: number; end: number } {
  const start = hexValue(startTok);
  const end = hexValue(endTok);
  if (end < start) throw new BadValue(`${startTok}-${endTok}`, 'a range whose start is not above its end');
  return { start, end };
}
