// Generators for the fuzz properties: hostile names (what a process may put in its comm or argv), the
// fragments the parsers look for, and the seed and run count every property runs with.
import fc from 'fast-check';

/**
 * Text a process controls: its comm (prctl PR_SET_NAME, the name it was started by) and its command line.
 * The kernel keeps every byte but NUL, so these may close the parenthesis of a stat line, start a new log
 * line, repaint a terminal, or pose as HTML.
 */
export const HOSTILE_FRAGMENTS = [
  ')',
  ') (',
  '(',
  ' ',
  '  ',
  '\n',
  '\r',
  '\t',
  '\\',
  '\\n',
  ':',
  '=',
  ',',
  ') R 1 1 1 0 -1 ',
  '\x1b[31m',
  '\x1b]0;pwned\x07',
  '\x1b[2J',
  '\x9b',
  '\x7f',
  '<script>',
  '&amp;',
  '"',
  "'",
  '\u2028',
  '\u2029',
  '\u202e',
  '\u2066',
  '\u200b',
  '\ufeff',
  'ä',
  '€',
  '😀',
  'error kill: ',
  '{"level":"error"}',
] as const;

/**
 * Any code point, lone surrogates included. (fast-check's `unit: 'binary'` does the same but builds its
 * tables for seconds on first use.)
 */
const anyChar = fc.integer({ min: 0, max: 0x10ffff }).map((cp) => String.fromCodePoint(cp));

/** Up to maxLength arbitrary characters. */
export function anyText(maxLength: number): fc.Arbitrary<string> {
  return fc.string({ unit: anyChar, maxLength });
}

/** A string built from hostile fragments and arbitrary characters. */
export function hostileText(maxParts = 12): fc.Arbitrary<string> {
  return fc
    .array(
      fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_FRAGMENTS) },
        { weight: 2, arbitrary: anyText(4) },
        { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
      ),
      { maxLength: maxParts },
    )
    .map((parts) => parts.join(''));
}

/** The task name as the kernel stores it: at most 15 bytes, no NUL, cut wherever the 15th byte falls. */
export function commBytes(): fc.Arbitrary<Buffer> {
  return fc.oneof(
    hostileText(8).map((s) => Buffer.from(s.replaceAll('\0', ''), 'utf8').subarray(0, 15)),
    fc.uint8Array({ minLength: 0, maxLength: 15 }).map((b) => Buffer.from(b.map((x) => (x === 0 ? 1 : x)))),
  );
}

/** Lines assembled from the given keywords, hostile fragments, digits and arbitrary text, joined by newlines. */
export function keywordText(keywords: readonly string[], maxLines = 20, maxParts = 12): fc.Arbitrary<string> {
  const part = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...keywords) },
    { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_FRAGMENTS) },
    { weight: 2, arbitrary: fc.nat({ max: 1_000_000 }).map(String) },
    { weight: 1, arbitrary: anyText(8) },
  );
  return fc
    .array(
      fc.array(part, { maxLength: maxParts }).map((p) => p.join('')),
      { maxLength: maxLines },
    )
    .map((lines) => lines.join('\n'));
}

/** One keyword-rich line of `length` characters or more: the input that makes backtracking regexes slow. */
export function longLine(keywords: readonly string[], minLength: number): fc.Arbitrary<string> {
  return fc
    .array(fc.constantFrom(...keywords, ',', ' ', '(', ')', ':', '1'), { minLength: 1, maxLength: 12 })
    .map((unit) => {
      const piece = unit.join('');
      return piece.repeat(Math.ceil(minLength / Math.max(1, piece.length)));
    });
}

export interface FuzzParams {
  readonly seed: number;
  readonly numRuns: number;
}

/**
 * The seed comes from OOMGUARD_FUZZ_SEED when set (to replay a failure), else it is fixed, so the suite is
 * reproducible; OOMGUARD_FUZZ_RUNS scales the number of cases.
 */
export function fuzzParams(defaultRuns: number): FuzzParams {
  const seedText = process.env.OOMGUARD_FUZZ_SEED;
  const runsText = process.env.OOMGUARD_FUZZ_RUNS;
  return {
    seed: seedText === undefined ? 20240808 : Number(seedText),
    numRuns: runsText === undefined ? defaultRuns : Number(runsText),
  };
}

/**
 * Runs fn and returns the CPU time it took, in ms: wall time would also count other processes on a busy
 * machine, and a parser that hangs burns CPU.
 */
export function timed(fn: () => unknown): number {
  const t = process.cpuUsage();
  fn();
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1000;
}
