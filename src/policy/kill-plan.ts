// How one kill is carried out: the victim alone, its process group, or its whole cgroup — and never a
// process the safety rules forbid, whichever unit was asked for. Pure: the executor carries the plan out.
import type { KillUnit } from '../config/types.js';
import type { ProcessInfo, Snapshot } from '../model/snapshot.js';
import { unkillableReason } from '../score/eligibility.js';
import { inScope } from './rank.js';
import type { RuledCandidate } from './rules.js';

export interface KillTarget {
  readonly pid: number;
  readonly startTicks: number;
  readonly comm: string;
  readonly uid: number;
  readonly cgroup: string;
  readonly rssBytes: number;
}

export interface Refusal {
  readonly pid: number;
  readonly comm: string;
  readonly reason: string;
}

export interface KillPlan {
  readonly unit: KillUnit;
  readonly victim: KillTarget;
  /** Everyone to signal, the victim first. */
  readonly targets: readonly KillTarget[];
  /** For the cgroup unit: the cgroup killed (the victim's own, unless a cgroup policy chose another). */
  readonly cgroup: string | null;
  /** True when every process of that cgroup's subtree may die, so cgroup.kill may be used. */
  readonly wholeCgroup: boolean;
  /** Members of the unit that are spared, and why. */
  readonly spared: readonly Refusal[];
}

export function toTarget(p: ProcessInfo): KillTarget {
  return {
    pid: p.pid,
    startTicks: p.startTicks,
    comm: p.comm,
    uid: p.uid,
    cgroup: p.cgroup,
    rssBytes: p.rssAnon + p.rssFile + p.rssShmem,
  };
}

/**
 * Why oomguard must not signal this process, or null when it may. The same refusals hold for the victim
 * and for every member of a group or cgroup: host init, kernel threads, oom_score_adj -1000, oomguard
 * itself, anything outside the scope, and anything a rule excluded (protect or ignore).
 */
export function refusal(
  p: ProcessInfo,
  snap: Snapshot,
  scope: string | null,
  excluded: ReadonlyMap<number, string>,
): string | null {
  if (snap.selfPid !== null && p.pid === snap.selfPid) return 'oomguard itself';
  const unkillable = unkillableReason(p, snap.hostPidNamespace);
  if (unkillable !== null) return unkillable;
  if (scope !== null && !inScope(p.cgroup, scope)) return `outside the scope ${scope}`;
  return excluded.get(p.pid) ?? null;
}

/**
 * `unitCgroup`: the cgroup the 'cgroup' unit takes (a cgroup policy's choice, or the memory.oom.group ancestor);
 * by default the victim's own. It must hold the victim.
 */
export function planKill(
  victim: RuledCandidate,
  ruled: readonly RuledCandidate[],
  snap: Snapshot,
  unit: KillUnit,
  scope: string | null,
  unitCgroup: string | null = null,
): KillPlan {
  const byPid = new Map(snap.processes.map((p) => [p.pid, p]));
  const v = byPid.get(victim.candidate.pid);
  if (v === undefined) throw new Error(`victim ${victim.candidate.pid} is not in the snapshot`);
  const cgroup = unitCgroup ?? v.cgroup;
  if (!inScope(v.cgroup, cgroup)) throw new Error(`victim ${v.pid} is not in cgroup ${cgroup}`);
  const excluded = new Map<number, string>();
  for (const r of ruled) if (r.excludedBy !== null) excluded.set(r.candidate.pid, r.excludedBy);

  // The root cgroup is no unit: its subtree is the whole machine (on v1, most processes sit right in it).
  const members =
    unit === 'process' || (unit === 'cgroup' && cgroup === '/')
      ? [v]
      : unit === 'process-group'
        ? snap.processes.filter((p) => p.pgid === v.pgid)
        : snap.processes.filter((p) => inScope(p.cgroup, cgroup));
  const targets: KillTarget[] = [toTarget(v)];
  const spared: Refusal[] = [];
  for (const p of members) {
    if (p.pid === v.pid) continue;
    // Zombies (and kernel threads) have no memory to free and need no signal.
    if (!p.hasMm) continue;
    const why = refusal(p, snap, scope, excluded);
    if (why === null) targets.push(toTarget(p));
    else spared.push({ pid: p.pid, comm: p.comm, reason: why });
  }
  return {
    unit,
    victim: toTarget(v),
    targets,
    cgroup: unit === 'cgroup' ? cgroup : null,
    // cgroup.kill cannot spare anyone, and the root cgroup is never killed whole.
    wholeCgroup: unit === 'cgroup' && spared.length === 0 && cgroup !== '/',
    spared,
  };
}
