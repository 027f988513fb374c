// Why a process is where it is in the kill order, factor by factor, and what would move it.
import { NoSuchProcessError, UsageError } from '../model/errors.js';
import type { Candidate, RankerName, Ranking } from '../model/ranking.js';
import type { ProcessInfo, Snapshot } from '../model/snapshot.js';
import { adjPages, oomBadness } from '../score/badness.js';
import { OOM_SCORE_ADJ_MAX, OOM_SCORE_ADJ_MIN, UNKILLABLE } from '../score/eligibility.js';
import { childrenByParent } from '../score/legacy.js';
import { formatMiB, processPages } from '../score/pages.js';
import {
  compareCandidates,
  type RankContext,
  type RankOptions,
  rankContext,
  rankProcesses,
  scoreCandidate,
} from './rank.js';

/** One term of the kernel's badness sum. */
export interface Factor {
  readonly name: string;
  readonly pages: number;
  /** pages × page size. */
  readonly bytes: number;
  readonly note: string;
}

/** /proc/PID/oom_score, step by step, against the global totalpages. */
export interface OomScoreComputation {
  readonly globalTotalPages: number;
  /** The badness against the global T (differs from the ranking's when the ranking is a memcg's). */
  readonly badness: number | null;
  /** trunc(badness × 1000 / T); null when not killable. */
  readonly perMille: number | null;
  readonly score: number;
  readonly kernelOomScore: number | null;
}

/** The smallest change that moves the process ahead of the one just ahead; null where none does. */
export interface PassAhead {
  /** More memory (anonymous, also counted in total_vm), whole pages. */
  readonly pages: number | null;
  readonly bytes: number | null;
  /** The smallest oom_score_adj ≤ 1000 that does it. */
  readonly oomScoreAdj: number | null;
}

export interface FallBehind {
  /** The largest oom_score_adj ≥ −1000 that drops it behind the one just behind (−1000: only by becoming unkillable). */
  readonly oomScoreAdj: number;
}

export interface Unkillable {
  readonly reason: string;
  /** What would make it killable, where anything would. */
  readonly remedy: string | null;
}

/** The ranking's frame (ranker, scope, page size, totalpages and their source), then the one process. */
export interface Explanation
  extends Pick<
    Ranking,
    'ranker' | 'scope' | 'pageSize' | 'totalPages' | 'globalTotalPages' | 'totalPagesSource'
  > {
  readonly candidate: Candidate;
  readonly killableCount: number;
  /** anon, file and shmem RSS, swap, page tables; for a killable process also the adj term and the badness. */
  readonly factors: readonly Factor[];
  readonly oomScore: OomScoreComputation;
  readonly ahead: Candidate | null;
  readonly behind: Candidate | null;
  readonly toPassAhead: PassAhead | null;
  readonly toFallBehind: FallBehind | null;
  readonly unkillable: Unkillable | null;
}

/** Past this many extra pages (4 PiB at 4 KiB pages) no memory growth is worth suggesting. */
const MAX_EXTRA_PAGES = 2 ** 40;

export function explainProcess(snap: Snapshot, pid: number, opts: RankOptions): Explanation {
  const process = snap.processes.find((p) => p.pid === pid);
  if (process === undefined) throw new NoSuchProcessError(pid);
  const ranking = rankProcesses(snap, opts);
  const candidate = ranking.candidates.find((c) => c.pid === pid);
  if (candidate === undefined) {
    throw new UsageError(
      `process ${pid} (${process.comm}) is in cgroup ${process.cgroup}, outside ${ranking.scope}`,
    );
  }
  const ctx = rankContext(snap, opts);
  const killable = ranking.candidates.filter((c) => c.killable);
  const ahead = candidate.killable ? (killable[candidate.position - 2] ?? null) : null;
  const behind = candidate.killable ? (killable[candidate.position] ?? null) : null;
  const trials = new Trials(snap, ctx, process);
  return {
    ranker: ranking.ranker,
    scope: ranking.scope,
    pageSize: ranking.pageSize,
    totalPages: ranking.totalPages,
    globalTotalPages: ranking.globalTotalPages,
    totalPagesSource: ranking.totalPagesSource,
    candidate,
    killableCount: killable.length,
    factors: factors(process, candidate, snap.pageSize, ranking.totalPages),
    oomScore: oomScoreComputation(process, candidate, snap.pageSize, ranking.globalTotalPages),
    ahead,
    behind,
    toPassAhead: ahead === null ? null : passAhead(trials, ahead),
    toFallBehind: behind === null ? null : fallBehind(trials, behind),
    unkillable:
      candidate.reason === undefined
        ? null
        : { reason: candidate.reason, remedy: remedy(candidate, trials, killable) },
  };
}

function factors(p: ProcessInfo, c: Candidate, pageSize: number, totalPages: number): Factor[] {
  const pages = processPages(p, pageSize);
  const factor = (name: string, n: number, note: string): Factor => ({
    name,
    pages: n,
    bytes: n * pageSize,
    note,
  });
  const memory = [
    factor('anon RSS', pages.anon, 'RssAnon'),
    factor('file RSS', pages.file, 'RssFile'),
    factor('shmem RSS', pages.shmem, 'RssShmem, counted in every process that maps it'),
    factor('swap', pages.swap, 'VmSwap, swapped-out shmem excluded'),
    factor('page tables', pages.pageTables, `⌊VmPTE ${p.pageTables / 1024} kB / ${pageSize} B⌋`),
  ];
  if (c.badness === null) return memory;
  const unit = Math.trunc(totalPages / 1000);
  return [
    ...memory,
    factor(
      'oom_score_adj',
      adjPages(p.oomScoreAdj, totalPages),
      `${p.oomScoreAdj} × trunc(T/1000) = ${p.oomScoreAdj} × ${unit}, T = ${totalPages} pages`,
    ),
    factor('badness', c.badness, 'the sum: the kernel oom_badness'),
  ];
}

function oomScoreComputation(
  p: ProcessInfo,
  c: Candidate,
  pageSize: number,
  globalTotalPages: number,
): OomScoreComputation {
  const pages = processPages(p, pageSize);
  const badness =
    c.badness === null
      ? null
      : oomBadness({
          rssPages: pages.anon + pages.file + pages.shmem,
          swapPages: pages.swap,
          pageTablePages: pages.pageTables,
          adj: p.oomScoreAdj,
          totalPages: globalTotalPages,
        });
  return {
    globalTotalPages,
    badness,
    perMille: badness === null ? null : Math.trunc((badness * 1000) / globalTotalPages),
    score: c.oomScore,
    kernelOomScore: c.kernelOomScore,
  };
}

/** Scores the process with one field changed, in a snapshot where only that process differs. */
class Trials {
  private readonly compare: (a: Candidate, b: Candidate) => number;
  readonly pageSize: number;

  constructor(
    private readonly snap: Snapshot,
    private readonly ctx: RankContext,
    readonly process: ProcessInfo,
  ) {
    this.compare = compareCandidates(ctx.ranker);
    this.pageSize = snap.pageSize;
  }

  /** The changed process and `other` (re-scored: a parent's legacy points count its children), compared. */
  order(change: Partial<ProcessInfo>, other: Candidate): number {
    const { changed, score } = this.score(change);
    const otherProcess = this.snap.processes.find((p) => p.pid === other.pid);
    const otherNow = otherProcess === undefined ? other : score(otherProcess);
    return this.compare(score(changed), otherNow);
  }

  /** Where the changed process would land among the others: 1 + how many go before it. */
  position(
    change: Partial<ProcessInfo>,
    others: readonly Candidate[],
  ): { at: number; badness: number | null } {
    const { changed, score } = this.score(change);
    const mine = score(changed);
    return {
      at: 1 + others.filter((o) => o.pid !== changed.pid && this.compare(o, mine) < 0).length,
      badness: mine.badness,
    };
  }

  private score(change: Partial<ProcessInfo>) {
    const changed: ProcessInfo = { ...this.process, ...change };
    const processes = this.snap.processes.map((p) => (p.pid === changed.pid ? changed : p));
    const snap: Snapshot = { ...this.snap, processes };
    const ctx: RankContext = { ...this.ctx, children: childrenByParent(processes) };
    return { changed, score: (p: ProcessInfo) => scoreCandidate(p, snap, ctx) };
  }

  /** The process with `pages` more anonymous memory (resident, and in total_vm). */
  grown(pages: number): Partial<ProcessInfo> {
    const bytes = pages * this.pageSize;
    return { rssAnon: this.process.rssAnon + bytes, vmSize: this.process.vmSize + bytes };
  }
}

/** Smallest n in [lo, hi] where `holds` (false…false true…true), or null when it never holds. */
function smallestWhere(lo: number, hi: number, holds: (n: number) => boolean): number | null {
  if (lo > hi || !holds(hi)) return null;
  let low = lo;
  let high = hi;
  while (low < high) {
    const mid = low + Math.floor((high - low) / 2);
    if (holds(mid)) high = mid;
    else low = mid + 1;
  }
  return high;
}

function passAhead(trials: Trials, ahead: Candidate): PassAhead {
  const passes = (change: Partial<ProcessInfo>) => trials.order(change, ahead) < 0;
  let bound = 1;
  while (bound <= MAX_EXTRA_PAGES && !passes(trials.grown(bound))) bound *= 2;
  const pages =
    bound > MAX_EXTRA_PAGES
      ? null
      : smallestWhere(Math.ceil(bound / 2), bound, (n) => passes(trials.grown(n)));
  const oomScoreAdj = smallestWhere(trials.process.oomScoreAdj + 1, OOM_SCORE_ADJ_MAX, (adj) =>
    passes({ oomScoreAdj: adj }),
  );
  return { pages, bytes: pages === null ? null : pages * trials.pageSize, oomScoreAdj };
}

function fallBehind(trials: Trials, behind: Candidate): FallBehind {
  // Sorted after `behind` for adj ≤ some threshold; −1000 (unkillable) always is.
  const staysAhead = (adj: number) => trials.order({ oomScoreAdj: adj }, behind) < 0;
  const lowestAhead = smallestWhere(OOM_SCORE_ADJ_MIN + 1, trials.process.oomScoreAdj - 1, staysAhead);
  const highestBehind = lowestAhead === null ? trials.process.oomScoreAdj - 1 : lowestAhead - 1;
  return { oomScoreAdj: Math.max(highestBehind, OOM_SCORE_ADJ_MIN) };
}

function remedy(c: Candidate, trials: Trials, killable: readonly Candidate[]): string | null {
  if (c.reason !== UNKILLABLE.adjMin) return null;
  const at = trials.position({ oomScoreAdj: OOM_SCORE_ADJ_MIN + 1 }, killable);
  return `raise oom_score_adj above -1000: at -999 it would rank #${at.at} of ${killable.length + 1} (badness ${at.badness} pages)`;
}

function describeKey(ranker: RankerName, c: Candidate): string {
  switch (ranker) {
    case 'kernel':
      return `badness ${c.key} pages`;
    case 'rss':
      return `RSS+swap ${formatMiB(c.key)}`;
    case 'legacy':
      return `2.6.35 points ${c.key}`;
  }
}

function describeNeighbour(ranker: RankerName, c: Candidate): string {
  return `#${c.position} pid ${c.pid} (${c.comm}), ${describeKey(ranker, c)}`;
}

function formatFactor(f: Factor): string {
  return `  ${f.name.padEnd(14)}${`${f.pages} pages`.padStart(18)}${formatMiB(f.bytes).padStart(16)}  ${f.note}`;
}

function formatOomScore(s: OomScoreComputation): string {
  const kernel = s.kernelOomScore === null ? '' : `; the kernel reads ${s.kernelOomScore}`;
  if (s.badness === null || s.perMille === null) return `oom_score = 0 (not eligible)${kernel}`;
  return (
    `oom_score = trunc((1000 + trunc(${s.badness} × 1000 / ${s.globalTotalPages})) × 2 / 3)` +
    ` = trunc((1000 + ${s.perMille}) × 2 / 3) = ${s.score}${kernel}`
  );
}

/** The plain-text lines `oomguard explain` prints. */
export function formatExplanation(e: Explanation): string {
  const c = e.candidate;
  const lines = [
    `pid ${c.pid} (${c.comm}), uid ${c.uid}, cgroup ${c.cgroup}, oom_score_adj ${c.oomScoreAdj}`,
    c.killable
      ? `ranker ${e.ranker}, scope ${e.scope}: #${c.position} of ${e.killableCount} killable`
      : `ranker ${e.ranker}, scope ${e.scope}: not killable (${c.reason})`,
    `T = ${e.totalPages} pages (${formatMiB(e.totalPages * e.pageSize)}): ${e.totalPagesSource}`,
    'badness factors:',
    ...e.factors.map(formatFactor),
  ];
  if (c.killable) {
    const tie = c.tied ? ' (tied with a neighbour: iteration order decides)' : '';
    lines.push(`sort key: ${describeKey(e.ranker, c)}${tie}`);
  }
  lines.push(formatOomScore(e.oomScore));
  if (e.ahead !== null) lines.push(`ahead:  ${describeNeighbour(e.ranker, e.ahead)}`);
  if (e.behind !== null) lines.push(`behind: ${describeNeighbour(e.ranker, e.behind)}`);
  if (c.killable && e.ahead === null) lines.push('first in line: the next victim');
  if (e.toPassAhead !== null) {
    const ways = [
      e.toPassAhead.pages === null || e.toPassAhead.bytes === null
        ? null
        : `${e.toPassAhead.pages} more pages (${formatMiB(e.toPassAhead.bytes)}) of memory`,
      e.toPassAhead.oomScoreAdj === null ? null : `oom_score_adj ${e.toPassAhead.oomScoreAdj}`,
    ].filter((w) => w !== null);
    lines.push(`to pass ahead: ${ways.length === 0 ? 'nothing within reach' : ways.join(', or ')}`);
  }
  if (e.toFallBehind !== null) {
    lines.push(
      e.toFallBehind.oomScoreAdj === OOM_SCORE_ADJ_MIN
        ? 'to fall behind: only oom_score_adj -1000 (unkillable)'
        : `to fall behind: oom_score_adj ${e.toFallBehind.oomScoreAdj} or lower`,
    );
  }
  if (e.unkillable !== null) {
    lines.push(`not killable: ${e.unkillable.reason}; ${e.unkillable.remedy ?? 'nothing makes it killable'}`);
  }
  return lines.join('\n');
}
