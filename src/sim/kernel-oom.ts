// The simulated kernel's OOM killer (mm/oom_kill.c out_of_memory): panic_on_oom, the wait for an earlier
// victim, oom_kill_allocating_task, the choice by the same ranking code oomguard uses everywhere
// (src/policy/rank.ts: badness, or the 2.6.35 heuristic for the legacy kernel), memory.oom.group and
// the co-killing of processes that share the victim's mm.
import { rankProcesses, selectVictim } from '../policy/rank.js';
import { OOM_SCORE_ADJ_MIN } from '../score/eligibility.js';
import { formatSize } from './units.js';
import { buildSnapshot } from './view.js';
import type { SimCgroup, SimProcess, World } from './world.js';

/** freed: memory came back, retry; wait: an earlier victim is still exiting; none: nobody to kill (memcg). */
export type OomOutcome = 'freed' | 'wait' | 'none' | 'panic';

export function runKernelOom(w: World, allocating: SimProcess, domain: SimCgroup | null): OomOutcome {
  const k = w.scenario.kernel;
  const scope = domain?.path ?? '/';
  const what =
    domain === null
      ? `global OOM: ${formatSize(w.scenario.machine.ram)} RAM and ${formatSize(w.scenario.machine.swap)} swap exhausted`
      : `memcg OOM in ${domain.path}: limit ${formatSize(domain.limit ?? 0)} reached`;
  const recordOom = () =>
    w.record(
      'oom',
      allocating,
      'kernel',
      `${what}; ${allocating.name} (pid ${allocating.pid}) was allocating`,
      scope,
    );
  const panicOn = k.panicOnOom === 2 || (k.panicOnOom === 1 && domain === null);
  if (panicOn) {
    w.ooms++;
    recordOom();
    const kind = k.panicOnOom === 2 ? 'compulsory' : 'system-wide';
    const why = `Kernel panic - not syncing: Out of memory: ${kind} panic_on_oom is enabled`;
    w.doPanic(why, scope);
    return 'panic';
  }
  const members = domain === null ? [...w.procs.values()] : w.procsIn(domain);
  // An earlier victim that has not exited yet: the kernel waits for it instead of choosing another.
  if (members.some((p) => p.state === 'dying')) return 'wait';
  w.ooms++;
  if (domain !== null) domain.events.oom++;
  recordOom();

  if (
    k.oomKillAllocatingTask &&
    domain === null &&
    allocating.adj !== OOM_SCORE_ADJ_MIN &&
    allocating.pid !== 1
  ) {
    killWithCompanions(
      w,
      allocating,
      scope,
      'oom_kill_allocating_task: the allocating task is killed without a scan',
    );
    return w.scenario.kernel.reapDelayMs === 0 ? 'freed' : 'wait';
  }
  const snap = buildSnapshot(w, { processes: true, cgroupSubtree: '/' });
  const ranking = rankProcesses(snap, { ranker: w.options.ranker, cgroup: domain?.path ?? null });
  const chosen = selectVictim(ranking);
  if (chosen === null) {
    if (domain === null) {
      const why = 'Kernel panic - not syncing: System is deadlocked on memory';
      w.doPanic(why, '/');
      return 'panic';
    }
    w.record(
      'oom',
      allocating,
      'kernel',
      `no killable process in ${domain.path}: the allocation waits`,
      scope,
    );
    return 'none';
  }
  const victim = w.procs.get(chosen.pid) as SimProcess;
  const killable = ranking.candidates.filter((c) => c.killable).length;
  const why =
    w.options.ranker === 'legacy'
      ? `2.6.35 badness ${chosen.key} points, the highest of ${killable} candidates`
      : `badness ${chosen.badness} pages (oom_score ${chosen.oomScore}, oom_score_adj ${chosen.oomScoreAdj}), the highest of ${killable} candidates`;
  killWithCompanions(w, victim, scope, `${what}: ${why}`);
  return w.scenario.kernel.reapDelayMs === 0 ? 'freed' : 'wait';
}

/** The victim, every process sharing its mm (whatever its adj), and its oom.group (except adj −1000 and init). */
function killWithCompanions(w: World, victim: SimProcess, scope: string, reason: string): void {
  const group = oomGroupOf(victim.cg, scope);
  w.oomKills++;
  countKill(victim.cg);
  w.kill(victim, 'kernel', reason);
  for (const p of [...w.procs.values()]) {
    if (p.mm === victim.mm && p !== victim && p.pid !== 1 && p.state === 'run') {
      w.kill(p, 'kernel', `shares the mm of pid ${victim.pid} (${victim.name})`);
    }
  }
  if (group === null) return;
  group.events.oom_group_kill++;
  for (const p of w.procsIn(group)) {
    if (p.state !== 'run' || p.adj === OOM_SCORE_ADJ_MIN || p.pid === 1) continue;
    w.oomKills++;
    countKill(p.cg);
    w.kill(p, 'kernel', `memory.oom.group of ${group.path}: killed with pid ${victim.pid} (${victim.name})`);
  }
}

function countKill(cg: SimCgroup): void {
  for (let at: SimCgroup | null = cg; at !== null; at = at.parent) at.events.oom_kill++;
}

/** The highest cgroup with memory.oom.group between the victim's and the OOM domain (inclusive), root excluded. */
function oomGroupOf(cg: SimCgroup, scope: string): SimCgroup | null {
  let group: SimCgroup | null = null;
  for (let at: SimCgroup | null = cg; at !== null && at.parent !== null; at = at.parent) {
    if (at.oomGroup) group = at;
    if (at.path === scope) break;
  }
  return group;
}
