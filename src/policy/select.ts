// Whom to kill: the ranker's order, then the rules, then the daemon's own protections. Pure: the process
// facts rules may need (command line, executable, user) arrive through a callback.
import type { DaemonConfig } from '../config/types.js';
import type { Ranking } from '../model/ranking.js';
import type { Snapshot } from '../model/snapshot.js';
import { rankProcesses } from './rank.js';
import { applyRules, type CompiledRule, type FactsFn, type RuledCandidate } from './rules.js';

export interface Selection {
  readonly ranking: Ranking;
  /** Every candidate after the rules, eligible ones first in kill order. */
  readonly ruled: readonly RuledCandidate[];
  /** The first eligible candidate; null when nobody may be killed. */
  readonly victim: RuledCandidate | null;
  readonly why: string;
}

export type SelectionSettings = Pick<DaemonConfig, 'ranker' | 'scopeCgroup'>;

export function selectVictim(
  snap: Snapshot,
  config: SelectionSettings,
  rules: readonly CompiledRule[],
  facts: FactsFn,
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
  const eligible = ruled.filter((r) => r.excludedBy === null);
  const victim = eligible[0] ?? null;
  const scope = config.scopeCgroup ?? '/';
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
