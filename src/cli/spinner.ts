// ora spinners, only on an interactive terminal; a no-op elsewhere (CI logs, pipes, tests).
import ora from 'ora';
import type { Output } from './io.js';

export interface Spinner {
  update(text: string): void;
  stop(): void;
}

export function startSpinner(output: Output, text: string): Spinner {
  if (!output.interactive) return { update: () => undefined, stop: () => undefined };
  const s = ora({ text, stream: process.stderr }).start();
  return {
    update: (t) => {
      s.text = t;
    },
    stop: () => void s.stop(),
  };
}
