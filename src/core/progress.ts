// How long work says how far it has got, without knowing who listens (a progress line on a terminal, nothing in
// CI). Pure: the simulator, the checks and the loaders call it; only src/cli draws it.

/**
 * Told the phase being worked on and, where there are counts, how many of how many are done
 * (`onProgress('kho_memory_init', 1200, 4026)`). Call it as often as convenient: the listener throttles, so a call
 * per range or per block is fine as long as the call itself is the only cost. It must never throw.
 */
export type ProgressFn = (phase: string, done?: number, total?: number) => void;

/** The listener to use when none was given. */
export const NO_PROGRESS: ProgressFn = () => undefined;
