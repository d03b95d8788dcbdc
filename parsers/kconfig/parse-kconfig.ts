// A kernel `.config` (scripts/kconfig/confdata.c conf_write(): `CONFIG_X=value`, `# CONFIG_X is not set`,
// `#` comments). /proc/config.gz is gunzipped by the CLI before this runs.
import type { Diagnostic } from '../../src/core/index.js';
import { DiagnosticSink } from '../../src/core/index.js';

export interface KernelConfig {
  /** Option -> value as written (`y`, `m`, `12`, `"string"`); `n` for `# CONFIG_X is not set`. */
  readonly options: Readonly<Record<string, string>>;
  /** 1-based line of each option. */
  readonly lines: Readonly<Record<string, number>>;
  readonly totalLines: number;
  readonly parsedLines: number;
  readonly unknownLines: number;
  readonly diagnostics: readonly Diagnostic[];
}

const SET = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/;
const NOT_SET = /^# (CONFIG_[A-Za-z0-9_]+) is not set *$/;

export function parseKconfig(text: string, file: string): KernelConfig {
  const sink = new DiagnosticSink();
  const all = text.split(/\r?\n/);
  if (all.length > 0 && all[all.length - 1] === '') all.pop();
  const options: Record<string, string> = {};
  const lines: Record<string, number> = {};
  let parsed = 0;
  let unknown = 0;
  all.forEach((raw, i) => {
    const lineNo = i + 1;
    let m: RegExpExecArray | null;
    if ((m = SET.exec(raw)) || (m = NOT_SET.exec(raw))) {
      const name = m[1]!;
      const value = m[2] ?? 'n';
      if (options[name] !== undefined && options[name] !== value) {
        // conf_read() keeps the last assignment; say so, since a hand-edited config may disagree with the build.
        sink.warn('KCONFIG_REDEFINED', `${name} set again (was ${options[name]} on line ${lines[name]})`, {
          file,
          line: lineNo,
          column: 1,
        });
      }
      options[name] = value;
      lines[name] = lineNo;
      parsed++;
    } else if (raw.trim() === '' || raw.startsWith('#')) {
      parsed++; // comments and section headers
    } else {
      unknown++;
      sink.warn('KCONFIG_UNKNOWN_LINE', `not a .config line: ${JSON.stringify(raw.slice(0, 80))}`, {
        file,
        line: lineNo,
        column: 1,
      });
    }
  });
  return {
    options,
    lines,
    totalLines: all.length,
    parsedLines: parsed,
    unknownLines: unknown,
    diagnostics: sink.items,
  };
}

/** True when the option is built in or a module (`y` or `m`). */
export function isEnabled(config: KernelConfig, name: string): boolean {
  const v = config.options[name];
  return v === 'y' || v === 'm';
}
