// Kubernetes resource quantities (k8s.io/apimachinery/pkg/api/resource): `1Gi`, `500M`, `1.5Gi`,
// `129e6`, `128974848`, `500m`. Exact: BigInt arithmetic, because 1000 × bytes passes 2^53 near 8 TiB.
//
//   quantity ::= [+|-] number suffix      number ::= digits | digits.digits | digits. | .digits
//   suffix   ::= Ki Mi Gi Ti Pi Ei | n u m "" k M G T P E | (e|E) [+|-] digits
//
// A fractional byte count rounds up, away from zero, as Quantity.Value() does (`500m` → 1).
import { UsageError } from '../model/errors.js';

const BINARY: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL: Readonly<Record<string, number>> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};

const SHAPE = /^([+-]?)(\d*)(?:\.(\d*))?(.*)$/;
/** Beyond this many decimal places either way every quantity is 0 or out of int64 range. */
const MAX_EXPONENT = 64;
/** Quantity.Value() is an int64. */
const INT64_MAX = 2n ** 63n - 1n;

/** An exact non-negative quantity: numerator / denominator (the denominator a power of ten). */
export interface ExactQuantity {
  readonly num: bigint;
  readonly den: bigint;
}

/** The quantity exactly, for amounts that are not whole bytes (CPU `100m`). `what` names it in errors. */
export function parseExactQuantity(text: string, what = 'quantity'): ExactQuantity {
  const bad = (why: string) =>
    new UsageError(
      `${what}: ${why}, got ${JSON.stringify(text)} (expected a Kubernetes quantity such as 100Mi, 1.5Gi, 500M or 129e6)`,
    );
  const m = SHAPE.exec(text);
  const [, sign = '', whole = '', fraction = '', suffix = ''] = m ?? [];
  if (m === null || (whole === '' && fraction === '')) throw bad('not a number');
  let exp10 = 0;
  let exp2 = 0;
  const binary = BINARY[suffix];
  const decimal = DECIMAL[suffix];
  if (binary !== undefined) exp2 = binary;
  else if (decimal !== undefined) exp10 = decimal;
  else if (/^[eE][+-]?\d+$/.test(suffix)) exp10 = Number(suffix.slice(1));
  else throw bad(`unknown suffix ${JSON.stringify(suffix)}`);

  const digits = BigInt(`${whole}${fraction}` || '0');
  exp10 -= fraction.length;
  if (digits === 0n) return { num: 0n, den: 1n };
  if (sign === '-') throw bad('must not be negative');
  if (exp10 > MAX_EXPONENT) throw bad('too large');
  // Far below one unit: keep the sign of the amount (it still rounds up to 1) without a huge denominator.
  if (exp10 < -MAX_EXPONENT) return { num: 1n, den: 10n ** BigInt(MAX_EXPONENT) };
  const num = digits * 2n ** BigInt(exp2) * (exp10 > 0 ? 10n ** BigInt(exp10) : 1n);
  const den = exp10 < 0 ? 10n ** BigInt(-exp10) : 1n;
  if (num / den > INT64_MAX) throw bad('too large');
  return { num, den };
}

/** The quantity as a whole number of bytes (rounded up). `what` names the value in error messages. */
export function parseQuantity(text: string, what = 'quantity'): bigint {
  const { num, den } = parseExactQuantity(text, what);
  return (num + den - 1n) / den;
}

/** -1, 0 or 1 as a is less than, equal to or greater than b. */
export function compareExact(a: ExactQuantity, b: ExactQuantity): number {
  const l = a.num * b.den;
  const r = b.num * a.den;
  return l < r ? -1 : l > r ? 1 : 0;
}

export function addExact(a: ExactQuantity, b: ExactQuantity): ExactQuantity {
  return a.den === b.den
    ? { num: a.num + b.num, den: a.den }
    : { num: a.num * b.den + b.num * a.den, den: a.den * b.den };
}

/** As parseQuantity, as a number; a usage error past 2^53 − 1 (8 PiB), where numbers stop being exact. */
export function parseQuantityBytes(text: string, what = 'quantity'): number {
  const bytes = parseQuantity(text, what);
  if (bytes > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new UsageError(
      `${what}: ${JSON.stringify(text)} is too large (at most ${Number.MAX_SAFE_INTEGER} bytes)`,
    );
  }
  return Number(bytes);
}

const UNITS: readonly (readonly [string, number])[] = [
  ['Ei', 2 ** 60],
  ['Pi', 2 ** 50],
  ['Ti', 2 ** 40],
  ['Gi', 2 ** 30],
  ['Mi', 2 ** 20],
  ['Ki', 2 ** 10],
];

/**
 * Bytes in Kubernetes notation for people: exact in the largest binary unit that divides it (`1536Mi`),
 * else rounded to one decimal and marked `~` (`~3.9Gi`); plain bytes below 1Ki.
 */
export function formatQuantity(bytes: number): string {
  const sign = bytes < 0 ? '-' : '';
  const abs = Math.abs(bytes);
  for (const [unit, size] of UNITS) {
    if (abs >= size && abs % size === 0) return `${sign}${abs / size}${unit}`;
  }
  for (const [unit, size] of UNITS) {
    if (abs >= size) return `~${sign}${(abs / size).toFixed(1)}${unit}`;
  }
  return `${sign}${abs}`;
}
