// Input bytes that reach the terminal are escaped (issue 13: an FDT node name with `ESC ]`, `ESC [2K`, CR and LF
// set the terminal title, rewrote the line as `kexec-replay: all good` and added lines to a one-line error).
import { describe, expect, it } from 'vitest';
import {
  DiagnosticSink,
  TraceError,
  escapeTerminal,
  escapeTerminalText,
  formatDiagnostic,
  formatLocation,
} from '../../src/core/index.js';

const HOSTILE = 'memblock\u001b]0;pwned\u0007\u001b[2K\rkexec-replay: all good\nsecond line\u009b31m\u202e';

/** No byte a terminal acts on: C0 (but the allowed), DEL, C1, separators, bidi controls. */
function assertInert(s: string, allow = ''): void {
  for (const c of s) {
    const code = c.codePointAt(0)!;
    if (allow.includes(c)) continue;
    expect(code < 0x20 || (code >= 0x7f && code <= 0x9f), JSON.stringify(c)).toBe(false);
    expect([
      0x2028, 0x2029, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069,
    ]).not.toContain(code);
  }
}

describe('escapeTerminal', () => {
  it('turns every control into a visible escape, one line', () => {
    const e = escapeTerminal(HOSTILE);
    assertInert(e);
    expect(e).toBe('memblock\\e]0;pwned\\x07\\e[2K\\rkexec-replay: all good\\nsecond line\\x9b31m\\u202e');
  });
  it('leaves printable text alone, UTF-8 included', () => {
    expect(escapeTerminal('node@0x1000 «réservé» 内存')).toBe('node@0x1000 «réservé» 内存');
  });
  it('every code point below 0x100 and the bidi ones', () => {
    let all = '';
    for (let c = 0; c < 0x100; c++) all += String.fromCharCode(c);
    all += '\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069';
    assertInert(escapeTerminal(all));
    assertInert(escapeTerminalText(all), '\n\t');
  });
  it('escapeTerminalText keeps newline and tab (a report lays out lines) and is idempotent', () => {
    const t = escapeTerminalText(`a\tb\n${HOSTILE}\n`);
    assertInert(t, '\n\t');
    expect(t.split('\n')).toHaveLength(4);
    expect(escapeTerminalText(t)).toBe(t);
  });
});

describe('messages built from input are escaped', () => {
  it('TraceError: file, field and found print as one inert line', () => {
    const e = new TraceError({
      code: 'FDT_ERR_BADSTRUCTURE',
      location: { file: 'kho/\u001b[31mfdt', offset: 0x40, field: `/${HOSTILE}` },
      expected: 'a node name',
      found: HOSTILE,
    });
    assertInert(e.message);
    expect(e.message).toContain('kho/\\e[31mfdt: offset 0x40 (/memblock\\e]0;pwned');
    expect(e.message).toContain('FDT_ERR_BADSTRUCTURE: expected a node name, found memblock\\e]0;pwned');
  });
  it('formatLocation and formatDiagnostic', () => {
    assertInert(formatLocation({ file: HOSTILE, line: 3, column: 1 }));
    const s = new DiagnosticSink();
    s.warn('DMESG_UNKNOWN_LINE', HOSTILE, { file: 'dmesg.txt', line: 1, column: 1 });
    assertInert(formatDiagnostic(s.items[0]!));
  });
});
