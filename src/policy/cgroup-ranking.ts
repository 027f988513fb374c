// What every cgroup policy produces: the candidate cgroups in kill order, each with the figures behind its place,
// and (for the policies that carry their own trigger) whether that trigger is met. Pure.
import type { CgroupPolicyName } from '../model/ranking.js';
import type { CgroupInfo } from '../model/snapshot.js';
import {
  type CgroupPreference,
  type CompiledCgroupRule,
  cgroupPreference,
  PREFERENCE_TIER,
} from './cgroup-prefs.js';

export interface RankedCgroup {
  readonly path: string;
  /** memory.current (v2) / memory.usage_in_bytes (v1); null where absent. */
  readonly usage: number | null;
  /** The policy's figures by name (bytes, pages scanned per second, ratios): every number behind the place. */
  readonly figures: Readonly<Record<string, number>>;
  /** The policy's sort keys, compared in order, higher first (after the preference tier). */
  readonly keys: readonly number[];
  readonly preference: CgroupPreference;
  /** The rule or xattr that set the preference; null for none. */
  readonly preferenceSource: string | null;
  /** 1-based place among the eligible candidates; 0 for excluded ones. */
  readonly position: number;
  /** Why this cgroup may not be chosen (omitted, nothing to free, below a floor); null = eligible. */
  readonly excludedBy: string | null;
  /** The figures in words, for people. */
  readonly why: string;
}

/** A policy's own condition for acting (systemd-oomd's pressure and swap limits). */
export interface PolicyTrigger {
  readonly met: boolean;
  readonly why: string;
}

export interface CgroupRanking {
  readonly policy: CgroupPolicyName;
  /** The cgroup whose subtree was ranked, '/' for all. */
  readonly scope: string;
  /** null for policies that act on the daemon's thresholds alone (cgroup, size-growth). */
  readonly trigger: PolicyTrigger | null;
  /** Eligible candidates in kill order, then the excluded ones in path order. */
  readonly cgroups: readonly RankedCgroup[];
}

/** One candidate as a policy scored it, before preferences and order. */
export interface ScoredCgroup {
  readonly cg: CgroupInfo;
  readonly figures: Readonly<Record<string, number>>;
  readonly keys: readonly number[];
  readonly why: string;
  readonly excludedBy: string | null;
}

function byPath(a: { path: string }, b: { path: string }): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

function byKeys(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (b[i] ?? 0) - (a[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * The kill order: preference tier first (prefer, none, avoid), then the policy's keys, highest first, then the
 * path (so equal candidates come out the same way every time). Omitted and excluded cgroups go last, unplaced.
 */
export function orderCgroups(
  scored: readonly ScoredCgroup[],
  rules: readonly CompiledCgroupRule[],
): RankedCgroup[] {
  const all = scored.map((s) => {
    const pref = cgroupPreference(s.cg, rules);
    const excludedBy = pref.preference === 'omit' ? `omitted by ${pref.source}` : s.excludedBy;
    return {
      path: s.cg.path,
      usage: s.cg.usage,
      figures: s.figures,
      keys: s.keys,
      preference: pref.preference,
      preferenceSource: pref.source,
      position: 0,
      excludedBy,
      why: s.why,
    };
  });
  const tier = (r: RankedCgroup) => PREFERENCE_TIER[r.preference as Exclude<CgroupPreference, 'omit'>];
  const eligible = all
    .filter((r) => r.excludedBy === null)
    .sort((a, b) => tier(a) - tier(b) || byKeys(a.keys, b.keys) || byPath(a, b))
    .map((r, i) => ({ ...r, position: i + 1 }));
  return [...eligible, ...all.filter((r) => r.excludedBy !== null).sort(byPath)];
}
