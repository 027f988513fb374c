// Scenario quantities as people write them: sizes (512MiB), durations (30s), rates (100MiB/s), shares (50%).
// Binary units only for sizes (KiB, MiB, GiB, TiB), as the kernel counts memory; a bare number is bytes.

const SIZE_UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

const TIME_UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const NUMBER_UNIT = /^\s*(-?\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/;

/** Bytes from "512MiB", "1.5GiB", "4096" or a number; null when it is not a size (negative ones included). */
export function parseSimSize(value: unknown): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : null;
  if (typeof value !== 'string') return null;
  const m = NUMBER_UNIT.exec(value);
  if (!m) return null;
  const factor = SIZE_UNITS[(m[2] ?? '').toLowerCase() || 'b'];
  const n = Number(m[1]);
  if (factor === undefined || n < 0) return null;
  const bytes = Math.round(n * factor);
  return Number.isSafeInteger(bytes) ? bytes : null;
}

/** Milliseconds from "100ms", "30s", "5min", "2h", "30d" (a unit is required, 0 may go without); null otherwise. */
export function parseSimTime(value: unknown): number | null {
  if (value === 0 || value === '0') return 0;
  if (typeof value !== 'string') return null;
  const m = NUMBER_UNIT.exec(value);
  if (!m?.[2]) return null;
  const factor = TIME_UNITS[m[2].toLowerCase()];
  const n = Number(m[1]);
  if (factor === undefined || n < 0) return null;
  const ms = Math.round(n * factor);
  return Number.isSafeInteger(ms) ? ms : null;
}

/** Bytes per second from "100MiB/s", "-10MiB/s" (shrinking), "1GiB/min"; null otherwise. */
export function parseSimRate(value: unknown): number | null {
  if (value === 0 || value === '0') return 0;
  if (typeof value !== 'string') return null;
  const slash = value.lastIndexOf('/');
  if (slash < 0) return null;
  const per = value.slice(slash + 1).trim();
  const perMs = per === 's' ? 1000 : per === 'min' ? 60_000 : per === 'h' ? 3_600_000 : null;
  if (perMs === null) return null;
  const sizeText = value.slice(0, slash).trim();
  const negative = sizeText.startsWith('-');
  const size = parseSimSize(negative ? sizeText.slice(1) : sizeText);
  if (size === null) return null;
  return ((negative ? -size : size) * 1000) / perMs;
}

/** A fraction from "50%" or a number of cores such as 0.5 or 2 (CPU use); null otherwise. */
export function parseShare(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : null;
  if (typeof value !== 'string') return null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(value);
  return m ? Number(m[1]) / 100 : null;
}

const MIB = 1024 * 1024;

/** "1.5 GiB", "12 MiB", "300 KiB": deterministic, at most one decimal. */
export function formatSize(bytes: number): string {
  const abs = Math.abs(bytes);
  const units: [number, string][] = [
    [1024 ** 4, 'TiB'],
    [1024 ** 3, 'GiB'],
    [MIB, 'MiB'],
    [1024, 'KiB'],
  ];
  for (const [factor, name] of units) {
    if (abs >= factor) return `${Number((bytes / factor).toFixed(1))} ${name}`;
  }
  return `${bytes} B`;
}

/** Milliseconds as "250 ms", "12.3 s", "4 min 10 s", "2 h 5 min". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(1))} s`;
  if (ms < 3_600_000) {
    const s = Math.round(ms / 1000);
    const min = Math.trunc(s / 60);
    return s % 60 === 0 ? `${min} min` : `${min} min ${s % 60} s`;
  }
  const min = Math.round(ms / 60_000);
  const h = Math.trunc(min / 60);
  return min % 60 === 0 ? `${h} h` : `${h} h ${min % 60} min`;
}

/** A time on the run's timeline: "t=12.3s". */
export function formatT(ms: number): string {
  return `t=${Number((ms / 1000).toFixed(3))}s`;
}
