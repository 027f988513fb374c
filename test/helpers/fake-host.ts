// A Host for the daemon's unit tests: a scripted, mutable world (meminfo, memory PSI, a process table, memory
// cgroups) that tests change as fake time goes by. Linked to a FakeActions, the two stay in step: a process
// added here is spawned there with its script, and a process that has exited there (a signal it honoured, a
// SIGKILL, a PID reused) leaves the world at the next read and gives its memory back — available memory,
// free swap, and the usage of its cgroup and every ancestor. No real process is touched.
import type { Host, SampleOptions } from '../../src/host/host.js';
import { HostReadError } from '../../src/model/errors.js';
import type { CgroupInfo, MemInfo, ProcessInfo, Psi, Snapshot } from '../../src/model/snapshot.js';
import { inScope } from '../../src/policy/rank.js';
import type { FakeActions, FakeProcessScript } from './fake-actions.js';
import { cgroup, GIB, meminfo, PAGE, type ProcSpec, proc } from './snapshot-builder.js';

/** A process of the world: ProcessInfo fields (sizes in pages allowed, as in snapshot-builder) plus host facts. */
export interface FakeProcessSpec extends ProcSpec {
  /** /proc/PID/cmdline split on NUL (default [comm]). */
  readonly argv?: readonly string[];
  /** /proc/PID/exe (default /usr/bin/COMM). */
  readonly exe?: string | null;
  /** Bytes its exit gives back to available memory and to its cgroups' usage (default its RSS). */
  readonly freesBytes?: number;
  /** How it behaves under signals in the linked FakeActions. */
  readonly script?: FakeProcessScript;
}

export interface FakeHostOptions {
  /** The fake clock's now: the snapshots' timeMs. */
  readonly now: () => number;
  readonly pageSize?: number;
  /** Default 16 GiB. */
  readonly memTotal?: number;
  /** Default memTotal. */
  readonly memAvailable?: number;
  /** Default 0: no swap. */
  readonly swapTotal?: number;
  /** Default swapTotal. */
  readonly swapFree?: number;
  /** Default true. */
  readonly hostPidNamespace?: boolean;
  /** oomguard's own pid in the world (default null). */
  readonly selfPid?: number | null;
}

interface WorldProcess {
  readonly info: ProcessInfo;
  readonly argv: readonly string[];
  readonly exe: string | null;
  readonly freesBytes: number;
  readonly script: FakeProcessScript;
}

/** Where cgroupDir() puts a memory cgroup: '/fake' + its path. */
export const FAKE_CGROUP_ROOT = '/fake';

export class FakeHost implements Host {
  readonly pageSize: number;
  /** Every sample() asked for, in order. */
  readonly samples: SampleOptions[] = [];
  /** Runs at the start of each sample(), after exits were applied: lets a test change the world between two reads. */
  beforeSample: ((options: SampleOptions) => void) | null = null;
  private mem: MemInfo;
  private memoryPsi: Psi | null = null;
  private readonly procs = new Map<number, WorldProcess>();
  private readonly cgroups = new Map<string, CgroupInfo>();
  private actions: FakeActions | null = null;
  private readonly hostPidNamespace: boolean;
  private readonly selfPid: number | null;

  constructor(private readonly opts: FakeHostOptions) {
    this.pageSize = opts.pageSize ?? PAGE;
    const memTotal = opts.memTotal ?? 16 * GIB;
    const swapTotal = opts.swapTotal ?? 0;
    this.mem = {
      ...meminfo(memTotal, swapTotal),
      memAvailable: opts.memAvailable ?? memTotal,
      swapFree: opts.swapFree ?? swapTotal,
    };
    this.hostPidNamespace = opts.hostPidNamespace ?? true;
    this.selfPid = opts.selfPid ?? null;
  }

  // ---- the world, as tests script it ----

  get memAvailable(): number {
    return this.mem.memAvailable as number;
  }

  setMemAvailable(bytes: number): void {
    this.mem = { ...this.mem, memAvailable: bytes, memFree: bytes };
  }

  setSwapFree(bytes: number): void {
    this.mem = { ...this.mem, swapFree: bytes };
  }

  /** /proc/pressure/memory with these `some` and `full` avg10 values (avg60 and avg300 equal to them). */
  setMemoryPsi(someAvg10: number | null, fullAvg10 = someAvg10): void {
    const line = (v: number) => ({ avg10: v, avg60: v, avg300: v, totalUs: 0 });
    this.memoryPsi =
      someAvg10 === null ? null : { some: line(someAvg10), full: line(fullAvg10 ?? someAvg10) };
  }

  /** Adds (or replaces) a memory cgroup; v2 and unlimited unless given. procs are derived from the processes. */
  addCgroup(path: string, fields: Partial<CgroupInfo> = {}): void {
    this.cgroups.set(path, cgroup(path, fields));
    this.registerCgroups();
  }

  /** The cgroup is gone (rmdir): reads of it fail from now on. */
  removeCgroup(path: string): void {
    this.cgroups.delete(path);
  }

  setCgroup(path: string, fields: Partial<CgroupInfo>): void {
    const cg = this.cgroups.get(path);
    if (cg === undefined) throw new Error(`FakeHost: no cgroup ${path}`);
    this.cgroups.set(path, { ...cg, ...fields });
  }

  /** Adds a running process (spawned in the linked FakeActions with its script). */
  add(spec: FakeProcessSpec): ProcessInfo {
    const { argv, exe, freesBytes, script, ...procSpec } = spec;
    const info = proc(procSpec, this.pageSize);
    const w: WorldProcess = {
      info,
      argv: argv ?? [info.comm],
      exe: exe === undefined ? `/usr/bin/${info.comm}` : exe,
      freesBytes: freesBytes ?? info.rssAnon + info.rssFile + info.rssShmem,
      script: script ?? {},
    };
    this.procs.set(info.pid, w);
    this.actions?.spawn(info.pid, info.startTicks, w.script);
    this.registerCgroups();
    return info;
  }

  /** The process exits on its own: it leaves the world (and the linked FakeActions) and frees its memory. */
  exit(pid: number): void {
    this.actions?.exit(pid);
    this.remove(pid);
  }

  has(pid: number): boolean {
    this.applyExits();
    return this.procs.has(pid);
  }

  /**
   * From now on the world follows this FakeActions: every process (already here or added later) is spawned
   * there, every cgroup is a directory its killCgroup() knows, and exits there are applied at each read.
   */
  linkActions(actions: FakeActions): void {
    this.actions = actions;
    for (const w of this.procs.values()) actions.spawn(w.info.pid, w.info.startTicks, w.script);
    this.registerCgroups();
  }

  // ---- Host ----

  sample(options: SampleOptions = {}): Snapshot {
    this.applyExits();
    this.samples.push(options);
    this.beforeSample?.(options);
    this.applyExits();
    const scope = options.processScope ?? null;
    const processes =
      options.processes === false
        ? []
        : [...this.procs.values()]
            .map((w) => w.info)
            .filter((p) => scope === null || inScope(p.cgroup, scope));
    const subtree = options.cgroupSubtree ?? null;
    if (subtree !== null && !this.cgroups.has(subtree)) {
      throw new HostReadError(`no such memory cgroup: ${subtree}`, this.cgroupDir(subtree));
    }
    const cgroups = new Map<string, CgroupInfo>();
    if (subtree !== null) {
      for (const path of this.cgroups.keys())
        if (inScope(path, subtree)) cgroups.set(path, this.cgroupInfo(path));
    }
    return {
      timeMs: this.opts.now(),
      pageSize: this.pageSize,
      clockTicks: 100,
      uptimeSec: 100_000,
      meminfo: this.mem,
      vmstat: null,
      psi: { memory: this.memoryPsi, io: null, cpu: null },
      processes,
      cgroupLayout: this.cgroups.size === 0 ? 'none' : 'v2',
      cgroups,
      hostPidNamespace: this.hostPidNamespace,
      selfPid: this.selfPid,
    };
  }

  readCmdline(pid: number): string[] | null {
    this.applyExits();
    const w = this.procs.get(pid);
    return w === undefined ? null : [...w.argv];
  }

  readExe(pid: number): string | null {
    this.applyExits();
    return this.procs.get(pid)?.exe ?? null;
  }

  readCgroup(path: string): CgroupInfo {
    this.applyExits();
    if (!this.cgroups.has(path))
      throw new HostReadError(`no such memory cgroup: ${path}`, this.cgroupDir(path));
    return this.cgroupInfo(path);
  }

  cgroupDir(path: string): string {
    return FAKE_CGROUP_ROOT + path;
  }

  close(): void {}

  // ---- glue ----

  private cgroupInfo(path: string): CgroupInfo {
    const cg = this.cgroups.get(path) as CgroupInfo;
    const procs = [...this.procs.values()].filter((w) => w.info.cgroup === path).map((w) => w.info.pid);
    return { ...cg, procs };
  }

  /** Processes that have exited in the linked FakeActions leave the world. */
  private applyExits(): void {
    const actions = this.actions;
    if (actions === null) return;
    for (const w of [...this.procs.values()]) {
      if (!actions.isRunning(w.info.pid, w.info.startTicks)) this.remove(w.info.pid);
    }
  }

  private remove(pid: number): void {
    const w = this.procs.get(pid);
    if (w === undefined) return;
    this.procs.delete(pid);
    this.setMemAvailable(this.memAvailable + w.freesBytes);
    if (this.mem.swapTotal > 0)
      this.setSwapFree(Math.min(this.mem.swapTotal, this.mem.swapFree + w.info.swap));
    for (const [path, cg] of this.cgroups) {
      if (cg.usage !== null && inScope(w.info.cgroup, path)) {
        this.cgroups.set(path, { ...cg, usage: Math.max(0, cg.usage - w.freesBytes) });
      }
    }
    this.registerCgroups();
  }

  /** Tells the linked FakeActions which PIDs each cgroup directory holds (its subtree, as cgroup.kill sees it). */
  private registerCgroups(): void {
    const actions = this.actions;
    if (actions === null) return;
    for (const [path, cg] of this.cgroups) {
      const pids = [...this.procs.values()]
        .filter((w) => inScope(w.info.cgroup, path))
        .map((w) => w.info.pid);
      actions.addCgroup(this.cgroupDir(path), pids, cg.version === 2 ? 'cgroup.kill' : 'signal-each');
    }
  }
}
