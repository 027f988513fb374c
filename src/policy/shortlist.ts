// Two-phase victim search for the kernel ranker (BENCHMARKS.md, "Selection cost"). Opening a /proc file is
// most of a selection's cost, and the exact ranking needs three per process (stat, status, oom_score_adj).
// The kernel already computes every process's badness for /proc/PID/oom_score, one small file:
//
//   oom_score = trunc((1000 + trunc(badness × 1000 / T)) × 2 / 3)      T = global totalpages
//
// which never decreases as badness grows. So a process whose oom_score is below another's has strictly less
// badness, and an oom_score bounds its badness from above. Phase one reads oom_score for every process;
// phase two reads the full records group by group, highest oom_score first, and stops as soon as no process
// left unread could outrank the best eligible one read so far, rules' boosts included. The victim is the
// one a full scan would choose (test/daemon/victim-search.test.ts checks that against full scans).
import type { CompiledRule } from './rules.js';

/** Processes sharing one oom_score value. */
export interface ScoreGroup {
  readonly score: number;
  readonly pids: readonly number[];
}

/** Processes grouped by oom_score (scores[i] is pids[i]'s), highest first; pids ascending within a group. */
export function groupByScore(pids: readonly number[], scores: readonly number[]): ScoreGroup[] {
  if (pids.length !== scores.length) {
    throw new RangeError(`groupByScore: ${pids.length} pids but ${scores.length} scores`);
  }
  const byScore = new Map<number, number[]>();
  for (let i = 0; i < pids.length; i++) {
    const score = scores[i] as number;
    const list = byScore.get(score);
    if (list === undefined) byScore.set(score, [pids[i] as number]);
    else list.push(pids[i] as number);
  }
  return [...byScore.entries()]
    .sort((a, b) => b[0] - a[0])
    .map(([score, pids]) => ({ score, pids: pids.sort((a, b) => a - b) }));
}

/**
 * An exclusive upper bound on the badness (pages, against the global T) of a process whose oom_score is
 * `score`: every badness b with that score has b < the bound.
 *
 * The largest per-mille p with trunc((1000 + p) × 2 / 3) = score is ceil(1.5 × (score + 1)) − 1001, and
 * trunc(b × 1000 / T) ≤ p implies b × 1000 / T < p + 1 (for negative p the truncation is towards zero, so
 * b × 1000 / T ≤ p already).
 */
export function badnessBoundForScore(score: number, globalTotalPages: number): number {
  const maxPerMille = Math.ceil((3 * (score + 1)) / 2) - 1001;
  return ((maxPerMille + 1) * globalTotalPages) / 1000;
}

/** The most oom_score_adj points the rules can add to one process: every prefer rule at once, clamped. */
export function maxRuleBoostPoints(rules: readonly CompiledRule[]): number {
  const sum = rules.reduce((acc, r) => acc + Math.max(0, r.rule.adjust), 0);
  return Math.min(1000, sum);
}

/**
 * True when no process in `next` or any lower group can outrank `bestKey`: their badness is below the
 * group's bound, and the rules can raise a key by at most `boostKey` (kernel ranker: pages).
 */
export function unreadCannotWin(
  bestKey: number,
  next: ScoreGroup,
  globalTotalPages: number,
  boostKey: number,
): boolean {
  return bestKey >= badnessBoundForScore(next.score, globalTotalPages) + boostKey;
}

/** What decides whether the two-phase search gives the full scan's answer. */
export interface TwoPhaseSettings {
  readonly ranker: string;
  readonly scopeCgroup: string | null;
  readonly cgroupPolicy?: string | null;
  readonly killUnit?: string;
}

/**
 * Why the two-phase search cannot stand in for a full scan here, or null when it can. oom_score is measured
 * against the global T, so it orders processes as the kernel ranker does only for a global OOM; the rss and
 * legacy rankers use other keys; cgroup policies rank cgroups; group and cgroup kills need every member.
 */
export function twoPhaseRefusal(settings: TwoPhaseSettings): string | null {
  if (settings.ranker !== 'kernel') return `ranker ${settings.ranker}`;
  if (settings.scopeCgroup !== null && settings.scopeCgroup !== '/') return 'a scope cgroup';
  if (settings.cgroupPolicy != null) return `cgroup policy ${settings.cgroupPolicy}`;
  if (settings.killUnit !== undefined && settings.killUnit !== 'process')
    return `kill unit ${settings.killUnit}`;
  return null;
}
