// systemd-oomd's memory-pressure policy: act when the scope's memory `full` avg10 has stayed above a limit for a
// duration and the kernel has been reclaiming (pages scanned rose within the last 30 s); then kill the candidate
// cgroup that scans the most pages per second, then the one that uses the most. Pure: rates come from the earlier
// snapshots the caller kept.
import type { CgroupPolicyConfig } from '../config/types.js';
import type { CgroupInfo, Snapshot } from '../model/snapshot.js';
import { formatMiB } from '../score/pages.js';
import type { CompiledCgroupRule } from './cgroup-prefs.js';
import { type CgroupRanking, orderCgroups, type PolicyTrigger, type ScoredCgroup } from './cgroup-ranking.js';
import { oomdCandidates } from './cgroup-tree.js';

/** A pressure kill needs reclaim seen this recently (systemd-oomd's RECLAIM_DURATION_USEC). */
export const RECLAIM_WINDOW_MS = 30_000;

export type PressureSettings = Pick<CgroupPolicyConfig, 'pressureLimit' | 'pressureDurationMs'>;

/** The scope's memory `full` avg10: its memory.pressure, or /proc/pressure/memory for '/' without one. */
export function scopeFullAvg10(snap: Snapshot, scope: string): number | null {
  const own = snap.cgroups.get(scope)?.pressure?.full?.avg10;
  if (own !== undefined) return own;
  return scope === '/' ? (snap.psi.memory?.full?.avg10 ?? null) : null;
}

/**
 * Pages the kernel scanned for the scope: its memory.stat `pgscan` (v2), else /proc/vmstat's kswapd + direct scans
 * (v1 memory.stat has no pgscan, and the v2 root may lack memory.stat): global reclaim stands in.
 */
export function scopePgscan(snap: Snapshot, scope: string): number | null {
  const own = snap.cgroups.get(scope)?.stat.pgscan;
  if (own !== undefined) return own;
  return snap.vmstat === null ? null : snap.vmstat.pgscanKswapd + snap.vmstat.pgscanDirect;
}

/** Earlier snapshots strictly before `now`, oldest first. */
function before(now: Snapshot, history: readonly Snapshot[]): Snapshot[] {
  return history.filter((h) => h.timeMs < now.timeMs).sort((a, b) => a.timeMs - b.timeMs);
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

/**
 * Met when avg10 is above the limit (strictly, as systemd-oomd compares) in `now` and in every earlier snapshot
 * back to one at least the duration old, and the scope's pgscan rose between two consecutive snapshots within
 * the last 30 s.
 */
export function pressureTrigger(
  now: Snapshot,
  history: readonly Snapshot[],
  scope: string,
  settings: PressureSettings,
): PolicyTrigger {
  const value = scopeFullAvg10(now, scope);
  const name = `${scope === '/' ? 'system' : scope} memory full avg10`;
  if (value === null) return { met: false, why: `${name}: no reading` };
  if (!(value > settings.pressureLimit)) {
    return { met: false, why: `${name} ${value} % is not above ${settings.pressureLimit} %` };
  }
  const past = before(now, history);
  let since = now.timeMs;
  for (let i = past.length - 1; i >= 0; i--) {
    const h = past[i] as Snapshot;
    const v = scopeFullAvg10(h, scope);
    if (v === null || !(v > settings.pressureLimit)) break;
    since = h.timeMs;
  }
  const aboveFor = now.timeMs - since;
  const above = `${name} ${value} % above ${settings.pressureLimit} % for ${seconds(aboveFor)}`;
  if (aboveFor < settings.pressureDurationMs) {
    return { met: false, why: `${above}, not yet ${seconds(settings.pressureDurationMs)}` };
  }
  const samples = [...past, now];
  let reclaimAt: number | null = null;
  for (let i = samples.length - 1; i > 0 && reclaimAt === null; i--) {
    const cur = scopePgscan(samples[i] as Snapshot, scope);
    const prev = scopePgscan(samples[i - 1] as Snapshot, scope);
    if (cur !== null && prev !== null && cur > prev) reclaimAt = (samples[i] as Snapshot).timeMs;
  }
  if (reclaimAt === null || now.timeMs - reclaimAt > RECLAIM_WINDOW_MS) {
    return { met: false, why: `${above}, but no pages scanned in the last ${seconds(RECLAIM_WINDOW_MS)}` };
  }
  return { met: true, why: `${above}, pages scanned ${seconds(now.timeMs - reclaimAt)} ago` };
}

export interface PgscanRate {
  /** memory.stat pgscan now. */
  readonly pgscan: number;
  /** Pages scanned since the earlier snapshot (the count itself after a reset: a re-created cgroup). */
  readonly delta: number;
  /** delta per second; 0 without an earlier snapshot of this cgroup. */
  readonly perSecond: number;
}

/** A rate is taken over at least this long where the history allows (systemd-oomd's 1 s interval). */
export const RATE_MIN_INTERVAL_MS = 1000;

/**
 * The cgroup's pages scanned per second since an earlier snapshot that holds it: the newest one at least 1 s old,
 * else the oldest one. v1 memory.stat has no pgscan: always 0 there.
 */
export function pgscanRate(cg: CgroupInfo, now: Snapshot, history: readonly Snapshot[]): PgscanRate {
  const pgscan = cg.stat.pgscan ?? 0;
  const past = before(now, history).filter((h) => h.cgroups.has(cg.path));
  const old = past.filter((h) => now.timeMs - h.timeMs >= RATE_MIN_INTERVAL_MS);
  const ref = old[old.length - 1] ?? past[0];
  if (ref === undefined) return { pgscan, delta: 0, perSecond: 0 };
  const earlier = ref.cgroups.get(cg.path)?.stat.pgscan ?? 0;
  const delta = pgscan >= earlier ? pgscan - earlier : pgscan;
  return { pgscan, delta, perSecond: (delta * 1000) / (now.timeMs - ref.timeMs) };
}

export function rankByPressure(
  now: Snapshot,
  history: readonly Snapshot[],
  scope: string,
  settings: PressureSettings,
  rules: readonly CompiledCgroupRule[],
): CgroupRanking {
  const scored = oomdCandidates(now.cgroups, scope).map((cg): ScoredCgroup => {
    const rate = pgscanRate(cg, now, history);
    const usage = cg.usage ?? 0;
    return {
      cg,
      figures: { pgscan: rate.pgscan, pgscanDelta: rate.delta, pgscanPerSecond: rate.perSecond, usage },
      keys: [rate.perSecond, usage],
      why: `pgscan ${Number(rate.perSecond.toFixed(1))} pages/s, usage ${formatMiB(usage)}`,
      // systemd-oomd skips cgroups that never scanned and hold nothing: killing them frees nothing.
      excludedBy: rate.pgscan === 0 && usage === 0 ? 'no memory and no pages scanned' : null,
    };
  });
  return {
    policy: 'oomd-pressure',
    scope,
    trigger: pressureTrigger(now, history, scope, settings),
    cgroups: orderCgroups(scored, rules),
  };
}
