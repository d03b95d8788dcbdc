// What every command receives: where to print, and how to report its exit status.
import type { Output } from './io.js';

export interface CliContext {
  readonly output: Output;
  /** Set by a command: 0 clean, 1 findings at error severity. Usage errors and trace errors are thrown. */
  exitCode: number;
}
