#!/usr/bin/env node
// Entry point: runs the built CLI (npm ci builds it through the prepare script) and sets the exit code.
import { run } from '../dist/src/cli/main.js';

process.exitCode = await run(process.argv.slice(2));
