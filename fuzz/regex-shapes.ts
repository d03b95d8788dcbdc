// Adversarial shapes for the ReDoS check (issue 13): the inputs that make a backtracking matcher super-linear are
// long runs of one character class (digits, hex, spaces, a separator), runs of a two-character unit, and a
// pattern's own literal lead repeated, each ended by a character no pattern wants so the match must fail late.
// Used by test/parsers/regex-linear.test.ts (every pattern in the source tree) and the fuzz script.

/** Literal text a pattern starts with (after `^`, `\s*` and `(?:`), one per top-level alternative: `efi: `. */
export function literalLeads(source: string): string[] {
  const alternatives: string[] = [];
  let depth = 0;
  let cls = false;
  let cur = '';
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      cur += c + (source[i + 1] ?? '');
      i++;
      continue;
    }
    if (cls) {
      if (c === ']') cls = false;
    } else if (c === '[') cls = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      alternatives.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  alternatives.push(cur);
  const leads = new Set<string>();
  for (let alt of alternatives) {
    alt = alt.replace(/^\^/, '').replace(/^\\s[*+]/, '');
    while (alt.startsWith('(?:')) alt = alt.slice(3);
    let lead = '';
    for (let i = 0; i < alt.length; i++) {
      const c = alt[i]!;
      if (c === '\\') {
        const n = alt[i + 1] ?? '';
        if (/[.*+?^${}()|[\]\\/\-: =,]/.test(n)) {
          lead += n;
          i++;
          continue;
        }
        break;
      }
      if (/[.*+?^${}()|[\]]/.test(c)) {
        // A quantifier applies to the last literal: drop it.
        if (/[*?{]/.test(c)) lead = lead.slice(0, -1);
        break;
      }
      lead += c;
    }
    if (lead.length > 0) leads.add(lead.slice(0, 40));
  }
  return [...leads].slice(0, 48);
}

/** Units repeated to the target length: one class each, and the two-character mixes backtracking feeds on. */
export const RUN_UNITS: readonly string[] = [
  ' ',
  '\t',
  '0',
  '1',
  '9',
  'a',
  'f',
  'x',
  'A',
  'Z',
  '_',
  '.',
  ':',
  '-',
  '=',
  ',',
  '[',
  ']',
  '(',
  ')',
  '/',
  '#',
  '+',
  '@',
  "'",
  '"',
  '\\',
  '|',
  '<',
  '\u00e9',
  '0 ',
  'a ',
  ' 0',
  '0x',
  '0x0 ',
  'a=0x1 ',
  'a=0x1',
  '0-',
  '0.',
  'a,',
  'a:',
  ': ',
  'a.',
  'a-',
  '1,',
  '1-',
  '0 -',
  ' \t',
  'x1',
  'a1',
  '[mem ',
  '0x1-',
  ' :',
  '=',
  'a b',
];

/** The units tried after each literal lead (the full set runs without one). */
export const LEAD_UNITS: readonly string[] = [
  ' ',
  '\t',
  '0',
  'a',
  'f',
  '.',
  ':',
  '0 ',
  'a ',
  'a=0x1 ',
  '0x',
  'x1',
];

/** Endings: none (the run is the whole rest), and a character no pattern of ours accepts at a line's end. */
export const ENDINGS: readonly string[] = ['', '\u0001'];

/** Every adversarial input of about `length` characters for a pattern with source `source`, with a label. */
export function* adversarialInputs(
  source: string,
  length: number,
): Generator<[label: string, input: string]> {
  const runs = (prefix: string, units: readonly string[]) =>
    units.flatMap((unit) => {
      const body = unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
      return ENDINGS.map(
        (end) =>
          [
            `${JSON.stringify(prefix)} + ${JSON.stringify(unit)} x ${Math.ceil(length / unit.length)} + ${JSON.stringify(end)}`,
            prefix + body + end,
          ] as [string, string],
      );
    });
  yield* runs('', RUN_UNITS);
  for (const lead of literalLeads(source)) yield* runs(lead, LEAD_UNITS);
}

/** Units pumped into real lines at their token boundaries. */
export const PUMP_UNITS: readonly string[] = [' ', '0', 'a', '.', '0 '];

function charKind(c: string | undefined): number {
  if (c === undefined) return -1;
  if (c === ' ' || c === '\t') return 0;
  if (c >= '0' && c <= '9') return 1;
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return 2;
  return 3;
}

/**
 * A line the pattern matches, with a run of `length` characters pumped in at token boundaries (where a space,
 * digit, letter or punctuation run starts), ended as is or by characters that make the match fail late: the
 * shape that reaches a quantifier deep inside a pattern (`(\S.*?) *$` after three fields).
 */
export function* pumpedInputs(
  sample: string,
  length: number,
  maxCuts = 10,
): Generator<[label: string, input: string]> {
  const cuts: number[] = [];
  for (let i = 1; i <= sample.length; i++) if (charKind(sample[i]) !== charKind(sample[i - 1])) cuts.push(i);
  const step = Math.max(1, Math.ceil(cuts.length / maxCuts));
  for (let c = 0; c < cuts.length; c += step) {
    const k = cuts[c]!;
    for (const unit of PUMP_UNITS) {
      const body = unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
      const head = sample.slice(0, k);
      const label = `${JSON.stringify(head.slice(-30))} + ${JSON.stringify(unit)} x ${Math.ceil(length / unit.length)}`;
      yield [`${label} + rest of line`, head + body + sample.slice(k)];
      // `\u0001 \u0001`: fails at the first \u0001 where a pattern does not take it, and where `\S` does, one field
      // later (` *(\S*) *$` after a pumped run of spaces: the fuzzer's nodes.txt hang, seed 2)
      yield [`${label} + "\u0001 \u0001"`, head + body + '\u0001 \u0001'];
    }
  }
}
