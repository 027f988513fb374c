// Is memory short, and how short? earlyoom's rule: a level (SIGTERM or SIGKILL) applies when available
// memory AND free swap are both at or below it; a scope without swap is judged on memory alone.
import type {
  CgroupAvailableBasis,
  DaemonConfig,
  LevelLimit,
  MemoryPercentBase,
  Thresholds,
} from '../config/types.js';
import { formatBytes, formatPercent } from '../config/units.js';
import { OomguardError } from '../model/errors.js';
import type { CgroupInfo, MemInfo, Snapshot } from '../model/snapshot.js';

export type Level = 'ok' | 'term' | 'kill';

/** The memory and swap figures of one scope (the system or a cgroup), in bytes. */
export interface MemoryFigures {
  /** '/' for the system, else the cgroup path. */
  readonly scope: string;
  readonly memAvailBytes: number;
  /** What memAvailPercent divides by: MemTotal, MemAvailable + AnonPages, or the cgroup's limit. */
  readonly memBaseBytes: number;
  /** 0 when the scope has no swap: it is then judged on memory alone. */
  readonly swapTotalBytes: number;
  readonly swapFreeBytes: number;
  /** Where memAvailBytes came from, for people. */
  readonly source: string;
}

export interface ThresholdVerdict {
  readonly level: Level;
  readonly scope: string;
  readonly memAvailBytes: number;
  readonly memAvailPercent: number;
  readonly swapFreeBytes: number;
  /** SwapFree × 100 / SwapTotal; 0 without swap (earlyoom), so swap never holds a level back. */
  readonly swapFreePercent: number;
  readonly swapTotalBytes: number;
  /** The levels in bytes at this moment: the lower of the percentage (of the base) and the size, where both are set. */
  readonly memTermBytes: number;
  readonly memKillBytes: number;
  readonly swapTermBytes: number;
  readonly swapKillBytes: number;
  readonly why: string;
}

/**
 * System figures from /proc/meminfo.
 * The percentage defaults to MemAvailable × 100 / MemTotal: the documented meaning of "percent of memory
 * available", stable as the machine fills. earlyoom (v1.8+) divides by MemAvailable + AnonPages instead, so that
 * tmpfs/shmem filling RAM shrinks the base; `available+anon` offers that.
 */
export function systemFigures(meminfo: MemInfo, base: MemoryPercentBase): MemoryFigures {
  // Before Linux 3.14 there is no MemAvailable; earlyoom's estimate stands in for it.
  const estimated = meminfo.memAvailable === null;
  const avail = estimated
    ? Math.max(0, meminfo.memFree + meminfo.cached + meminfo.buffers - meminfo.shmem)
    : (meminfo.memAvailable as number);
  const availName = estimated ? 'MemFree + Cached + Buffers − Shmem' : 'MemAvailable';
  return {
    scope: '/',
    memAvailBytes: avail,
    memBaseBytes: base === 'total' ? meminfo.memTotal : avail + meminfo.anonPages,
    swapTotalBytes: meminfo.swapTotal,
    swapFreeBytes: meminfo.swapTotal === 0 ? 0 : meminfo.swapFree,
    source: base === 'total' ? `${availName} of MemTotal` : `${availName} of ${availName} + AnonPages`,
  };
}

/**
 * A cgroup's figures: available = limit − usage, or limit − working set (usage − inactive file pages).
 * Its swap counts only when the cgroup's swap is limited (v2 memory.swap.max, v1 memsw), the system has swap and
 * the cgroup may swap (v1 swappiness ≠ 0); the allowance is capped by the system's swap, as the kernel caps it.
 * null when the cgroup has no memory limit (or no usage file): there is nothing to be short of.
 */
export function cgroupFigures(
  cg: CgroupInfo,
  basis: CgroupAvailableBasis,
  systemSwapTotal: number,
): MemoryFigures | null {
  if (cg.limit === null || cg.usage === null) return null;
  const inactiveKey = cg.version === 2 ? 'inactive_file' : 'total_inactive_file';
  const inactive = cg.stat[inactiveKey] ?? 0;
  // The kubelet's working set: usage − inactive file, 0 when inactive exceeds usage.
  const used = basis === 'usage' ? cg.usage : Math.max(0, cg.usage - inactive);
  const hasSwap = cg.swapLimit !== null && systemSwapTotal > 0 && cg.swappiness !== 0;
  const swapTotal = hasSwap ? Math.min(cg.swapLimit as number, systemSwapTotal) : 0;
  const usedText =
    basis === 'usage'
      ? `usage ${formatBytes(cg.usage)}`
      : `working set ${formatBytes(used)} (usage ${formatBytes(cg.usage)} − ${inactiveKey} ${formatBytes(inactive)})`;
  return {
    scope: cg.path,
    memAvailBytes: Math.max(0, cg.limit - used),
    memBaseBytes: cg.limit,
    swapTotalBytes: swapTotal,
    swapFreeBytes: Math.max(0, swapTotal - (cg.swapUsage ?? 0)),
    source: `cgroup ${cg.path}: limit ${formatBytes(cg.limit)} − ${usedText}`,
  };
}

function percentOf(part: number, whole: number): number {
  return whole > 0 ? (part * 100) / whole : 0;
}

/** A level is met when every limit that is set is met; a level with no limit is never met. */
function met(limit: LevelLimit, bytes: number, percent: number): boolean {
  if (limit.percent === null && limit.bytes === null) return false;
  return (
    (limit.percent === null || percent <= limit.percent) && (limit.bytes === null || bytes <= limit.bytes)
  );
}

/** The level in bytes for this base: the lower of percent × base / 100 and the size. */
function levelBytes(limit: LevelLimit, base: number): number {
  const fromPercent =
    limit.percent === null ? Number.POSITIVE_INFINITY : Math.trunc((limit.percent * base) / 100);
  const fromSize = limit.bytes ?? Number.POSITIVE_INFINITY;
  const out = Math.min(fromPercent, fromSize);
  return Number.isFinite(out) ? out : 0;
}

function limitText(limit: LevelLimit): string {
  const parts: string[] = [];
  if (limit.percent !== null) parts.push(formatPercent(limit.percent));
  if (limit.bytes !== null) parts.push(formatBytes(limit.bytes));
  return parts.length === 0 ? 'never' : `≤ ${parts.join(' and ≤ ')}`;
}

/** Judges figures against the memory and swap levels. */
export function evaluateFigures(fig: MemoryFigures, memory: Thresholds, swap: Thresholds): ThresholdVerdict {
  const memPercent = percentOf(fig.memAvailBytes, fig.memBaseBytes);
  const noSwap = fig.swapTotalBytes === 0;
  const swapPercent = percentOf(fig.swapFreeBytes, fig.swapTotalBytes);
  const memKill = met(memory.kill, fig.memAvailBytes, memPercent);
  const memTerm = met(memory.term, fig.memAvailBytes, memPercent);
  // Without swap the swap side always agrees (earlyoom: SwapFree% = 0).
  const swapKill = noSwap || met(swap.kill, fig.swapFreeBytes, swapPercent);
  const swapTerm = noSwap || met(swap.term, fig.swapFreeBytes, swapPercent);
  const level: Level = memKill && swapKill ? 'kill' : memTerm && swapTerm ? 'term' : 'ok';

  return {
    level,
    scope: fig.scope,
    memAvailBytes: fig.memAvailBytes,
    memAvailPercent: memPercent,
    swapFreeBytes: fig.swapFreeBytes,
    swapFreePercent: swapPercent,
    swapTotalBytes: fig.swapTotalBytes,
    memTermBytes: levelBytes(memory.term, fig.memBaseBytes),
    memKillBytes: levelBytes(memory.kill, fig.memBaseBytes),
    swapTermBytes: levelBytes(swap.term, fig.swapTotalBytes),
    swapKillBytes: levelBytes(swap.kill, fig.swapTotalBytes),
    // Written only when read: the daemon judges memory every look, and most looks explain nothing to anyone.
    get why() {
      return verdictText(fig, memory, swap, { level, memPercent, swapPercent, memTerm, swapTerm });
    },
  };
}

function verdictText(
  fig: MemoryFigures,
  memory: Thresholds,
  swap: Thresholds,
  v: { level: Level; memPercent: number; swapPercent: number; memTerm: boolean; swapTerm: boolean },
): string {
  const noSwap = fig.swapTotalBytes === 0;
  const { level, memTerm, swapTerm } = v;
  const memText =
    `memory available ${formatBytes(fig.memAvailBytes)} = ${formatPercent(v.memPercent)} ` +
    `(${fig.source}; term ${limitText(memory.term)}, kill ${limitText(memory.kill)})`;
  const swapText = noSwap
    ? 'no swap: memory alone decides'
    : `swap free ${formatBytes(fig.swapFreeBytes)} = ${formatPercent(v.swapPercent)} of ${formatBytes(fig.swapTotalBytes)} ` +
      `(term ${limitText(swap.term)}, kill ${limitText(swap.kill)})`;
  let conclusion: string;
  if (level === 'kill')
    conclusion = noSwap ? 'memory at the kill level' : 'memory and swap at the kill level';
  else if (level === 'term')
    conclusion = noSwap ? 'memory at the term level' : 'memory and swap at the term level';
  else if (!memTerm && !swapTerm) conclusion = 'memory and swap above the term level';
  else conclusion = memTerm ? 'swap above the term level' : 'memory above the term level';
  return `${memText}; ${swapText} → ${level}: ${conclusion}`;
}

export type ThresholdSettings = Pick<
  DaemonConfig,
  'memory' | 'swap' | 'memoryPercentBase' | 'scopeCgroup' | 'cgroupAvailable'
>;

/**
 * The verdict for the configured scope: the watched cgroup's limit when it has one, else the system.
 * Throws when the watched cgroup is not in the snapshot (removed, or never sampled): the scope is gone.
 */
export function evaluateThresholds(snapshot: Snapshot, config: ThresholdSettings): ThresholdVerdict {
  const system = systemFigures(snapshot.meminfo, config.memoryPercentBase);
  if (config.scopeCgroup === null) return evaluateFigures(system, config.memory, config.swap);
  const cg = snapshot.cgroups.get(config.scopeCgroup);
  if (cg === undefined) throw new OomguardError(`cgroup ${config.scopeCgroup} is not in the snapshot`);
  const figures = cgroupFigures(cg, config.cgroupAvailable, snapshot.meminfo.swapTotal);
  if (figures !== null) return evaluateFigures(figures, config.memory, config.swap);
  const verdict = evaluateFigures(system, config.memory, config.swap);
  return {
    ...verdict,
    get why() {
      return `cgroup ${cg.path} has no memory limit, judged on the system: ${verdict.why}`;
    },
  };
}

/**
 * Where a kernel usage threshold on the watched cgroup should wake the daemon: the usage at which its
 * available memory (limit − working set, or limit − usage) reaches the TERM level. Usage is never below the
 * working set, so usage reaches this point no later than the TERM level is met. null when the verdict is
 * not the cgroup's own (no scope, or a scope without a limit of its own) or TERM can never apply.
 */
export function scopeWakeUsageBytes(snapshot: Snapshot, verdict: ThresholdVerdict): number | null {
  const cg = snapshot.cgroups.get(verdict.scope);
  if (cg === undefined || cg.limit === null || verdict.memTermBytes <= 0) return null;
  const usage = cg.limit - verdict.memTermBytes;
  return usage > 0 ? usage : null;
}
