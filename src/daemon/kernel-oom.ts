// The kernel's own OOM kills, seen by the daemon: decoded reports from the kernel log, and the oom_kill
// counters of watched cgroups (which also catch kills whose report the log lost). Pure: the host reads.
import type { CgroupInfo } from '../model/snapshot.js';
import type { DaemonEvent } from '../observe/events.js';
import type { Postmortem } from '../postmortem/analyze.js';

/** One event for one decoded kernel OOM report: who died, why, and whether oomguard's model agrees. */
export function kernelOomEvent(p: Postmortem): DaemonEvent {
  const v = p.victim;
  const who = v ? `pid ${v.pid} (${v.comm})` : 'an unnamed process';
  const where = p.memcg ? `memcg ${p.memcg}` : (p.constraint ?? 'global');
  return {
    event: 'kernel-oom',
    level: 'warning',
    message: `the kernel's OOM killer killed ${who} (${where}); oomguard's model ${p.recomputed.verdict}: ${p.recomputed.why}`,
    fields: {
      pid: v?.pid ?? null,
      comm: v?.comm ?? null,
      uid: v?.uid ?? null,
      rssBytes: v ? (v.anonRssKb + v.fileRssKb + (v.shmemRssKb ?? 0)) * 1024 : null,
      constraint: p.constraint,
      memcg: p.memcg,
      taskMemcg: p.taskMemcg,
      pod: p.pod,
      modelVerdict: p.recomputed.verdict,
      runnerUp: p.recomputed.runnerUp
        ? { pid: p.recomputed.runnerUp.pid, comm: p.recomputed.runnerUp.name }
        : null,
      marginBytes: p.recomputed.marginBytes,
      partial: p.partial,
    },
  };
}

/** oom_kill of a memory cgroup: v1 memory.oom_control, v2 memory.events (hierarchical). null when absent. */
export function cgroupOomKills(cg: CgroupInfo): number | null {
  if (cg.oomControl !== null) return cg.oomControl.oomKill;
  return cg.events.oom_kill ?? null;
}

/** Remembers each watched cgroup's oom_kill count and reports how much it rose since the last look. */
export class OomKillCounter {
  private readonly last = new Map<string, number>();

  /** The rise since the previous call for this cgroup; 0 the first time (the history before we looked is not ours). */
  rise(cg: CgroupInfo): number {
    const now = cgroupOomKills(cg);
    if (now === null) return 0;
    const before = this.last.get(cg.path);
    this.last.set(cg.path, now);
    return before === undefined ? 0 : Math.max(0, now - before);
  }
}
