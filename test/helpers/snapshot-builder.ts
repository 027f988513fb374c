// Builds Snapshots for pure tests from a compact description: sizes in pages, everything else defaulted.
import type { CgroupInfo, MemInfo, ProcessInfo, Snapshot } from '../../src/model/snapshot.js';

export const PAGE = 4096;
export const KIB = 1024;
export const MIB = 1024 * 1024;
export const GIB = 1024 * MIB;

/** A process: any ProcessInfo field, plus sizes in pages (converted with the snapshot's page size). */
export interface ProcSpec extends Partial<ProcessInfo> {
  readonly pid: number;
  readonly anonPages?: number;
  readonly filePages?: number;
  readonly shmemPages?: number;
  readonly swapPages?: number;
  readonly pageTablePages?: number;
  /** total_vm in pages; defaults to RSS + swap. */
  readonly vmPages?: number;
}

export interface SnapshotSpec {
  readonly pageSize?: number;
  readonly memTotal?: number;
  readonly swapTotal?: number;
  readonly clockTicks?: number;
  readonly uptimeSec?: number;
  readonly hostPidNamespace?: boolean;
  readonly processes: readonly ProcSpec[];
  readonly cgroups?: readonly CgroupInfo[];
}

/** A memory cgroup: v2, unlimited, empty, unless given. */
export function cgroup(path: string, fields: Partial<CgroupInfo> = {}): CgroupInfo {
  return {
    path,
    version: 2,
    usage: null,
    limit: null,
    swapUsage: null,
    swapLimit: null,
    memswUsage: null,
    memswLimit: null,
    high: null,
    low: null,
    min: null,
    peak: null,
    stat: {},
    events: {},
    oomControl: null,
    oomGroup: false,
    swappiness: null,
    pressure: null,
    procs: [],
    ...fields,
  };
}

/** /proc/meminfo with only MemTotal and SwapTotal set (and MemFree/SwapFree equal to them). */
export function meminfo(memTotal: number, swapTotal = 0): MemInfo {
  return {
    memTotal,
    memFree: memTotal,
    memAvailable: memTotal,
    buffers: 0,
    cached: 0,
    swapCached: 0,
    activeAnon: 0,
    inactiveAnon: 0,
    activeFile: 0,
    inactiveFile: 0,
    anonPages: 0,
    shmem: 0,
    sReclaimable: 0,
    sUnreclaim: 0,
    swapTotal,
    swapFree: swapTotal,
    commitLimit: 0,
    committedAs: 0,
    hugetlb: 0,
  };
}

/** One process; by default a uid-1000 sleeper in '/', started at tick pid × 10 (higher pid = newer). */
export function proc(spec: ProcSpec, pageSize = PAGE): ProcessInfo {
  const { anonPages, filePages, shmemPages, swapPages, pageTablePages, vmPages, ...fields } = spec;
  const rssAnon = fields.rssAnon ?? (anonPages ?? 0) * pageSize;
  const rssFile = fields.rssFile ?? (filePages ?? 0) * pageSize;
  const rssShmem = fields.rssShmem ?? (shmemPages ?? 0) * pageSize;
  const swap = fields.swap ?? (swapPages ?? 0) * pageSize;
  return {
    ppid: 1,
    pgid: spec.pid,
    sid: spec.pid,
    uid: 1000,
    euid: fields.uid ?? 1000,
    comm: `p${spec.pid}`,
    state: 'S',
    flags: 0,
    kthread: false,
    hasMm: true,
    nice: 0,
    cpuTicks: 0,
    startTicks: spec.pid * 10,
    threads: 1,
    vmSize: vmPages === undefined ? rssAnon + rssFile + rssShmem + swap : vmPages * pageSize,
    pageTables: (pageTablePages ?? 0) * pageSize,
    oomScoreAdj: 0,
    kernelOomScore: null,
    capEff: 0n,
    cgroup: '/',
    ...fields,
    rssAnon,
    rssFile,
    rssShmem,
    swap,
  };
}

/** A snapshot of a 16 GiB machine without swap, in the host PID namespace, unless given. */
export function buildSnapshot(spec: SnapshotSpec): Snapshot {
  const pageSize = spec.pageSize ?? PAGE;
  const cgroups = spec.cgroups ?? [];
  return {
    timeMs: 0,
    pageSize,
    clockTicks: spec.clockTicks ?? 100,
    uptimeSec: spec.uptimeSec ?? 100_000,
    meminfo: meminfo(spec.memTotal ?? 16 * GIB, spec.swapTotal ?? 0),
    vmstat: null,
    psi: { memory: null, io: null, cpu: null },
    processes: spec.processes.map((p) => proc(p, pageSize)),
    cgroupLayout: cgroups.length === 0 ? 'none' : cgroups[0]?.version === 1 ? 'v1' : 'v2',
    cgroups: new Map(cgroups.map((c) => [c.path, c])),
    hostPidNamespace: spec.hostPidNamespace ?? true,
    selfPid: null,
  };
}
