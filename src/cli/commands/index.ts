// Every subcommand, in the order `--help` lists them. Each file exports one register function.
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { registerParse } from './parse.js';
import { registerInspect } from './inspect.js';
import { registerReplay } from './replay.js';
import { registerCompare } from './compare.js';
import { registerCheck } from './check.js';
import { registerSynth } from './synth.js';
import { registerCapture } from './capture.js';
import { registerUpgrade } from './upgrade.js';

export function registerCommands(_program: Command, _ctx: CliContext): void {
  // commands are added here as they land
  registerParse(_program, _ctx);
  registerInspect(_program, _ctx);
  registerReplay(_program, _ctx);
  registerCompare(_program, _ctx);
  registerCheck(_program, _ctx);
  registerCapture(_program, _ctx);
  registerSynth(_program, _ctx);
  registerUpgrade(_program, _ctx);
}
