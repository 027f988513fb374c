// Sizes and durations as people write them in the config file, and back into words for messages.

// K, M, G, T and the IEC names are powers of 1024 (systemd's convention for MemoryMax=1G);
// kB, MB, GB, TB are the SI powers of 1000 their names say.
const SIZE_UNITS: Readonly<Record<string, number>> = {
  b: 1,
  k: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tib: 1024 ** 4,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  tb: 1000 ** 4,
};

const DURATION_UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  sec: 1000,
  min: 60_000,
  h: 3_600_000,
};

const NUMBER_WITH_UNIT = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/;

/** Bytes from "512MiB", "1G", "100KiB" or a plain number of bytes; null when it is not a size. */
export function parseSize(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.trunc(value) : null;
  if (typeof value !== 'string') return null;
  const m = NUMBER_WITH_UNIT.exec(value);
  if (!m) return null;
  const factor = SIZE_UNITS[(m[2] ?? '').toLowerCase() || 'b'];
  if (factor === undefined) return null;
  const bytes = Math.trunc(Number(m[1]) * factor);
  return Number.isSafeInteger(bytes) ? bytes : null;
}

/** Milliseconds from "200ms", "5s", "1min", "1h"; a unit is required. null when it is not a duration. */
export function parseDuration(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const m = NUMBER_WITH_UNIT.exec(value);
  if (!m?.[2]) return null;
  const factor = DURATION_UNITS[m[2].toLowerCase()];
  if (factor === undefined) return null;
  const ms = Math.trunc(Number(m[1]) * factor);
  return Number.isSafeInteger(ms) ? ms : null;
}

/** "1.5 GiB", "512 KiB", "100 B": the largest binary unit that keeps the number at 1 or more. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let i = 0;
  while (Math.abs(value) >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  const text = i === 0 ? String(value) : Number(value.toFixed(1)).toString();
  return `${text} ${units[i]}`;
}

/** A percentage with at most two decimals: "9.5 %", "10 %". */
export function formatPercent(percent: number): string {
  return `${Number(percent.toFixed(2))} %`;
}
