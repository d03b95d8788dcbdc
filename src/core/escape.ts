// Input text that reaches a terminal is escaped (issue 13): an FDT node name, a file name or a log line can hold
// ESC, CR, BEL or C1 controls, and copied as is they would set the window title, rewrite the line the user reads
// (`\r` + `kexec-replay: all good`) or add lines to a one-line error. These are pure functions; the CLI's writer
// and every message built from input bytes (TraceError, formatLocation, formatDiagnostic) call them.

/**
 * What a terminal acts on instead of printing: C0 controls (U+0000..U+001F), DEL, C1 controls (U+0080..U+009F,
 * 0x9B is CSI on terminals in 8-bit mode), the line and paragraph separators, and the bidirectional overrides and
 * isolates that reorder what is shown (U+202A..U+202E, U+2066..U+2069, the "Trojan Source" characters).
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// The same set without tab and newline, for multi-line text the tool lays out itself.
// eslint-disable-next-line no-control-regex
const UNSAFE_IN_TEXT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\e' };

function escapeChar(c: string): string {
  const named = NAMED[c];
  if (named !== undefined) return named;
  const code = c.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * One value from an input, for a single line of output: every control (newline and tab included) becomes a
 * visible escape (`\e`, `\r`, `\n`, `\x07`, `\u202e`), so the result prints as exactly one line of plain text.
 */
export function escapeTerminal(s: string): string {
  UNSAFE.lastIndex = 0;
  return UNSAFE.test(s) ? s.replace(UNSAFE, escapeChar) : s;
}

/**
 * Text the tool wrote (a report, a message with its own newlines) that may carry input values: tab and newline
 * are kept, every other control is escaped as in escapeTerminal. Idempotent on what it returns.
 */
export function escapeTerminalText(s: string): string {
  UNSAFE_IN_TEXT.lastIndex = 0;
  return UNSAFE_IN_TEXT.test(s) ? s.replace(UNSAFE_IN_TEXT, escapeChar) : s;
}
