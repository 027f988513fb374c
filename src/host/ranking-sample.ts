// A snapshot fit for ranking: the processes (optionally only one cgroup's subtree) plus every memory
// cgroup needed to find the OOM domain's totalpages — the subtree itself and its ancestors, because an
// unlimited cgroup OOMs at the limit of its nearest limited ancestor.
import type { CgroupInfo, Snapshot } from '../model/snapshot.js';
import type { Host } from './host.js';

export interface RankingSampleOptions {
  /** Only this cgroup's subtree (path as in /proc/PID/cgroup); null or '/' for the whole machine. */
  readonly cgroup?: string | null;
  /** Read the kernel's own oom_score beside the model's. */
  readonly kernelOomScore?: boolean;
  /** Read every memory cgroup of the scope's subtree (the whole hierarchy without a scope): cgroup policies need them. */
  readonly cgroupTree?: boolean;
  /** Read /proc/vmstat and the io and cpu PSI files (default true): only cgroup policies rank with them. */
  readonly counters?: boolean;
}

/** '/a/b/c' → ['/a/b', '/a', '/']. */
export function ancestorsOf(path: string): string[] {
  const out: string[] = [];
  let p = path;
  while (p !== '/' && p !== '') {
    p = p.slice(0, p.lastIndexOf('/')) || '/';
    out.push(p);
  }
  return out;
}

export function sampleForRanking(host: Host, options: RankingSampleOptions = {}): Snapshot {
  const scope = options.cgroup && options.cgroup !== '/' ? options.cgroup : null;
  if (scope === null) {
    return host.sample({
      processes: true,
      kernelOomScore: options.kernelOomScore ?? false,
      cgroupSubtree: options.cgroupTree === true ? '/' : null,
      counters: options.counters ?? true,
    });
  }
  // Reading the cgroup first turns a wrong path into a clear error before any process scan.
  host.readCgroup(scope);
  const snap = host.sample({
    processes: true,
    kernelOomScore: options.kernelOomScore ?? false,
    cgroupSubtree: scope,
    processScope: scope,
    counters: options.counters ?? true,
  });
  const cgroups = new Map<string, CgroupInfo>(snap.cgroups);
  for (const a of ancestorsOf(scope)) {
    if (cgroups.has(a)) continue;
    try {
      cgroups.set(a, host.readCgroup(a));
    } catch {
      // An unreadable ancestor only costs the fallback to a higher one (or the global totalpages).
    }
  }
  return { ...snap, cgroups };
}
