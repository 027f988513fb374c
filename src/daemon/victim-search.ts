// The daemon's selection: read what ranking needs, rank, apply the rules. For a global OOM under the kernel
// ranker it reads in two phases (src/policy/shortlist.ts): every process's oom_score, then full records
// only for the highest groups, as far down as one of them could still win. Elsewhere it reads everything.
import type { Host, OomScores } from '../host/host.js';
import { sampleForRanking } from '../host/ranking-sample.js';
import type { ProcessInfo, Snapshot } from '../model/snapshot.js';
import type { CompiledRule, FactsFn } from '../policy/rules.js';
import { type Selection, type SelectionSettings, selectVictim } from '../policy/select.js';
import {
  groupByScore,
  maxRuleBoostPoints,
  type ScoreGroup,
  twoPhaseRefusal,
  unreadCannotWin,
} from '../policy/shortlist.js';
import { globalTotalPages } from '../score/badness.js';

/**
 * When the oom_score groups down to the victim's hold more than this share of the processes (a machine of
 * many equal small processes), phase one is wasted work: the next search reads everything at once.
 */
const FULL_SCAN_SHARE = 0.5;

export interface VictimSearch {
  readonly snap: Snapshot;
  readonly selection: Selection;
  /** 'two-phase' or why the search read every process. */
  readonly method: string;
  /** Processes whose full record was read. */
  readonly detailed: number;
  /** Processes seen at all (phase one's count in a two-phase search). */
  readonly seen: number;
}

/** What one search learns for the next: whether two phases paid off on this machine's process mix. */
export class VictimSearcher {
  private fullScanNext = false;

  constructor(
    private readonly host: Host,
    private readonly rules: readonly CompiledRule[],
  ) {}

  /** `facts` gives the rules' process facts for the snapshot the selection ranks. */
  search(
    settings: SelectionSettings,
    facts: (snap: Snapshot) => FactsFn,
    history: readonly Snapshot[] = [],
  ): VictimSearch {
    const refusal = twoPhaseRefusal(settings);
    const readScores = this.host.readOomScores?.bind(this.host);
    if (refusal !== null || readScores === undefined || this.fullScanNext) {
      const snap = sampleForRanking(this.host, {
        cgroup: settings.scopeCgroup,
        cgroupTree: settings.cgroupPolicy != null,
        // Reclaim counters and io/cpu pressure serve the cgroup policies only (the two-phase reads skip them too).
        counters: settings.cgroupPolicy != null,
      });
      const selection = selectVictim(snap, settings, this.rules, facts(snap), history);
      if (refusal === null) this.fullScanNext = twoPhaseReadShare(selection) > FULL_SCAN_SHARE;
      const method =
        refusal ?? (readScores === undefined ? 'the host has no oom_score' : 'many processes tie at the top');
      return {
        snap,
        selection,
        method: `full scan (${method})`,
        detailed: snap.processes.length,
        seen: snap.processes.length,
      };
    }
    return this.twoPhase(settings, readScores(), facts, history);
  }

  private twoPhase(
    settings: SelectionSettings,
    scores: OomScores,
    facts: (snap: Snapshot) => FactsFn,
    history: readonly Snapshot[],
  ): VictimSearch {
    const groups = groupByScore(scores.pids, scores.scores);
    const seen = scores.pids.length;
    const boostPoints = maxRuleBoostPoints(this.rules);
    let processes: ProcessInfo[] = [];
    // Groups go in from the highest score down; at least one read happens, even with no process at all.
    for (let i = 0; ; ) {
      // Past half of the processes, the rest come in one read: a long walk down small groups costs more.
      const take = processes.length > seen / 2 ? groups.slice(i) : groups.slice(i, i + 1);
      i += Math.max(1, take.length);
      const sample = this.host.sample({ processes: true, counters: false, pids: pidsOf(take) });
      processes = mergeByPid(processes, sample.processes);
      const snap: Snapshot = { ...sample, processes };
      const selection = selectVictim(snap, settings, this.rules, facts(snap), history);
      const next = groups[i];
      const best = selection.victim?.key;
      const total = globalTotalPages(snap.meminfo, snap.pageSize).pages;
      if (
        next === undefined ||
        (best !== undefined && unreadCannotWin(best, next, total, boostPoints * Math.trunc(total / 1000)))
      ) {
        this.fullScanNext = processes.length > seen * FULL_SCAN_SHARE;
        return { snap, selection, method: 'two-phase', detailed: processes.length, seen };
      }
    }
  }
}

function pidsOf(groups: readonly ScoreGroup[]): number[] {
  const pids = groups.flatMap((g) => g.pids);
  return groups.length > 1 ? pids.sort((a, b) => a - b) : pids;
}

function mergeByPid(a: readonly ProcessInfo[], b: readonly ProcessInfo[]): ProcessInfo[] {
  if (a.length === 0) return [...b];
  return [...a, ...b].sort((x, y) => x.pid - y.pid);
}

/**
 * The share of killable candidates a two-phase search would read in full to find this selection's victim:
 * every group down to the victim's oom_score (the groups above it hold only processes the rules or the
 * daemon pass over, such as oomguard itself); every killable one when no victim was chosen, and 0 when none
 * is killable.
 */
function twoPhaseReadShare(selection: Selection): number {
  const victim = selection.victim;
  let killable = 0;
  let atOrAbove = 0;
  for (const c of selection.ranking.candidates) {
    if (!c.killable) continue;
    killable++;
    if (victim === null || c.oomScore >= victim.candidate.oomScore) atOrAbove++;
  }
  return killable === 0 ? 0 : atOrAbove / killable;
}
