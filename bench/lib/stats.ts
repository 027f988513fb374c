// Summaries for benchmark figures: the median of several runs and their spread (min–max).
export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, runs: 0 };
  const mid = Math.trunc(n / 2);
  const median =
    n % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { median, min: sorted[0] as number, max: sorted[n - 1] as number, runs: n };
}

/** "12.3 (11.9–13.0)" with `digits` decimals. */
export function show(s: Summary, digits = 1): string {
  if (s.runs === 0) return 'n/a';
  return `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
}

/** Ratio of two medians, "1.23×". */
export function ratio(a: Summary, b: Summary): string {
  if (a.runs === 0 || b.runs === 0 || b.median === 0) return 'n/a';
  return `${(a.median / b.median).toFixed(2)}×`;
}
