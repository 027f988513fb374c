// What the simulated machine looks like through the Host interface: /proc/meminfo, the process table and
// the memory cgroups, as Snapshot values built from the world's state.
import type { SampleOptions } from '../host/host.js';
import type { CgroupInfo, MemInfo, ProcessInfo, Snapshot } from '../model/snapshot.js';
import { inScope } from '../policy/rank.js';
import type { SimCgroup, SimProcess, World } from './world.js';

const PMD_SPAN = 2 * 1024 * 1024;

export function meminfoOf(w: World): MemInfo {
  const m = w.scenario.machine;
  const t = w.total;
  return {
    memTotal: m.ram,
    memFree: w.memFree,
    memAvailable: w.memAvailable,
    buffers: 0,
    cached: t.cache + t.file + t.shmem,
    swapCached: 0,
    activeAnon: t.anon,
    inactiveAnon: 0,
    activeFile: t.file,
    inactiveFile: t.cache,
    anonPages: t.anon,
    shmem: t.shmem,
    sReclaimable: 0,
    sUnreclaim: m.kernelReserved,
    swapTotal: m.swap,
    swapFree: w.swapFree,
    commitLimit: w.commitLimit,
    committedAs: w.committed,
    hugetlb: 0,
  };
}

/** One page-table page per 2 MiB touched, plus the upper levels: what VmPTE shows for a simple process. */
export function pageTableBytes(touched: number, pageSize: number): number {
  return (Math.ceil(touched / PMD_SPAN) + 3) * pageSize;
}

export function processInfo(w: World, p: SimProcess): ProcessInfo {
  const m = w.scenario.machine;
  const shmem = p.shmemBytes;
  const touched = p.mm.anon + p.mm.file + p.mm.swap + shmem;
  return {
    pid: p.pid,
    ppid: p.ppid,
    pgid: p.pid,
    sid: p.pid,
    uid: p.spec.uid,
    euid: p.spec.uid,
    comm: p.name,
    state: p.state === 'run' ? 'S' : 'R',
    flags: 0,
    kthread: false,
    hasMm: true,
    nice: p.spec.nice,
    cpuTicks: Math.trunc((p.cpuMs(w.now) * m.clockTicks) / 1000),
    startTicks: p.startTicks,
    threads: 1,
    vmSize: Math.max(p.mm.committed, p.mm.anon + p.mm.swap) + p.mm.file + shmem,
    rssAnon: p.mm.anon,
    rssFile: p.mm.file,
    rssShmem: shmem,
    swap: p.mm.swap,
    pageTables: pageTableBytes(touched, m.pageSize),
    oomScoreAdj: p.adj,
    kernelOomScore: null,
    capEff: p.spec.capEff,
    cgroup: p.cg.path,
  };
}

export function cgroupInfo(w: World, cg: SimCgroup): CgroupInfo {
  const v = w.scenario.kernel.cgroupVersion;
  const t = cg.total;
  const stat: Record<string, number> =
    v === 2
      ? {
          anon: t.anon,
          file: t.file + t.cache + t.shmem,
          shmem: t.shmem,
          file_mapped: t.file,
          active_anon: t.anon,
          inactive_anon: 0,
          active_file: t.file,
          inactive_file: t.cache,
        }
      : {
          rss: t.anon,
          cache: t.file + t.cache + t.shmem,
          shmem: t.shmem,
          mapped_file: t.file,
          total_rss: t.anon,
          total_cache: t.file + t.cache + t.shmem,
          total_shmem: t.shmem,
          total_active_file: t.file,
          total_inactive_file: t.cache,
          total_active_anon: t.anon,
          total_inactive_anon: 0,
        };
  const isRoot = cg.parent === null;
  return {
    path: cg.path,
    version: v,
    usage: v === 2 && isRoot ? null : cg.usage,
    limit: cg.limit,
    swapUsage: t.swap,
    swapLimit: cg.swapLimit,
    memswUsage: v === 1 ? cg.usage + t.swap : null,
    memswLimit: v === 1 && cg.limit !== null && cg.swapLimit !== null ? cg.limit + cg.swapLimit : null,
    high: null,
    low: null,
    min: null,
    peak: cg.peak,
    stat,
    events: v === 2 ? { ...cg.events } : {},
    oomControl: v === 1 ? { oomKillDisable: false, underOom: false, oomKill: cg.events.oom_kill } : null,
    oomGroup: v === 2 && cg.oomGroup,
    swappiness: v === 1 ? 60 : null,
    pressure: cg.psi.read(),
    procs: [...cg.procs].map((p) => p.pid),
  };
}

export function buildSnapshot(w: World, options: SampleOptions = {}): Snapshot {
  const m = w.scenario.machine;
  const scope = options.processScope ?? null;
  const processes: ProcessInfo[] = [];
  if (options.processes !== false) {
    for (const p of w.procs.values()) {
      if (p.state === 'exited') continue;
      if (scope !== null && !inScope(p.cg.path, scope)) continue;
      processes.push(processInfo(w, p));
    }
  }
  const cgroups = new Map<string, CgroupInfo>();
  const subtree = options.cgroupSubtree ?? null;
  if (subtree !== null) {
    for (const cg of w.cgroups.values())
      if (inScope(cg.path, subtree)) cgroups.set(cg.path, cgroupInfo(w, cg));
  }
  return {
    timeMs: w.now,
    pageSize: m.pageSize,
    clockTicks: m.clockTicks,
    uptimeSec: (w.uptime0Ms + w.now) / 1000,
    meminfo: meminfoOf(w),
    vmstat: {
      pgscanKswapd: 0,
      pgscanDirect: Math.trunc(w.pgsteal / m.pageSize),
      pgstealKswapd: 0,
      pgstealDirect: Math.trunc(w.pgsteal / m.pageSize),
      oomKill: w.oomKills,
      workingsetRefaultAnon: 0,
      workingsetRefaultFile: 0,
      pswpin: 0,
      pswpout: Math.trunc(w.pswpout / m.pageSize),
    },
    psi: { memory: w.psi.read(), io: null, cpu: null },
    processes,
    cgroupLayout: w.scenario.kernel.cgroupVersion === 2 ? 'v2' : 'v1',
    cgroups,
    hostPidNamespace: true,
    selfPid: null,
  };
}
