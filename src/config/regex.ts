// Rule patterns are JavaScript RegExp sources, checked when the configuration loads: they must compile, and
// they must not be able to stall the daemon. V8 matches by backtracking, so a pattern such as `(a+)+$`
// takes exponential time, and `.*a.*b` cubic time, on a few thousand characters a process can choose (its
// command line). Such patterns are refused by a small static check, before the daemon starts.

/**
 * Text a pattern is tested against is cut to this many characters: a command line can be megabytes long,
 * and a cap bounds the cost of one test (backtracking patterns included) on the kill path.
 */
export const MAX_MATCH_INPUT = 4096;

/** Why the source is not a valid RegExp (V8's own reason) or could backtrack catastrophically; null when fine. */
export function regexProblem(source: string): string | null {
  try {
    new RegExp(source);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    // V8 says "Invalid regular expression: /(/: Unterminated group"; the reason is the last part.
    const at = message.lastIndexOf(': ');
    return at >= 0 ? message.slice(at + 2) : message;
  }
  return backtrackingProblem(source);
}

// ---- a small parser: enough of the syntax to know what repeats what ----

/** Characters an atom is tried on to learn what it matches: ASCII, line separators, and a few others. */
const PROBES = [
  ...Array.from({ length: 128 }, (_, i) => String.fromCharCode(i)),
  '\u00e9',
  '\u2028',
  '\u20ac',
  '\u4e2d',
];
const ALL = (1n << BigInt(PROBES.length)) - 1n;

interface Item {
  /** The item's text in the pattern, quantifier included, for messages. */
  readonly text: string;
  /** Probe characters it may match, as a bit set. */
  readonly chars: bigint;
  /** Matches no character (an anchor, a lookaround). */
  readonly zeroWidth: boolean;
  readonly min: number;
  readonly max: number;
  /** Alternatives, for a group. */
  readonly alternatives: readonly (readonly Item[])[] | null;
}

/** Bit set of the probes that `atom` matches as a whole; everything for what cannot be tried alone. */
function charsOf(atom: string): bigint {
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${atom})$`);
  } catch {
    return ALL; // a backreference and the like: assume the worst
  }
  let set = 0n;
  PROBES.forEach((c, i) => {
    if (re.test(c)) set |= 1n << BigInt(i);
  });
  return set;
}

class Parser {
  private i = 0;
  constructor(private readonly src: string) {}

  parse(): Item[][] {
    return this.alternatives();
  }

  private alternatives(): Item[][] {
    const alts: Item[][] = [[]];
    while (this.i < this.src.length) {
      const c = this.src[this.i];
      if (c === ')') break;
      if (c === '|') {
        this.i++;
        alts.push([]);
        continue;
      }
      const item = this.item();
      alts[alts.length - 1]?.push(item);
    }
    return alts;
  }

  private item(): Item {
    const start = this.i;
    const c = this.src[this.i] as string;
    let chars = ALL;
    let zeroWidth = false;
    let alternatives: Item[][] | null = null;
    if (c === '(') {
      this.i++;
      const lookaround = /^\?(?:[=!]|<[=!])/.exec(this.src.slice(this.i));
      const named = /^\?<[A-Za-z_$][\w$]*>/.exec(this.src.slice(this.i));
      if (lookaround) this.i += lookaround[0].length;
      else if (named) this.i += named[0].length;
      else if (this.src.startsWith('?:', this.i)) this.i += 2;
      alternatives = this.alternatives();
      this.i++; // ')'
      zeroWidth = lookaround !== null;
      chars = alternatives.flat().reduce((set, it) => set | it.chars, 0n);
    } else if (c === '[') {
      this.i++;
      if (this.src[this.i] === '^') this.i++;
      while (this.i < this.src.length && this.src[this.i] !== ']')
        this.i += this.src[this.i] === '\\' ? 2 : 1;
      this.i++;
      chars = charsOf(this.src.slice(start, this.i));
    } else if (c === '\\') {
      const esc =
        /^\\(?:[bB]|\d+|k<[^>]*>|c[A-Za-z]|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|u\{[0-9a-fA-F]+\}|[pP]\{[^}]*\}|.)/su.exec(
          this.src.slice(this.i),
        );
      this.i += esc?.[0].length ?? 1;
      const text = this.src.slice(start, this.i);
      zeroWidth = text === '\\b' || text === '\\B';
      chars = zeroWidth ? 0n : /^\\[1-9]|^\\k</.test(text) ? ALL : charsOf(text);
    } else if (c === '^' || c === '$') {
      this.i++;
      zeroWidth = true;
      chars = 0n;
    } else {
      this.i += (this.src.codePointAt(this.i) ?? 0) > 0xffff ? 2 : 1;
      chars = charsOf(this.src.slice(start, this.i));
    }
    const [min, max] = this.quantifier();
    return { text: this.src.slice(start, this.i), chars, zeroWidth, min, max, alternatives };
  }

  /** The quantifier after an atom, as [min, max]; [1, 1] when there is none. A lazy `?` changes nothing here. */
  private quantifier(): [number, number] {
    const rest = this.src.slice(this.i);
    const m = /^(?:([*+?])|\{(\d+)(,(\d*))?\})\??/.exec(rest);
    if (!m) return [1, 1];
    this.i += m[0].length;
    if (m[1] === '*') return [0, Number.POSITIVE_INFINITY];
    if (m[1] === '+') return [1, Number.POSITIVE_INFINITY];
    if (m[1] === '?') return [0, 1];
    const min = Number(m[2]);
    if (m[3] === undefined) return [min, min];
    return [min, m[4] === '' ? Number.POSITIVE_INFINITY : Number(m[4])];
  }
}

// ---- the check ----

/** What the first (or, `fromEnd`, the last) character of a sequence can be. */
function edgeChars(seq: readonly Item[], fromEnd = false): bigint {
  let set = 0n;
  for (const item of fromEnd ? [...seq].reverse() : seq) {
    if (item.zeroWidth) continue;
    set |= item.alternatives
      ? item.alternatives.reduce((s, alt) => s | edgeChars(alt, fromEnd), 0n)
      : item.chars;
    if (item.min > 0) break;
  }
  return set;
}

/**
 * The characters of a repetition of variable length (`a*`, `a+`, `a{1,3}`: what lets a matcher split a text
 * in several ways) that can end (`fromEnd`) or begin the item; 0n when a character that is not repeated
 * closes it (`\d+\.` ends with the dot, not with digits). A repeated group ends with what its rounds end
 * with: `(?:\d+,)*` with a comma.
 */
function run(item: Item, fromEnd: boolean): bigint {
  const alts = item.alternatives;
  if (item.max > 1 && item.max > item.min) {
    return alts === null ? item.chars : alts.reduce((set, alt) => set | edgeChars(alt, fromEnd), 0n);
  }
  return alts === null ? 0n : alts.reduce((set, alt) => set | runOf(alt, fromEnd), 0n);
}

function runOf(seq: readonly Item[], fromEnd: boolean): bigint {
  let set = 0n;
  const items = fromEnd ? [...seq].reverse() : seq;
  for (const item of items) {
    if (item.zeroWidth) continue;
    set |= run(item, fromEnd);
    if (item.min > 0) break;
  }
  return set;
}

/** One character set per position for a sequence of plain single characters or classes; null otherwise. */
function fixedChars(seq: readonly Item[]): bigint[] | null {
  const out: bigint[] = [];
  for (const item of seq) {
    if (item.alternatives !== null || item.zeroWidth || item.min !== 1 || item.max !== 1) return null;
    out.push(item.chars);
  }
  return out;
}

/**
 * Whether two alternatives of a repeated group can split one text in two ways: `a|a`, `a|aa` (the rest of
 * the longer one starts another repetition), but not `.exe|.bin` or `a|ab`. Alternatives that are not plain
 * characters are judged by their first character alone (erring on the side of refusing).
 */
function ambiguous(x: readonly Item[], y: readonly Item[], anyFirst: bigint): boolean {
  const fx = fixedChars(x);
  const fy = fixedChars(y);
  if (fx === null || fy === null) return (edgeChars(x) & edgeChars(y)) !== 0n;
  const [short, long] = fx.length <= fy.length ? [fx, fy] : [fy, fx];
  if (short.some((set, i) => (set & (long[i] as bigint)) === 0n)) return false;
  return short.length === long.length || ((long[short.length] as bigint) & anyFirst) !== 0n;
}

const EXPONENTIAL = 'which can take exponential time on a non-matching text (catastrophic backtracking)';

/** Whether any alternation inside (at any depth) has two alternatives that can match the same text. */
function ambiguousInside(alts: readonly (readonly Item[])[]): boolean {
  const anyFirst = alts.reduce((set, alt) => set | edgeChars(alt), 0n);
  for (let a = 0; a < alts.length; a++) {
    for (let b = a + 1; b < alts.length; b++) {
      if (ambiguous(alts[a] as Item[], alts[b] as Item[], anyFirst)) return true;
    }
  }
  return alts.some(
    (seq) =>
      spelledProblem(seq) !== null ||
      seq.some((item) => item.alternatives !== null && !item.zeroWidth && ambiguousInside(item.alternatives)),
  );
}

function groupProblem(item: Item): string | null {
  const alts = item.alternatives;
  if (alts === null || item.zeroWidth || item.max < 2) return null;
  if (item.max > item.min) {
    // A round of variable length whose end can also begin the next round: `(a+)+`, `(\w+\s?)*`, `(aa?)*`.
    const ends = alts.reduce((set, alt) => set | edgeChars(alt, true), 0n);
    const starts = alts.reduce((set, alt) => set | edgeChars(alt), 0n);
    const rigid = alts.every((alt) => fixedChars(alt) !== null);
    if (!rigid && (ends & starts) !== 0n) {
      return `nested quantifiers: "${item.text}" repeats a part of variable length that can end and begin with the same characters, ${EXPONENTIAL}`;
    }
    // Each round that can match its text in two ways doubles the work: `(a|aa)+`, `(x(a|a)y)*`.
    if (ambiguousInside(alts)) {
      return `ambiguous alternation: the repeated group "${item.text}" can match the same text in more than one way, ${EXPONENTIAL}`;
    }
  }
  // A bounded repeat lays its content side by side: `(a+){2}` is `a+a+`.
  for (const alt of alts) {
    const problem = spelledProblem([...alt, ...alt]);
    if (problem) return problem;
  }
  return null;
}

/**
 * Two unbounded items that can match the same characters, with nothing between them that stops one of
 * them: the text between them splits in n ways, so a failing match costs a power of the text's length.
 */
function sequenceProblem(seq: readonly Item[]): string | null {
  for (let a = 0; a < seq.length; a++) {
    const first = seq[a] as Item;
    const tail = run(first, true);
    if (tail === 0n) continue;
    for (let b = a + 1; b < seq.length; b++) {
      const second = seq[b] as Item;
      if ((tail & run(second, false)) !== 0n) {
        return `"${first.text}" and "${second.text}" can match the same text one after the other, which takes time growing as a power of the text's length on a non-matching text; rules match anywhere in the text, so a leading or trailing ".*" is not needed`;
      }
      if (!(second.zeroWidth || second.min === 0 || (second.chars & tail) !== 0n)) break;
    }
  }
  return null;
}

/** Beyond this many spelled-out sequences a group is judged as a whole (by its edge characters). */
const MAX_SPELLED = 256;

/**
 * The sequence with its groups that match once (or not at all) spelled out, one sequence per choice:
 * `(?:1+1)?\d+` becomes `\d+` and `1+ 1 \d+`, so repetitions on both sides of a group meet.
 */
function spellOut(seq: readonly Item[]): Item[][] {
  let out: Item[][] = [[]];
  for (const item of seq) {
    const alts = item.alternatives;
    const choices =
      alts !== null && !item.zeroWidth && item.max === 1
        ? [...alts.flatMap(spellOut), ...(item.min === 0 ? [[]] : [])]
        : [[item]];
    if (out.length * choices.length > MAX_SPELLED) out = out.map((prefix) => [...prefix, item]);
    else out = out.flatMap((prefix) => choices.map((choice) => [...prefix, ...choice]));
  }
  return out;
}

/** The first problem of any spelled-out form of the sequence. */
function spelledProblem(seq: readonly Item[]): string | null {
  for (const form of spellOut(seq)) {
    const problem = sequenceProblem(form);
    if (problem) return problem;
  }
  return null;
}

function walk(alts: readonly (readonly Item[])[]): string | null {
  for (const seq of alts) {
    const problem = spelledProblem(seq);
    if (problem) return problem;
    for (const item of seq) {
      const inner = groupProblem(item) ?? (item.alternatives ? walk(item.alternatives) : null);
      if (inner) return inner;
    }
  }
  return null;
}

/** Why a valid pattern could backtrack catastrophically, or null. */
function backtrackingProblem(source: string): string | null {
  return walk(new Parser(source).parse());
}
