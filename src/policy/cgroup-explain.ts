// What `rank` and `explain` say under a cgroup policy: the cgroup order, the choice, and where one process's cgroup
// stands in it. Pure: the selection comes from selectVictim.

import type { KillUnit } from '../config/types.js';
import { NoSuchProcessError } from '../model/errors.js';
import type { Candidate } from '../model/ranking.js';
import type { Snapshot } from '../model/snapshot.js';
import { formatMiB } from '../score/pages.js';
import type { RankedCgroup } from './cgroup-ranking.js';
import type { PassedOver } from './cgroup-select.js';
import { planKill } from './kill-plan.js';
import { inScope } from './rank.js';
import type { Selection } from './select.js';

/** `rank --policy <cgroup policy> --json`. */
export interface CgroupRankReport {
  readonly policy: string;
  readonly scope: string;
  readonly trigger: { readonly met: boolean; readonly why: string } | null;
  /** Eligible candidate cgroups in kill order, then the excluded ones. */
  readonly cgroups: readonly RankedCgroup[];
  readonly chosen: string | null;
  readonly killCgroup: string | null;
  readonly wholeBecause: string | null;
  readonly passedOver: readonly PassedOver[];
  readonly victim: Candidate | null;
  /** Everyone the kill would signal, the victim first (the kill plan's targets). */
  readonly targets: readonly number[];
  readonly why: string;
  /** The processes of the chosen cgroup, in the order they would be taken (kernel badness after the rules). */
  readonly candidates: readonly Candidate[];
}

function choiceOf(sel: Selection) {
  const choice = sel.cgroups;
  if (choice === undefined) throw new Error('not a cgroup policy selection');
  return choice;
}

/** `unit`: the configured kill unit, for a victim whose kill takes no whole cgroup. */
export function cgroupRankReport(sel: Selection, snap: Snapshot, unit: KillUnit): CgroupRankReport {
  const choice = choiceOf(sel);
  const chosen = choice.chosen?.path ?? null;
  const { killCgroup } = choice;
  const scope = choice.ranking.scope;
  const plan =
    sel.victim === null
      ? null
      : planKill(sel.victim, sel.ruled, snap, killCgroup === null ? unit : 'cgroup', scope, killCgroup);
  return {
    policy: choice.ranking.policy,
    scope: choice.ranking.scope,
    trigger: choice.ranking.trigger,
    cgroups: choice.ranking.cgroups,
    chosen,
    killCgroup: choice.killCgroup,
    wholeBecause: choice.wholeBecause,
    passedOver: choice.passedOver,
    victim: sel.victim?.candidate ?? null,
    targets: plan === null ? [] : plan.targets.map((t) => t.pid),
    why: sel.why,
    candidates:
      chosen === null
        ? []
        : sel.ruled
            .filter((r) => r.excludedBy === null && inScope(r.candidate.cgroup, chosen))
            .map((r) => r.candidate),
  };
}

function describeCgroup(c: RankedCgroup): string {
  const place = c.excludedBy === null ? `#${c.position}` : 'excluded';
  const pref = c.preference === 'none' ? '' : ` [${c.preference} by ${c.preferenceSource}]`;
  const excluded = c.excludedBy === null ? '' : ` (${c.excludedBy})`;
  return `${place.padEnd(9)} ${c.path}  ${c.why}${pref}${excluded}`;
}

/** The text of `rank` under a cgroup policy: `top` limits the cgroups listed. */
export function formatCgroupRank(report: CgroupRankReport, top?: number): string {
  const lines = [`policy ${report.policy}, scope ${report.scope}`];
  if (report.trigger !== null) {
    lines.push(`trigger: ${report.trigger.met ? 'met' : 'not met'}: ${report.trigger.why}`);
  }
  const listed = top === undefined ? report.cgroups : report.cgroups.slice(0, top);
  lines.push(...(listed.length === 0 ? ['no candidate cgroups'] : listed.map(describeCgroup)));
  lines.push(report.why);
  if (report.targets.length > 1)
    lines.push(`the kill signals ${report.targets.length} processes: ${report.targets.join(' ')}`);
  for (const c of report.candidates.slice(0, top ?? 5)) {
    lines.push(
      `  pid ${c.pid} (${c.comm}) in ${c.cgroup}: badness ${c.badness} pages, RSS ${formatMiB(c.rssBytes)}`,
    );
  }
  return lines.join('\n');
}

/** `explain PID --policy <cgroup policy>`: where the process's cgroup stands and why the chosen one was chosen. */
export interface CgroupExplanation {
  readonly pid: number;
  readonly comm: string;
  readonly cgroup: string;
  readonly policy: string;
  readonly scope: string;
  /** The candidate cgroup that holds the process; null when none does (it sits in the scope itself, or outside). */
  readonly candidate: RankedCgroup | null;
  readonly chosen: RankedCgroup | null;
  /** True when the process's candidate cgroup is the chosen one. */
  readonly inChosen: boolean;
  /** True when the process is the victim, or would die with the whole cgroup the kill takes. */
  readonly wouldDie: boolean;
  readonly killCgroup: string | null;
  readonly wholeBecause: string | null;
  readonly why: string;
  readonly lines: readonly string[];
}

export function explainCgroupChoice(snap: Snapshot, pid: number, sel: Selection): CgroupExplanation {
  const p = snap.processes.find((x) => x.pid === pid);
  if (p === undefined) throw new NoSuchProcessError(pid);
  const choice = choiceOf(sel);
  const { ranking, chosen, killCgroup } = choice;
  const candidate = ranking.cgroups.find((c) => inScope(p.cgroup, c.path)) ?? null;
  const inChosen = candidate !== null && chosen !== null && candidate.path === chosen.path;
  const isVictim = sel.victim?.candidate.pid === pid;
  const wouldDie = isVictim || (killCgroup !== null && inScope(p.cgroup, killCgroup));
  const lines = [
    `pid ${pid} (${p.comm}) in cgroup ${p.cgroup}; policy ${ranking.policy}, scope ${ranking.scope}`,
  ];
  if (ranking.trigger !== null) {
    lines.push(`trigger: ${ranking.trigger.met ? 'met' : 'not met'}: ${ranking.trigger.why}`);
  }
  if (candidate === null) {
    lines.push(
      inScope(p.cgroup, ranking.scope)
        ? `its cgroup is in no candidate cgroup of ${ranking.scope} (processes of the scope itself are not candidates)`
        : `its cgroup is outside the scope ${ranking.scope}`,
    );
  } else {
    lines.push(`its candidate cgroup: ${describeCgroup(candidate)}`);
  }
  if (chosen === null) lines.push('no cgroup is chosen');
  else if (inChosen) lines.push(`its cgroup is the one chosen: ${chosen.why}`);
  else lines.push(`chosen instead: ${describeCgroup(chosen)}`);
  for (const passed of choice.passedOver) lines.push(`passed over ${passed.path}: ${passed.reason}`);
  lines.push(sel.why);
  lines.push(
    isVictim
      ? 'it is the victim'
      : wouldDie
        ? `it would die with ${killCgroup}: ${choice.wholeBecause}`
        : 'it would not be killed by this choice',
  );
  return {
    pid,
    comm: p.comm,
    cgroup: p.cgroup,
    policy: ranking.policy,
    scope: ranking.scope,
    candidate,
    chosen,
    inChosen,
    wouldDie,
    killCgroup,
    wholeBecause: choice.wholeBecause,
    why: sel.why,
    lines,
  };
}
