// Lines parseDmesg recognises and deliberately does not extract, each with the reason.
export interface IgnoredShape {
  readonly re: RegExp;
  readonly reason: string;
}

export const IGNORED: readonly IgnoredShape[] = [];

/** The reason a message is ignored, or null when it is not on the list. */
export function matchIgnored(msg: string): string | null {
  for (const s of IGNORED) if (s.re.test(msg)) return s.reason;
  return null;
}
