// From a cgroup order to one victim: the first candidate cgroup that holds a process oomguard may kill gives its
// largest (highest kernel badness after the rules), and the kill takes a whole cgroup when memory.oom.group, the
// policy or the configured unit says so. Pure.
import type { KillUnit } from '../config/types.js';
import { formatMiB } from '../score/pages.js';
import { killsWholeCgroup } from './cgroup-policy.js';
import type { CgroupRanking, RankedCgroup } from './cgroup-ranking.js';
import { type CgroupTree, oomGroupOf } from './cgroup-tree.js';
import { inScope } from './rank.js';
import type { RuledCandidate } from './rules.js';

export interface PassedOver {
  readonly path: string;
  readonly reason: string;
}

export interface CgroupChoice {
  readonly ranking: CgroupRanking;
  /** The cgroup the victim comes from; null when no candidate holds a process that may be killed. */
  readonly chosen: RankedCgroup | null;
  /** The cgroup killed whole (every member oomguard may signal); null: the victim alone, or its process group. */
  readonly killCgroup: string | null;
  /** Why the kill takes the whole cgroup; null when it does not. */
  readonly wholeBecause: string | null;
  /** Candidates ahead of the chosen one that hold no process oomguard may kill. */
  readonly passedOver: readonly PassedOver[];
}

export interface CgroupVictim {
  readonly choice: CgroupChoice;
  readonly victim: RuledCandidate | null;
}

/** `ruled`: every process of the scope after the rules, eligible ones first in kill order (applyRules' output). */
export function chooseInCgroups(
  ranking: CgroupRanking,
  ruled: readonly RuledCandidate[],
  tree: CgroupTree,
  killUnit: KillUnit,
): CgroupVictim {
  const passedOver: PassedOver[] = [];
  for (const cg of ranking.cgroups) {
    if (cg.excludedBy !== null) break;
    const members = ruled.filter((r) => inScope(r.candidate.cgroup, cg.path));
    const victim = members.find((r) => r.excludedBy === null);
    if (victim === undefined) {
      const first = members[0];
      passedOver.push({
        path: cg.path,
        reason:
          first === undefined
            ? 'no processes'
            : `none of its ${members.length} processes may be killed (pid ${first.candidate.pid}: ${first.excludedBy})`,
      });
      continue;
    }
    const found = oomGroupOf(tree, victim.candidate.cgroup, ranking.scope);
    // A policy that kills the candidate whole is not narrowed by a group inside it (the kubelet sets
    // memory.oom.group on each container; `kube` still takes the pod).
    const group =
      found !== null && killsWholeCgroup(ranking.policy) && found !== cg.path && inScope(found, cg.path)
        ? null
        : found;
    const [killCgroup, wholeBecause] =
      group !== null
        ? [group, `memory.oom.group is 1 on ${group}`]
        : killsWholeCgroup(ranking.policy)
          ? [cg.path, `the ${ranking.policy} policy kills cgroups whole`]
          : killUnit === 'cgroup'
            ? [cg.path, 'the kill unit is cgroup']
            : [null, null];
    return { choice: { ranking, chosen: cg, killCgroup, wholeBecause, passedOver }, victim };
  }
  return {
    choice: { ranking, chosen: null, killCgroup: null, wholeBecause: null, passedOver },
    victim: null,
  };
}

/** The choice in one line, for logs and `why`. */
export function describeChoice(choice: CgroupChoice, victim: RuledCandidate | null): string {
  const { ranking, chosen } = choice;
  const scope = ranking.scope;
  if (chosen === null || victim === null) {
    const passed = choice.passedOver.map((p) => `${p.path}: ${p.reason}`).join('; ');
    return `${ranking.policy}: no candidate cgroup in ${scope} holds a process that may be killed${passed ? ` (${passed})` : ''}`;
  }
  const pref = chosen.preference === 'none' ? '' : `, ${chosen.preference} by ${chosen.preferenceSource}`;
  const c = victim.candidate;
  const inside = `its largest process pid ${c.pid} (${c.comm}), badness ${c.badness} pages, RSS ${formatMiB(c.rssBytes)}`;
  const whole =
    choice.killCgroup === null ? '' : `; the kill takes ${choice.killCgroup} whole: ${choice.wholeBecause}`;
  return `${ranking.policy}: cgroup ${chosen.path} is #${chosen.position} of ${scope}'s candidates (${chosen.why}${pref}); ${inside}${whole}`;
}
