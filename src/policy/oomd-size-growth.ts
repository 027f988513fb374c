// Facebook oomd's kill_by_memory_size_or_growth, three phases in one order: first a cgroup whose memory.current
// is at least 50 % of all candidates' together (by effective usage, memory.current − memory.low); then the
// fastest growers (current / mean of its earlier usage ≥ 1.25) among the largest 20 % by effective usage (oomd's
// growing_size_percentile 80); then the rest by effective usage. Pure.
import type { CgroupPolicyConfig } from '../config/types.js';
import type { Snapshot } from '../model/snapshot.js';
import { formatMiB } from '../score/pages.js';
import type { CompiledCgroupRule } from './cgroup-prefs.js';
import { type CgroupRanking, orderCgroups, type ScoredCgroup } from './cgroup-ranking.js';
import { candidatesAtDepth } from './cgroup-tree.js';

/** oomd's defaults. */
export const SIZE_THRESHOLD_PERCENT = 50;
export const MIN_GROWTH_RATIO = 1.25;
export const GROWING_SIZE_PERCENTILE = 80;

export type SizeGrowthSettings = Pick<CgroupPolicyConfig, 'depth'>;

/** current / the mean usage of the cgroup in the earlier snapshots; 1 (no growth seen) without any. */
export function growthRatio(
  path: string,
  usage: number,
  now: Snapshot,
  history: readonly Snapshot[],
): number {
  const earlier = history
    .filter((h) => h.timeMs < now.timeMs)
    .map((h) => h.cgroups.get(path)?.usage)
    .filter((u): u is number => u !== undefined && u !== null);
  if (earlier.length === 0) return 1;
  const mean = earlier.reduce((a, b) => a + b, 0) / earlier.length;
  return mean === 0 ? (usage > 0 ? Number.POSITIVE_INFINITY : 1) : usage / mean;
}

export function rankBySizeOrGrowth(
  now: Snapshot,
  history: readonly Snapshot[],
  scope: string,
  settings: SizeGrowthSettings,
  rules: readonly CompiledCgroupRule[],
): CgroupRanking {
  const candidates = candidatesAtDepth(now.cgroups, scope, settings.depth).map((cg) => {
    const usage = cg.usage ?? 0;
    const low = cg.low ?? 0;
    return {
      cg,
      usage,
      low,
      effective: Math.max(0, usage - low),
      growth: growthRatio(cg.path, usage, now, history),
    };
  });
  const total = candidates.reduce((sum, c) => sum + c.usage, 0);
  // oomd stores total × 0.5 in an int64: truncated.
  const sizeFloor = Math.trunc((total * SIZE_THRESHOLD_PERCENT) / 100);
  // The index of the smallest of the top (100 − P) % by effective usage, as oomd's nth_element computes it.
  const bySize = candidates.map((c) => c.effective).sort((a, b) => b - a);
  const nth = Math.ceil((candidates.length * (100 - GROWING_SIZE_PERCENTILE)) / 100) - 1;
  const growthFloor = bySize[Math.max(0, nth)] ?? 0;
  const scored = candidates.map(({ cg, usage, low, effective, growth }): ScoredCgroup => {
    const sizePhase = total > 0 && usage >= sizeFloor;
    const growthPhase = growth >= MIN_GROWTH_RATIO && effective >= growthFloor;
    const eff = `effective usage ${formatMiB(effective)} (usage ${formatMiB(usage)} − low ${formatMiB(low)})`;
    const ratio = Number(growth.toFixed(3));
    return {
      cg,
      figures: { usage, low, effectiveUsage: effective, growthRatio: growth, sizeFloor, growthFloor },
      keys: [sizePhase ? effective : 0, growthPhase ? growth : 0, effective],
      why: sizePhase
        ? `size: usage ${formatMiB(usage)} ≥ ${SIZE_THRESHOLD_PERCENT} % of the candidates' ${formatMiB(total)}; ${eff}`
        : growthPhase
          ? `growth ×${ratio} ≥ ${MIN_GROWTH_RATIO} among the largest (effective ≥ ${formatMiB(growthFloor)}); ${eff}`
          : `${eff}; growth ×${ratio}`,
      excludedBy: null,
    };
  });
  return { policy: 'size-growth', scope, trigger: null, cgroups: orderCgroups(scored, rules) };
}
