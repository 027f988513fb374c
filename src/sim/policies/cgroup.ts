// A cgroup-aware killer (the idea of the kernel's cgroup-aware OOM patches, systemd-oomd and oomd): when the
// machine or a limited cgroup has 10 % or less left, find the cgroup that uses the most memory in that
// domain and kill its largest process — or the whole group when memory.oom.group asks for it.
import type { CgroupInfo, ProcessInfo, Snapshot } from '../../model/snapshot.js';
import { inScope } from '../../policy/rank.js';
import { formatSize } from '../units.js';
import { buildSnapshot } from '../view.js';
import type { Agent, World } from '../world.js';

export const CGROUP_SHORT_PERCENT = 10;
const POLL_MS = 1000;
const AFTER_KILL_MS = 2000;

export interface CgroupDecision {
  /** The domain that is short: '/' for the machine, else a limited cgroup. */
  readonly domain: string;
  /** The cgroup chosen (the largest by its members' memory). */
  readonly cgroup: string;
  /** Who dies: the cgroup's largest process, or every member of its oom.group. */
  readonly targets: readonly ProcessInfo[];
  readonly whole: boolean;
  readonly why: string;
}

function workingSet(cg: CgroupInfo): number {
  const inactive = cg.stat[cg.version === 2 ? 'inactive_file' : 'total_inactive_file'] ?? 0;
  return Math.max(0, (cg.usage ?? 0) - inactive);
}

const memoryOf = (p: ProcessInfo) => p.rssAnon + p.rssFile + p.rssShmem + p.swap;

/** Domains that are short, the tightest (deepest limited cgroup) first, the machine last. */
export function shortDomains(snap: Snapshot): { path: string; why: string }[] {
  const out: { path: string; why: string; depth: number }[] = [];
  for (const cg of snap.cgroups.values()) {
    if (cg.limit === null || cg.usage === null) continue;
    const left = cg.limit - workingSet(cg);
    if (left * 100 <= cg.limit * CGROUP_SHORT_PERCENT) {
      out.push({
        path: cg.path,
        why: `${cg.path}: ${formatSize(Math.max(left, 0))} of its ${formatSize(cg.limit)} limit left`,
        depth: cg.path.split('/').length,
      });
    }
  }
  out.sort((a, b) => b.depth - a.depth || (a.path < b.path ? -1 : 1));
  const mi = snap.meminfo;
  const avail = mi.memAvailable ?? mi.memFree;
  const swapShort = mi.swapTotal === 0 || mi.swapFree * 100 <= mi.swapTotal * CGROUP_SHORT_PERCENT;
  if (avail * 100 <= mi.memTotal * CGROUP_SHORT_PERCENT && swapShort) {
    out.push({
      path: '/',
      why: `the machine: ${formatSize(avail)} available of ${formatSize(mi.memTotal)}`,
      depth: 0,
    });
  }
  return out.map(({ path, why }) => ({ path, why }));
}

/** The largest cgroup (by its own members' RSS + swap) in the domain, and whom to kill in it. */
export function chooseInDomain(
  snap: Snapshot,
  domain: string,
): (Omit<CgroupDecision, 'why'> & { why: string }) | null {
  const byCgroup = new Map<string, ProcessInfo[]>();
  for (const p of snap.processes) {
    if (!inScope(p.cgroup, domain) || p.kthread || !p.hasMm || p.oomScoreAdj === -1000) continue;
    if (snap.hostPidNamespace && p.pid === 1) continue;
    const list = byCgroup.get(p.cgroup);
    if (list) list.push(p);
    else byCgroup.set(p.cgroup, [p]);
  }
  let best: { path: string; bytes: number; members: ProcessInfo[] } | null = null;
  for (const [path, members] of byCgroup) {
    const bytes = members.reduce((s, p) => s + memoryOf(p), 0);
    if (best === null || bytes > best.bytes || (bytes === best.bytes && path < best.path))
      best = { path, bytes, members };
  }
  if (best === null) return null;
  const group = oomGroupBetween(snap, best.path, domain);
  if (group !== null) {
    const targets = snap.processes.filter(
      (p) => inScope(p.cgroup, group) && p.oomScoreAdj !== -1000 && !(snap.hostPidNamespace && p.pid === 1),
    );
    return {
      domain,
      cgroup: group,
      targets,
      whole: true,
      why: `largest cgroup ${best.path} (${formatSize(best.bytes)}); memory.oom.group of ${group}: all ${targets.length} processes`,
    };
  }
  const largest = [...best.members].sort(
    (a, b) => memoryOf(b) - memoryOf(a) || a.pid - b.pid,
  )[0] as ProcessInfo;
  return {
    domain,
    cgroup: best.path,
    targets: [largest],
    whole: false,
    why: `largest cgroup ${best.path} (${formatSize(best.bytes)} in ${best.members.length} processes); its largest process uses ${formatSize(memoryOf(largest))}`,
  };
}

function oomGroupBetween(snap: Snapshot, path: string, domain: string): string | null {
  let group: string | null = null;
  for (let at = path; at !== '/' && inScope(at, domain); at = at.slice(0, at.lastIndexOf('/')) || '/') {
    if (snap.cgroups.get(at)?.oomGroup === true) group = at;
  }
  return group;
}

/** What the policy does on this snapshot: null when no domain is short (or nobody can be killed). */
export function cgroupDecision(snap: Snapshot): CgroupDecision | null {
  for (const d of shortDomains(snap)) {
    const choice = chooseInDomain(snap, d.path);
    if (choice !== null) return { ...choice, why: `${d.why}; ${choice.why}` };
  }
  return null;
}

export class CgroupAgent implements Agent {
  readonly label = 'cgroup';
  nextPollMs = 0;

  poll(w: World): void {
    const decision = cgroupDecision(buildSnapshot(w, { processes: true, cgroupSubtree: '/' }));
    this.nextPollMs = w.now + POLL_MS;
    if (decision === null) return;
    for (const t of decision.targets) {
      const p = w.procs.get(t.pid);
      if (p === undefined || p.state !== 'run') continue;
      w.kill(p, 'oomguard', `cgroup policy: ${decision.why}`);
      w.release(p);
    }
    this.nextPollMs = w.now + AFTER_KILL_MS;
  }
}
