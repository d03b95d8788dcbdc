// The one error style of the CLI: `kexec-replay: <what>: <why>`, one line, with anything the user typed cut to a
// readable length (a 100 KB argument is not echoed back whole). Commands that add their own messages use
// formatError(); commander's own messages are rewritten into the same shape by usageMessage().

import { escapeTerminal } from '../core/index.js';

/** Longest run of non-blank characters shown whole; longer ones keep their head and tail. */
const MAX_WORD = 120;
/** Longest message shown whole. */
const MAX_MESSAGE = 1000;

/** A word longer than MAX_WORD (exported so the ReDoS check of test/parsers/regex-linear.test.ts reads it). */
export const LONG_WORD = new RegExp(`\\S{${MAX_WORD + 1},}`, 'g');

/** Cut every over-long word (and the whole text) to a readable length, saying how much was left out. */
export function cutLong(text: string): string {
  let s = text.replace(
    LONG_WORD,
    (w) => `${w.slice(0, 60)}…(${w.length - 100} more characters)…${w.slice(-40)}`,
  );
  if (s.length > MAX_MESSAGE)
    s = `${s.slice(0, MAX_MESSAGE - 40)}…(${s.length - (MAX_MESSAGE - 40)} more characters)`;
  // What the user typed or the input held may carry terminal controls: escaped, so the line stays one inert line.
  return escapeTerminal(s.replace(/[\r\n]+/g, ' '));
}

/** `kexec-replay: <what>: <why>`. */
export function formatError(what: string, why: string): string {
  return `kexec-replay: ${cutLong(what)}: ${cutLong(why)}`;
}

/** The flag of an option as commander prints it (`'--deferred <on|off>'`): the flag alone. */
function flagOf(s: string): string {
  return s.split(/[ ,]/).find((w) => w.startsWith('--')) ?? s;
}

/** A commander usage error (by its code) in the house style. */
export function usageMessage(code: string, message: string): string {
  const msg = message.replace(/^error: /, '').trim();
  const hint = /\(Did you mean ([^)]+)\?\)/.exec(msg);
  const suggestion = hint ? ` (did you mean ${hint[1]}?)` : ' (see kexec-replay --help)';
  let m: RegExpExecArray | null;
  switch (code) {
    case 'commander.unknownCommand':
      if ((m = /unknown command '([^']*)'/.exec(msg)))
        return formatError(m[1]!, `unknown command${suggestion}`);
      break;
    case 'commander.unknownOption':
      if ((m = /unknown option '([^']*)'/.exec(msg)))
        return formatError(m[1]!, `unknown option${suggestion}`);
      break;
    case 'commander.invalidArgument':
      if ((m = /option '([^']*)' argument '([^']*)' is invalid\. Allowed choices are (.*)\.$/s.exec(msg)))
        return formatError(flagOf(m[1]!), `'${m[2]}' is not one of ${m[3]}`);
      if (
        (m = /argument '([^']*)' is invalid for argument '([^']*)'\. Allowed choices are (.*)\.$/s.exec(msg))
      )
        return formatError(`<${m[2]}>`, `'${m[1]}' is not one of ${m[3]}`);
      break;
    case 'commander.missingArgument':
      if ((m = /missing required argument '([^']*)'/.exec(msg)))
        return formatError(`<${m[1]}>`, 'missing required argument (see kexec-replay <command> --help)');
      break;
    case 'commander.optionMissingArgument':
      if ((m = /option '([^']*)' argument missing/.exec(msg)))
        return formatError(flagOf(m[1]!), `needs a value (${m[1]})`);
      break;
    case 'commander.excessArguments':
      if ((m = /too many arguments for '([^']*)'\. (.*)$/s.exec(msg)))
        return formatError(m[1]!, `too many arguments: ${m[2]!.replace(/\.$/, '')}`);
      if ((m = /too many arguments\. (.*)$/s.exec(msg)))
        return formatError('kexec-replay', `too many arguments: ${m[1]!.replace(/\.$/, '')}`);
      break;
  }
  return `kexec-replay: ${cutLong(msg)}`;
}
