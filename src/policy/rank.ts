// Rankers: the order in which candidates would be killed, with every number behind each place.
import { UsageError } from '../model/errors.js';
import type { Candidate, RankerName, Ranking } from '../model/ranking.js';
import type { ProcessInfo, Snapshot } from '../model/snapshot.js';
import {
  badnessOfPages,
  effectiveOomDomain,
  globalTotalPages,
  memcgTotalPages,
  oomScore,
  type TotalPages,
} from '../score/badness.js';
import { unkillableReason } from '../score/eligibility.js';
import { childrenByParent, legacyInputFromProcess, legacyPoints2635 } from '../score/legacy.js';
import { bytesToPages, pageTablePages } from '../score/pages.js';

export interface RankOptions {
  readonly ranker: RankerName;
  /** Rank only this cgroup's subtree, against its memcg's totalpages. null/undefined: everything, global T. */
  readonly cgroup?: string | null;
}

/** What a ranking is measured against: its scope and the two totalpages. */
export interface RankContext {
  readonly ranker: RankerName;
  readonly scope: string;
  readonly totalPages: number;
  readonly globalTotalPages: number;
  readonly totalPagesSource: string;
  readonly children: ReadonlyMap<number, readonly ProcessInfo[]>;
}

function normalizeCgroupPath(path: string): string {
  if (!path.startsWith('/')) throw new UsageError(`cgroup path must start with '/', got '${path}'`);
  const trimmed = path.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed;
}

/** True when `cgroup` is `scope` or below it ('/a' covers '/a/b' but not '/ab'). */
export function inScope(cgroup: string, scope: string): boolean {
  return scope === '/' || cgroup === scope || cgroup.startsWith(`${scope}/`);
}

function scopedTotalPages(snap: Snapshot, scope: string, global: TotalPages): TotalPages {
  const domain = effectiveOomDomain(scope, snap.cgroups);
  const memcg = domain === null ? null : memcgTotalPages(domain, snap.meminfo, snap.pageSize);
  if (domain === null || memcg === null) {
    const known = snap.cgroups.has(scope) ? '' : ' (not in the snapshot)';
    return {
      pages: global.pages,
      source: `cgroup ${scope}${known} and its ancestors have no memory limit, so ${global.source}`,
    };
  }
  if (domain.path === scope) return memcg;
  return {
    pages: memcg.pages,
    source: `cgroup ${scope} has no memory limit; nearest limited ancestor ${memcg.source}`,
  };
}

export function rankContext(snap: Snapshot, opts: RankOptions): RankContext {
  const global = globalTotalPages(snap.meminfo, snap.pageSize);
  const scope = opts.cgroup == null ? '/' : normalizeCgroupPath(opts.cgroup);
  const total = opts.cgroup == null ? global : scopedTotalPages(snap, scope, global);
  return {
    ranker: opts.ranker,
    scope,
    totalPages: total.pages,
    globalTotalPages: global.pages,
    totalPagesSource: total.source,
    // Only the legacy heuristic counts children; the other rankers skip building the map.
    children: opts.ranker === 'legacy' ? childrenByParent(snap.processes) : new Map(),
  };
}

/**
 * One process scored against a context; position and tied are filled in by the ranking. One object literal
 * per branch, without spreads or intermediate objects: a selection scores every process, and copies cost
 * garbage on the kill path. Two literals, not one with a conditional spread, so that killable candidates have
 * no `reason` key at all and every candidate's keys keep the order JSON output shows (reason before key).
 */
export function scoreCandidate(p: ProcessInfo, snap: Snapshot, ctx: RankContext): Candidate {
  const pageSize = snap.pageSize;
  const rssPages =
    bytesToPages(p.rssAnon, pageSize) +
    bytesToPages(p.rssFile, pageSize) +
    bytesToPages(p.rssShmem, pageSize);
  const rssBytes = p.rssAnon + p.rssFile + p.rssShmem;
  const reason = unkillableReason(p, snap.hostPidNamespace);
  let badness: number | null = null;
  let score = 0;
  let key = 0;
  if (reason === null) {
    const swapPages = bytesToPages(p.swap, pageSize);
    const tablePages = pageTablePages(p.pageTables, pageSize);
    badness = badnessOfPages(rssPages, swapPages, tablePages, p.oomScoreAdj, ctx.totalPages);
    // /proc/PID/oom_score is always measured against the global totalpages, even for a memcg ranking.
    const globalBadness =
      ctx.totalPages === ctx.globalTotalPages
        ? badness
        : badnessOfPages(rssPages, swapPages, tablePages, p.oomScoreAdj, ctx.globalTotalPages);
    score = oomScore(globalBadness, ctx.globalTotalPages);
    key = sortKey(p, snap, ctx, badness, rssBytes);
  }
  if (reason === null) {
    return {
      pid: p.pid,
      comm: p.comm,
      uid: p.uid,
      pgid: p.pgid,
      startTicks: p.startTicks,
      cgroup: p.cgroup,
      rssBytes,
      rssAnonBytes: p.rssAnon,
      rssFileBytes: p.rssFile,
      rssShmemBytes: p.rssShmem,
      swapBytes: p.swap,
      pageTableBytes: p.pageTables,
      oomScoreAdj: p.oomScoreAdj,
      totalPages: ctx.totalPages,
      kernelOomScore: p.kernelOomScore,
      position: 0,
      tied: false,
      badness,
      oomScore: score,
      killable: true,
      key,
    };
  }
  return {
    pid: p.pid,
    comm: p.comm,
    uid: p.uid,
    pgid: p.pgid,
    startTicks: p.startTicks,
    cgroup: p.cgroup,
    rssBytes,
    rssAnonBytes: p.rssAnon,
    rssFileBytes: p.rssFile,
    rssShmemBytes: p.rssShmem,
    swapBytes: p.swap,
    pageTableBytes: p.pageTables,
    oomScoreAdj: p.oomScoreAdj,
    totalPages: ctx.totalPages,
    kernelOomScore: p.kernelOomScore,
    position: 0,
    tied: false,
    badness,
    oomScore: score,
    killable: false,
    reason,
    key,
  };
}

function sortKey(
  p: ProcessInfo,
  snap: Snapshot,
  ctx: RankContext,
  badness: number,
  rssBytes: number,
): number {
  switch (ctx.ranker) {
    case 'kernel':
      return badness;
    case 'rss':
      return rssBytes + p.swap;
    case 'legacy':
      return legacyPoints2635(legacyInputFromProcess(p, snap, ctx.children.get(p.pid) ?? []));
  }
}

function newerFirst(a: Candidate, b: Candidate): number {
  return b.startTicks - a.startTicks || b.pid - a.pid;
}

/**
 * The kill order of two killable candidates (negative: `a` first). kernel: the last iterated wins a
 * tie (`>=` replaces) and the global task list is oldest first, so the newer goes first. legacy: only a
 * strictly greater score replaced the choice, so the older goes first.
 */
export function compareCandidates(ranker: RankerName): (a: Candidate, b: Candidate) => number {
  switch (ranker) {
    case 'kernel':
      return (a, b) => b.key - a.key || newerFirst(a, b);
    case 'rss':
      return (a, b) => b.key - a.key || (b.badness ?? 0) - (a.badness ?? 0) || newerFirst(a, b);
    case 'legacy':
      return (a, b) => b.key - a.key || -newerFirst(a, b);
  }
}

export function rankProcesses(snap: Snapshot, opts: RankOptions): Ranking {
  const ctx = rankContext(snap, opts);
  const scored = snap.processes
    .filter((p) => inScope(p.cgroup, ctx.scope))
    .map((p) => scoreCandidate(p, snap, ctx));
  const killable = scored.filter((c) => c.killable).sort(compareCandidates(ctx.ranker));
  const unkillable = scored.filter((c) => !c.killable).sort((a, b) => a.pid - b.pid);
  // The candidates are this call's own fresh objects: fill in their places without copying them again.
  killable.forEach((c, i) => {
    const w = c as { -readonly [K in keyof Candidate]: Candidate[K] };
    w.position = i + 1;
    w.tied = c.key === killable[i - 1]?.key || c.key === killable[i + 1]?.key;
  });
  return {
    ranker: ctx.ranker,
    scope: ctx.scope,
    pageSize: snap.pageSize,
    totalPages: ctx.totalPages,
    globalTotalPages: ctx.globalTotalPages,
    totalPagesSource: ctx.totalPagesSource,
    candidates: [...killable, ...unkillable],
  };
}

/** The process the ranking would kill first, or null when nothing is killable. */
export function selectVictim(ranking: Ranking): Candidate | null {
  const first = ranking.candidates[0];
  return first?.killable === true ? first : null;
}
