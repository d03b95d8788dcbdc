// One progress line on stderr while long work runs: `kexec-replay: compare: kho_memory_init 1,200/4,026 (29%) 3.1s`.
//
// Why it is drawn from the work's own callbacks and not from a timer: the replay is synchronous, so a timer-driven
// spinner (ora, which this replaced) never gets the event loop and freezes on its first text. A worker thread would
// free the event loop, but every command would then have to ship its inputs and its document across a thread
// boundary; instead the loaders and the simulator call a ProgressFn (src/core/progress.ts) between units of work, and
// the line is redrawn there, at most every REDRAW_MS, with a synchronous write (stderr on a terminal is synchronous
// in Node). Nothing here touches stdin or the terminal modes (ora put stdin in raw mode, so Ctrl-C did nothing), and
// no signal handler is installed: SIGINT and SIGTERM keep the kernel's default action, which ends the process at
// once even in the middle of synchronous work (the shell sees 130 / 143), with the terminal as it was.
import type { ProgressFn } from '../core/index.js';
import { escapeTerminal } from '../core/index.js';
import type { Output } from './io.js';
import { formatCount } from '../report/format.js';

export interface Progress {
  readonly update: ProgressFn;
  /** Erase the line (before the report is printed, or on an error). Idempotent. */
  stop(): void;
}

const REDRAW_MS = 100;
const FRAMES = ['|', '/', '-', '\\'] as const;

const NOOP: Progress = { update: () => undefined, stop: () => undefined };

/**
 * A progress line for `label` (the command and its bundle), shown only when `output.interactive` (stderr is a
 * terminal with a width, not CI) and `enabled` (callers pass `!flags.json`). Otherwise every call is a no-op.
 */
export function startProgress(output: Output, label: string, enabled = true): Progress {
  if (!output.interactive || !enabled) return NOOP;
  const started = Date.now();
  let last = 0;
  let lastPhase = '';
  let frame = 0;
  let drawn = false;
  const columns = (): number => output.stderrColumns?.() ?? 0;
  const draw = (phase: string, done?: number, total?: number): void => {
    const width = columns();
    if (width <= 1) return; // a terminal resized to nothing: nowhere to draw
    let counts = '';
    if (done !== undefined && total !== undefined && total > 0)
      counts = ` ${formatCount(done)}/${formatCount(total)} (${Math.floor((100 * done) / total)}%)`;
    else if (done !== undefined) counts = ` ${formatCount(done)}`;
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    // The label and phase name files of the input: escaped before the line's own \r and ESC [K are added.
    const text = escapeTerminal(`${FRAMES[frame++ % FRAMES.length]} ${label}: ${phase}${counts} ${secs}s`);
    // one line, never wrapped: a wrapped line cannot be erased with \r
    output.err(`\r${text.length > width - 1 ? text.slice(0, width - 2) + '…' : text}\x1b[K`);
    drawn = true;
  };
  return {
    update(phase, done, total) {
      const now = Date.now();
      if (phase === lastPhase && now - last < REDRAW_MS) return;
      last = now;
      lastPhase = phase;
      draw(phase, done, total);
    },
    stop() {
      if (drawn) output.err('\r\x1b[K');
      drawn = false;
    },
  };
}
