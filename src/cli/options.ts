// Options shared by several commands, each declared once with commander's choices() so that a wrong value is a
// usage error (exit 2) naming the allowed ones, before any file is read.
import { Option } from 'commander';
import type { Arch } from '../trace/index.js';
import type { FailOn } from './exit.js';
import { EXIT_CODES_HELP, exitCodesHelp, failOnOption } from './exit.js';

/** The arches the simulator models (src/sim/arch.ts ARCH_PROFILES). */
export const ARCH_CHOICES = ['x86_64', 'arm64'] as const;
const PAGE_SHIFT = { '4k': 12, '16k': 14, '64k': 16 } as const;
export const PAGE_SIZE_CHOICES = Object.keys(PAGE_SHIFT) as (keyof typeof PAGE_SHIFT)[];

export function archOption(): Option {
  return new Option('--arch <arch>', "the host's architecture, when the bundle does not say it").choices(
    ARCH_CHOICES,
  );
}

export function pageSizeOption(): Option {
  return new Option('--page-size <size>', "the host's page size, when the bundle does not say it").choices(
    PAGE_SIZE_CHOICES,
  );
}

export function deferredOption(help: string): Option {
  return new Option('--deferred <on|off>', help).choices(['on', 'off']);
}

export function bitmapFormatOption(): Option {
  return new Option(
    '--bitmap-format <512|page>',
    'kho-v1: decode with this bitmap size instead of deciding from the evidence',
  ).choices(['512', 'page']);
}

export interface HostFlags {
  arch?: (typeof ARCH_CHOICES)[number];
  pageSize?: keyof typeof PAGE_SHIFT;
  failOn?: FailOn;
}

/** --arch / --page-size as loadHostBundle() options. */
export function hostOptions(flags: HostFlags): { arch?: Arch; pageShift?: number } {
  return {
    ...(flags.arch ? { arch: flags.arch } : {}),
    ...(flags.pageSize ? { pageShift: PAGE_SHIFT[flags.pageSize] } : {}),
  };
}

export { failOnOption };

/**
 * The end of every command's --help: examples, then the exit codes (`exit1`: what exit 1 means for this command;
 * null when the command never exits 1).
 */
export function helpFooter(
  examples: readonly string[],
  notes: readonly string[] = [],
  exit1?: string | null,
): string {
  return [
    '',
    'Examples:',
    ...examples.map((e) => `  $ ${e}`),
    ...(notes.length ? ['', ...notes] : []),
    '',
    exit1 === undefined ? EXIT_CODES_HELP : exitCodesHelp(exit1),
    '',
  ].join('\n');
}
