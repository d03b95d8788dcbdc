// lib/cmdline.c memparse() and the simple_strtoull(p, &end, 0) it starts with: how the kernel reads sizes on
// its command line.

/** lib/cmdline.c simple_strtoull(p, &end, 0) as memparse() starts: base from the prefix (0x hex, 0 octal). */
export function strtoull0(text: string): { value: number; rest: string } {
  const m = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(text);
  if (!m) return { value: 0, rest: text };
  const t = m[1]!;
  const value = /^0[xX]/.test(t)
    ? parseInt(t.slice(2), 16)
    : t.length > 1 && t[0] === '0'
      ? parseInt(t, 8)
      : Number(t);
  return { value, rest: text.slice(t.length) };
}

/**
 * lib/cmdline.c memparse(): a number (base by prefix) and an optional K/M/G/T/P/E suffix; anything after is
 * left unread (the caller usually ignores it). A value without digits is 0. Null when above 2^53.
 */
export function memparse(text: string): { bytes: number | null; rest: string } {
  const { value, rest } = strtoull0(text);
  const m = /^([kKmMgGtTpPeE])/.exec(rest);
  const shift = m ? { k: 10, m: 20, g: 30, t: 40, p: 50, e: 60 }[m[1]!.toLowerCase() as 'k'] : 0;
  const bytes = value * 2 ** shift;
  return { bytes: Number.isSafeInteger(bytes) ? bytes : null, rest: m ? rest.slice(1) : rest };
}
