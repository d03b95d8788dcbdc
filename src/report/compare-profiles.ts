// `compare --profiles` as a table (one row per profile x strategy) and as JSON (kexec-replay/compare-profiles/1).
import type { StrategyOutcome } from '../check/compare.js';
import type { ProfileMatrix } from '../check/compare-profiles.js';
import { verdictOf } from '../check/baseline.js';
import type { Verdict } from '../check/baseline.js';
import { findingsToJson } from './findings-json.js';
import { renderTable } from './table.js';
import type { FindingJson } from './findings-json.js';

export const COMPARE_PROFILES_SCHEMA = 'kexec-replay/compare-profiles/1';

const ms = (v: number): string => (v < 10 ? v.toFixed(2) : v.toFixed(1));

/** kho_populate() took the root: the refusals are the findings that say it did not. */
function accepted(o: StrategyOutcome): boolean {
  return !o.findings.some(
    (f) => f.code === 'KHO_REVIVAL_DISABLED' || f.code === 'KHO_BITMAP_FORMAT_MISMATCH',
  );
}

/** `width`: the columns the table may take (the terminal's; 100 when not a terminal); none: its natural width. */
export function renderProfileMatrixText(
  m: ProfileMatrix,
  bundle: string,
  options: { width?: number } = {},
): string {
  const out: string[] = [`compare --profiles: ${bundle}`, ''];
  const rows: string[][] = [
    ['profile', 'status', 'strategy', 'deferred', 'accepted', 'errors', 'warnings', 'boot ms', 'error codes'],
  ];
  for (const c of m.rows) {
    for (const o of c.outcomes) {
      const codes = [...new Set(o.findings.filter((f) => f.severity === 'error').map((f) => f.code))];
      rows.push([
        c.profile.name,
        c.profile.status,
        `${o.strategy.name}${o.strategy.name === c.profile.defaultStrategy ? '*' : ''}`,
        c.deferred.on ? 'on' : 'off',
        accepted(o) ? 'yes' : 'NO',
        String(o.errors),
        String(o.warnings),
        ms(o.costs.bootCriticalMs),
        codes.length ? codes.join(', ') : '-',
      ]);
    }
  }
  // the error codes (last column) wrap when the table is too wide
  out.push(
    ...renderTable(rows, {
      align: ['left', 'left', 'left', 'right', 'right', 'right', 'right', 'right', 'left'],
      wrapColumn: 8,
      ...(options.width !== undefined ? { width: options.width } : {}),
    }),
  );
  out.push('');
  out.push(
    "* the profile's own strategy (what that kernel does); the others are what-ifs. Status: released, rc, tree (a development tree a release later shipped), never-shipped (what-if). accepted: kho_populate() takes the image's root (NO: refused, every preserved page goes to the buddy allocator). boot ms: boot-critical time, serial + the slowest node's deferred init.",
  );
  out.push(
    'per row: kexec-replay replay <bundle> --profile <p> --strategy <s>; per upgrade: kexec-replay upgrade <bundle> --to <p>',
  );
  return out.join('\n') + '\n';
}

export interface ProfileMatrixJson {
  schema: typeof COMPARE_PROFILES_SCHEMA;
  bundle: string;
  rows: {
    profile: string;
    status: string;
    strategy: string;
    profileStrategy: boolean;
    deferred: boolean;
    accepted: boolean;
    errors: number;
    warnings: number;
    /** FAIL (an error finding), 'ok, warnings', or ok: as compare/1's per-strategy verdict. */
    verdict: Verdict;
    bootCriticalMs: number;
    findings: FindingJson[];
  }[];
}

export function profileMatrixToJson(m: ProfileMatrix, bundle: string): ProfileMatrixJson {
  return {
    schema: COMPARE_PROFILES_SCHEMA,
    bundle,
    rows: m.rows.flatMap((c) =>
      c.outcomes.map((o) => ({
        profile: c.profile.name,
        status: c.profile.status,
        strategy: o.strategy.name,
        profileStrategy: o.strategy.name === c.profile.defaultStrategy,
        deferred: c.deferred.on,
        accepted: accepted(o),
        errors: o.errors,
        warnings: o.warnings,
        verdict: verdictOf(o.errors, o.warnings),
        bootCriticalMs: o.costs.bootCriticalMs,
        findings: findingsToJson(o.findings),
      })),
    ),
  };
}
