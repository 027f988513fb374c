// Whom to kill: the ranker's order, then the rules, then the daemon's own protections. Pure: the process
// facts rules may need (command line, executable, user) arrive through a callback.
import { DEFAULT_CONFIG } from '../config/defaults.js';
import type { DaemonConfig } from '../config/types.js';
import type { PodMetadata } from '../kube/pod-metadata.js';
import type { Ranking } from '../model/ranking.js';
import type { Snapshot } from '../model/snapshot.js';
import { rankCgroups } from './cgroup-policy.js';
import { compileCgroupRules } from './cgroup-prefs.js';
import { type CgroupChoice, chooseInCgroups, describeChoice } from './cgroup-select.js';
import { rankProcesses } from './rank.js';
import { applyRules, type CompiledRule, type FactsFn, type RuledCandidate } from './rules.js';

export interface Selection {
  readonly ranking: Ranking;
  /** Every candidate after the rules, eligible ones first in kill order. */
  readonly ruled: readonly RuledCandidate[];
  /** The first eligible candidate; null when nobody may be killed. */
  readonly victim: RuledCandidate | null;
  readonly why: string;
  /** Under a cgroup policy: the cgroup order, the cgroup chosen and what the kill takes. */
  readonly cgroups?: CgroupChoice;
}

export type SelectionSettings = Pick<DaemonConfig, 'ranker' | 'scopeCgroup'> &
  Partial<Pick<DaemonConfig, 'cgroupPolicy' | 'cgroupRules' | 'cgroupSettings' | 'killUnit'>> & {
    /** The `kube` policy's pod metadata, read by the caller for this selection; null or absent: none. */
    readonly podMetadata?: readonly PodMetadata[] | null;
  };

/**
 * `history`: earlier snapshots of the same cgroups, for the cgroup policies that compare with the past. Under a
 * cgroup policy, `snap` must hold the scope's cgroup subtree (sampleForRanking's cgroupTree).
 */
export function selectVictim(
  snap: Snapshot,
  config: SelectionSettings,
  rules: readonly CompiledRule[],
  facts: FactsFn,
  history: readonly Snapshot[] = [],
): Selection {
  const ranking = rankProcesses(snap, { ranker: config.ranker, cgroup: config.scopeCgroup });
  const ruled = applyRules(rules, ranking.candidates, facts, {
    ranker: config.ranker,
    pageSize: snap.pageSize,
  }).map((r) =>
    // oomguard never chooses itself (earlyoom drops itself too, for hidepid systems).
    r.excludedBy === null && snap.selfPid !== null && r.candidate.pid === snap.selfPid
      ? { ...r, excludedBy: 'oomguard itself' }
      : r,
  );
  const scope = config.scopeCgroup ?? '/';
  if (config.cgroupPolicy != null) {
    const cgroupRanking = rankCgroups(snap, history, {
      policy: config.cgroupPolicy,
      scope: ranking.scope,
      settings: config.cgroupSettings ?? DEFAULT_CONFIG.cgroupSettings,
      rules: compileCgroupRules(config.cgroupRules ?? []),
      podMetadata: config.podMetadata ?? null,
    });
    const { choice, victim } = chooseInCgroups(
      cgroupRanking,
      ruled,
      snap.cgroups,
      config.killUnit ?? 'process',
    );
    return { ranking, ruled, victim, why: describeChoice(choice, victim), cgroups: choice };
  }
  const eligible = ruled.filter((r) => r.excludedBy === null);
  const victim = eligible[0] ?? null;
  if (victim === null) {
    return {
      ranking,
      ruled,
      victim,
      why: `no eligible process in ${scope} (${ruled.length} candidates, all excluded)`,
    };
  }
  const c = victim.candidate;
  const adjust =
    victim.adjustPoints === 0
      ? ''
      : `, rules ${victim.adjustPoints > 0 ? '+' : ''}${victim.adjustPoints} points`;
  const why =
    `highest ${ranking.ranker} key in ${scope}: ${victim.key}` +
    (ranking.ranker === 'kernel'
      ? ` (badness ${c.badness} pages, oom_score ${c.oomScore}${adjust})`
      : adjust
        ? ` (${adjust.slice(2)})`
        : '');
  return { ranking, ruled, victim, why };
}
