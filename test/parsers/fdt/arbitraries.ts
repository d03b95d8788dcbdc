// fast-check arbitraries for FDT specs (test/builders/fdt.ts), shared by the oracle and fuzz tests.
import fc from 'fast-check';
import { empty, str, u32, u64le, type FdtNodeSpec, type FdtSpec } from '../../builders/fdt.js';

// Random trees: names and values dtc can print and read back (no labels, printable names). String characters
// exclude the digits 0-7: dtc 1.6 prints a string list as "a\0b", so a string starting with an octal digit after
// another string would print as an octal escape ("a\01") that nothing can read back as it was.
const nameArb = fc.stringMatching(/^[a-z][a-z0-9,._+-]{0,12}$/);
const valueArb = fc.oneof(
  fc.constant(empty()),
  fc.array(fc.stringMatching(/^[ -/8-~]{1,10}$/), { minLength: 1, maxLength: 3 }).map((s) => str(...s)),
  fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 1, maxLength: 4 }).map((c) => u32(...c)),
  fc.uint8Array({ minLength: 1, maxLength: 11 }),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((v) => u64le(v)),
);
const nodeArb: fc.Memo<FdtNodeSpec> = fc.memo((depth) =>
  fc.record({
    props: fc.uniqueArray(fc.tuple(nameArb, valueArb), { selector: (t) => t[0], maxLength: 4 }),
    children:
      depth <= 1
        ? fc.constant([] as [string, FdtNodeSpec][])
        : fc.uniqueArray(fc.tuple(nameArb, nodeArb(depth - 1)), { selector: (t) => t[0], maxLength: 3 }),
  }),
);
export const fdtSpecArb: fc.Arbitrary<FdtSpec> = fc.record({
  root: nodeArb(4),
  reservations: fc.array(
    fc.record({ address: fc.integer({ min: 1, max: 2 ** 40 }), size: fc.integer({ min: 1, max: 2 ** 40 }) }),
    { maxLength: 3 },
  ),
  version: fc.constantFrom(16, 17),
  nops: fc.boolean(),
});
