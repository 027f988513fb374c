// The result of ranking: candidates in kill order, each with every number behind its place.

export type RankerName = 'kernel' | 'rss' | 'legacy';

/** Policies that choose a memory cgroup first, then whom in it to kill (src/policy/cgroup-*.ts, oomd-*.ts). */
export type CgroupPolicyName = 'cgroup' | 'oomd-pressure' | 'oomd-swap' | 'size-growth' | 'kube';

/** What `--policy`, `--ranker` and `selection.ranker` accept: a per-process ranker or a cgroup policy. */
export type PolicyName = RankerName | CgroupPolicyName;

export const RANKER_NAMES: readonly RankerName[] = ['kernel', 'rss', 'legacy'];
export const CGROUP_POLICY_NAMES: readonly CgroupPolicyName[] = [
  'cgroup',
  'oomd-pressure',
  'oomd-swap',
  'size-growth',
  'kube',
];
export const POLICY_NAMES: readonly PolicyName[] = [...RANKER_NAMES, ...CGROUP_POLICY_NAMES];

export function isCgroupPolicy(name: PolicyName): name is CgroupPolicyName {
  return (CGROUP_POLICY_NAMES as readonly string[]).includes(name);
}

export interface Candidate {
  readonly pid: number;
  readonly comm: string;
  readonly uid: number;
  readonly pgid: number;
  readonly startTicks: number;
  readonly cgroup: string;
  readonly rssBytes: number;
  readonly rssAnonBytes: number;
  readonly rssFileBytes: number;
  readonly rssShmemBytes: number;
  readonly swapBytes: number;
  readonly pageTableBytes: number;
  readonly oomScoreAdj: number;
  /** totalpages used for this candidate's badness (global, or the memcg's for --cgroup). */
  readonly totalPages: number;
  /** The kernel's oom_badness in pages, from oomguard's model; null when not killable. */
  readonly badness: number | null;
  /** /proc/PID/oom_score as oomguard's model computes it (always against the global totalpages). */
  readonly oomScore: number;
  /** The kernel's own /proc/PID/oom_score, read beside the model's; null when not read. */
  readonly kernelOomScore: number | null;
  readonly killable: boolean;
  /** Why the process cannot be killed (host init, kernel thread, oom_score_adj -1000, no mm, ...). */
  readonly reason?: string;
  /** The ranker's sort key (badness for kernel, RSS+swap bytes for rss, points for legacy). */
  readonly key: number;
  /** 1-based position among killable candidates; 0 for unkillable ones. */
  readonly position: number;
  /** True when this candidate's key equals its neighbour's: the kernel's choice then depends on iteration order. */
  readonly tied: boolean;
}

export interface Ranking {
  readonly ranker: RankerName;
  /** The cgroup the ranking is scoped to, '/' for global. */
  readonly scope: string;
  readonly pageSize: number;
  /** totalpages: global RAM+swap pages, or the memcg's limit + swap allowance. */
  readonly totalPages: number;
  /** Global totalpages, the denominator of /proc/PID/oom_score. */
  readonly globalTotalPages: number;
  /** How totalPages was derived, for people ("memcg limit 64 MiB + swap 0"). */
  readonly totalPagesSource: string;
  /** Killable candidates in kill order, then the unkillable ones. */
  readonly candidates: readonly Candidate[];
}
