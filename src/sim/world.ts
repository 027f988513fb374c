// The simulated kernel's state and its memory management: RAM, swap, page cache, memory cgroups,
// overcommit, processes that start, grow, fork and exit, and the OOM killer (kernel-oom.ts) when an
// allocation cannot be satisfied. Time advances in fixed steps; nothing here reads a real clock or calls
// Math.random, so a scenario always plays out the same way.
import type { RankerName } from '../model/ranking.js';
import type { Actor, SimEvent, SimEventType, Victim } from './events.js';
import { runKernelOom } from './kernel-oom.js';
import { PsiTracker } from './psi.js';
import type { EventSpec, ProcessSpec, Scenario, ShmSpec } from './scenario.js';
import { formatSize } from './units.js';

/** Memory split by kind, as charged to a cgroup (hierarchically) or counted for the machine. */
export interface Charges {
  anon: number;
  file: number;
  shmem: number;
  cache: number;
  swap: number;
}

const zero = (): Charges => ({ anon: 0, file: 0, shmem: 0, cache: 0, swap: 0 });

export class SimCgroup {
  readonly children: SimCgroup[] = [];
  /** Live member processes of this cgroup itself. */
  readonly procs = new Set<SimProcess>();
  /** This cgroup and its descendants. */
  readonly total: Charges = zero();
  /** Unmapped page cache charged to this cgroup itself. */
  ownCache = 0;
  peak = 0;
  readonly events = { max: 0, oom: 0, oom_kill: 0, oom_group_kill: 0 };
  readonly psi = new PsiTracker();
  constructor(
    readonly path: string,
    readonly parent: SimCgroup | null,
    public limit: number | null,
    public swapLimit: number | null,
    public oomGroup: boolean,
  ) {}

  get usage(): number {
    return this.total.anon + this.total.file + this.total.shmem + this.total.cache;
  }
}

/** An address space: processes sharing one (CLONE_VM) share its RSS and are killed together. */
export class SimMm {
  anon = 0;
  file = 0;
  swap = 0;
  /** Committed private memory (Committed_AS share): reserved address space plus what was allocated. */
  committed = 0;
  users = 0;
  constructor(
    readonly id: number,
    readonly cg: SimCgroup,
  ) {}
}

export class SimSegment {
  mappers = 0;
  resident = false;
  constructor(
    readonly spec: ShmSpec,
    readonly cg: SimCgroup,
  ) {}
}

export type ProcState = 'run' | 'dying' | 'exited';

export class SimProcess {
  state: ProcState = 'run';
  /** When a dying or terminating process exits (its memory is freed then); null while it runs on. */
  exitAt: number | null = null;
  growRate: number;
  growUntil: number | null;
  /** Requested but not yet resident (carried over while the allocation waits for memory). */
  fillAnon = 0;
  fillFile = 0;
  /** Fractional bytes of growth not yet a whole page. */
  growCarry = 0;
  forkNextMs: number | null;
  cpuBaseMs: number;
  cpuMarkMs: number;
  /** Set when a killer signalled it, so its exit counts as a victim's. */
  victim: Victim | null = null;
  adj: number;
  constructor(
    readonly pid: number,
    readonly ppid: number,
    readonly spec: ProcessSpec,
    readonly mm: SimMm,
    readonly cg: SimCgroup,
    readonly segments: readonly SimSegment[],
    /** World time of its start (negative for processes already running at t=0). */
    readonly startMs: number,
    readonly startTicks: number,
  ) {
    this.adj = spec.adj;
    this.growRate = spec.grow;
    this.growUntil = spec.growUntil;
    this.forkNextMs = spec.forkEveryMs === null ? null : Math.max(startMs, 0) + spec.forkEveryMs;
    this.cpuBaseMs = spec.cpuTimeMs;
    this.cpuMarkMs = Math.max(startMs, 0);
  }

  get name(): string {
    return this.spec.name;
  }

  get gone(): boolean {
    return this.state === 'exited';
  }

  /** CPU time at world time `now`: what it had, plus its share of a core since. */
  cpuMs(now: number): number {
    return this.cpuBaseMs + (this.state === 'run' ? this.spec.cpu * (now - this.cpuMarkMs) : 0);
  }

  get shmemBytes(): number {
    let n = 0;
    for (const s of this.segments) n += s.spec.size;
    return n;
  }
}

/** Something that looks at the world on its own schedule (a userspace killer, the kubelet). */
export interface Agent {
  readonly label: string;
  nextPollMs: number;
  poll(world: World): void;
}

/** A chart point: machine figures and the resident memory of each series key at one time. */
export interface SeriesPoint {
  readonly t: number;
  readonly usedBytes: number;
  readonly availableBytes: number;
  readonly byKey: ReadonlyMap<string, number>;
}

/** Stall weights: reclaiming page cache slows a task a little; swapping or waiting for a victim stops it. */
const STALL_RECLAIM = 0.1;
const STALL_FULL = 1;

export interface WorldOptions {
  /** The kernel's ranking: today's badness, or the 2.6.35 heuristic for the `legacy` policy. */
  readonly ranker: RankerName;
  /** Take a chart point every this many ms (0: none). */
  readonly sampleEveryMs?: number;
}

export class World {
  now = 0;
  /** The last step simulated. */
  private stepped = -1;
  panic: string | null = null;
  panicAtMs: number | null = null;
  endMs: number;
  readonly events: SimEvent[] = [];
  readonly victims: Victim[] = [];
  readonly series: SeriesPoint[] = [];
  /** Live processes in creation order: the kernel's task list, oldest first. */
  readonly procs = new Map<number, SimProcess>();
  readonly cgroups = new Map<string, SimCgroup>();
  readonly root: SimCgroup;
  readonly agents: Agent[] = [];
  readonly total: Charges = zero();
  committed = 0;
  oomKills = 0;
  ooms = 0;
  allocFailures = 0;
  pswpout = 0;
  pgsteal = 0;
  shortMs = 0;
  readonly psi = new PsiTracker();
  readonly uptime0Ms: number;
  readonly wmarkMin: number;
  readonly wmarkLow: number;
  readonly wmarkHigh: number;
  private readonly growers = new Set<SimProcess>();
  private readonly forkers = new Set<SimProcess>();
  private readonly leaving = new Set<SimProcess>();
  private readonly alive = new Map<string, number>();
  private readonly segments = new Map<string, SimSegment>();
  private readonly specs = new Map<string, ProcessSpec>();
  private readonly pendingStarts: ProcessSpec[];
  private eventIndex = 0;
  private nextPid = 100;
  private nextMmId = 1;
  private readonly sharedMms = new Map<string, SimMm>();
  private readonly fixedPidUsed = new Set<ProcessSpec>();
  /** The largest stall weight of the current step, machine-wide and per cgroup. */
  private stepStall = 0;
  private readonly stalledCgroups = new Map<SimCgroup, number>();
  private readonly sampleEveryMs: number;

  constructor(
    readonly scenario: Scenario,
    readonly options: WorldOptions,
  ) {
    const { machine, run } = scenario;
    this.endMs = run.durationMs;
    this.sampleEveryMs = options.sampleEveryMs ?? 0;
    this.root = new SimCgroup('/', null, null, null, false);
    this.cgroups.set('/', this.root);
    for (const c of scenario.cgroups) {
      const cg = this.ensureCgroup(c.path);
      cg.limit = c.limit;
      cg.swapLimit = c.swapLimit;
      cg.oomGroup = c.oomGroup;
      this.charge(cg, 'cache', c.pageCache);
      cg.ownCache += c.pageCache;
    }
    this.buildPods();
    this.charge(this.root, 'cache', machine.pageCache);
    this.root.ownCache += machine.pageCache;
    // The kernel's min_free_kbytes: √(lowmem kB × 16), 128 kB .. 256 MiB; low and high are 5/4 and 3/2 of it.
    const minKiB = Math.min(Math.max(Math.trunc(Math.sqrt((machine.ram / 1024) * 16)), 128), 262_144);
    this.wmarkMin = minKiB * 1024;
    this.wmarkLow = Math.trunc((minKiB * 5) / 4) * 1024;
    this.wmarkHigh = Math.trunc((minKiB * 3) / 2) * 1024;
    const all = [
      ...scenario.processes,
      ...scenario.pods.flatMap((p) => p.containers.flatMap((c) => c.processes)),
    ];
    for (const p of all) this.specs.set(p.id, p);
    const oldest = Math.max(0, ...all.map((p) => p.ageMs ?? 0));
    this.uptime0Ms = machine.uptimeMs ?? oldest + 60_000;
    const fixed = all.map((p) => p.pid ?? 0);
    this.nextPid = Math.max(100, ...fixed) + 1;
    for (const s of scenario.shm) {
      const first = all.find((p) => p.shm.includes(s.name));
      this.segments.set(s.name, new SimSegment(s, this.ensureCgroup(first?.cgroup ?? '/')));
    }
    // Aged processes first, oldest first (the task list's order), then by start time; file order breaks ties.
    this.pendingStarts = all
      .map((p, i) => ({ p, i }))
      .filter((x) => x.p.startMs !== null)
      .sort((a, b) => startOf(a.p) - startOf(b.p) || a.i - b.i)
      .map((x) => x.p);
  }

  /** True once the run is over: its duration reached, or the kernel panicked. */
  get ended(): boolean {
    return this.panic !== null || this.now >= this.endMs;
  }

  get stepMs(): number {
    return this.scenario.run.stepMs;
  }

  /** Advances world time to `t`, simulating every step boundary on the way (the first step is t = 0). */
  advanceTo(t: number): void {
    const step = this.stepMs;
    for (let next = (this.stepped + 1) * step; next <= t && next <= this.endMs && this.panic === null; ) {
      this.now = next;
      this.step();
      this.stepped++;
      next = (this.stepped + 1) * step;
    }
    // Past the end (or a panic) time still moves, so a killer's waits run out, but nothing happens any more.
    this.now = Math.max(this.now, t);
  }

  /** Runs every step to the end (for policies without a clock of their own). */
  runToEnd(): void {
    this.advanceTo(this.endMs);
  }

  // ---- memory figures ----

  get ramUsed(): number {
    const t = this.total;
    return this.scenario.machine.kernelReserved + t.anon + t.file + t.shmem + t.cache;
  }

  get memFree(): number {
    return Math.max(0, this.scenario.machine.ram - this.ramUsed);
  }

  /** MemAvailable as si_mem_available computes it: free − reserve + page cache − min(cache/2, low watermark). */
  get memAvailable(): number {
    const cache = this.total.cache;
    return Math.max(
      0,
      this.memFree - this.wmarkHigh + cache - Math.min(Math.trunc(cache / 2), this.wmarkLow),
    );
  }

  get swapFree(): number {
    return this.scenario.machine.swap - this.total.swap;
  }

  get commitLimit(): number {
    const m = this.scenario.machine;
    return Math.trunc((m.ram * this.scenario.kernel.overcommitRatio) / 100) + m.swap;
  }

  // ---- events ----

  /** The kernel panics: the run ends here, and says why. */
  doPanic(why: string, scope: string): void {
    this.panic = why;
    this.panicAtMs = this.now;
    this.record('panic', null, 'kernel', why, scope);
  }

  record(
    type: SimEventType,
    p: SimProcess | null,
    by: Actor,
    reason: string,
    cgroup?: string,
    name?: string,
  ): void {
    this.events.push({
      t: this.now,
      type,
      pid: p?.pid ?? null,
      name: name ?? p?.name ?? null,
      cgroup: cgroup ?? p?.cg.path ?? null,
      by,
      reason,
    });
  }

  // ---- one step ----

  private step(): void {
    this.stepStall = 0;
    this.stalledCgroups.clear();
    this.fireEvents();
    for (const p of [...this.leaving]) {
      if (p.exitAt === null || p.exitAt > this.now) continue;
      // A SIGTERMed process still runs until its exit; a SIGKILLed one is dying until its memory is reaped.
      if (p.state === 'run') this.exitAfterTerm(p);
      else this.exit(p);
    }
    this.forks();
    this.grow();
    for (const a of this.agents) {
      if (this.panic !== null) break;
      if (this.now >= a.nextPollMs) a.poll(this);
    }
    this.account();
  }

  private fireEvents(): void {
    while (this.pendingStarts.length > 0 && startOf(this.pendingStarts[0] as ProcessSpec) <= this.now) {
      const spec = this.pendingStarts.shift() as ProcessSpec;
      for (let i = 0; i < spec.count; i++) this.start(spec, null, null);
    }
    const events = this.scenario.events;
    while (this.eventIndex < events.length && (events[this.eventIndex] as EventSpec).at <= this.now) {
      this.apply(events[this.eventIndex] as EventSpec);
      this.eventIndex++;
    }
  }

  private instances(id: string): SimProcess[] {
    return [...this.procs.values()].filter((p) => p.spec.id === id && p.state === 'run');
  }

  private apply(e: EventSpec): void {
    if (e.do === 'start') {
      const spec = this.specs.get(e.process) as ProcessSpec;
      for (let i = 0; i < spec.count; i++) this.start(spec, null, null);
      return;
    }
    for (const p of this.instances(e.process)) {
      switch (e.do) {
        case 'grow':
          p.growRate = e.rate;
          p.growUntil = e.until;
          this.setGrowing(p);
          break;
        case 'stop':
          p.growRate = 0;
          this.setGrowing(p);
          break;
        case 'exit':
          this.exit(p);
          break;
        case 'set-adj':
          p.adj = e.adj;
          break;
        case 'fork':
          for (let i = 0; i < e.count; i++) this.fork(p, e.shareMm);
          break;
        case 'alloc':
          this.request(p, e.size, true);
          this.fill(p);
          break;
        case 'free':
          this.shrink(p, e.size);
          break;
      }
    }
  }

  // ---- processes ----

  private ensureCgroup(path: string): SimCgroup {
    const known = this.cgroups.get(path);
    if (known) return known;
    const cut = path.lastIndexOf('/');
    const parent = this.ensureCgroup(cut <= 0 ? '/' : path.slice(0, cut));
    const cg = new SimCgroup(path, parent, null, null, false);
    parent.children.push(cg);
    this.cgroups.set(path, cg);
    return cg;
  }

  private buildPods(): void {
    for (const pod of this.scenario.pods) {
      const first = pod.containers[0]?.processes[0];
      const containerPath = first?.cgroup;
      for (const c of pod.containers) {
        for (const p of c.processes) {
          const cg = this.ensureCgroup(p.cgroup);
          cg.limit = c.limit;
        }
      }
      // The kubelet limits the pod cgroup to the sum of its containers' limits when every container has one.
      const path = containerPath?.slice(0, containerPath.lastIndexOf('/'));
      if (path !== undefined && pod.containers.every((c) => c.limit !== null)) {
        this.ensureCgroup(path).limit = pod.containers.reduce((s, c) => s + (c.limit ?? 0), 0);
      }
      for (const c of pod.containers) {
        if (c.processes.length === 0 && path !== undefined)
          this.ensureCgroup(`${path}/${c.name}`).limit = c.limit;
      }
    }
  }

  /** The spec's fixed pid the first time it starts, else the next free one. */
  private allocPid(spec: ProcessSpec): number {
    if (spec.pid !== null && !this.fixedPidUsed.has(spec) && !this.procs.has(spec.pid)) {
      this.fixedPidUsed.add(spec);
      return spec.pid;
    }
    while (this.procs.has(this.nextPid)) this.nextPid++;
    return this.nextPid++;
  }

  private start(spec: ProcessSpec, parent: SimProcess | null, shareMm: SimMm | null): SimProcess | null {
    const cg = parent?.cg ?? this.ensureCgroup(spec.cgroup);
    let mm = shareMm;
    if (mm === null && spec.mm !== null && parent === null) mm = this.sharedMms.get(spec.mm) ?? null;
    const fresh = mm === null;
    if (mm === null) {
      mm = new SimMm(this.nextMmId++, cg);
      if (spec.mm !== null && parent === null) this.sharedMms.set(spec.mm, mm);
    }
    const startMs = spec.ageMs !== null && parent === null ? -spec.ageMs : this.now;
    const ticks = Math.trunc(((this.uptime0Ms + startMs) * this.scenario.machine.clockTicks) / 1000);
    const segs = spec.shm.map((n) => this.segments.get(n) as SimSegment);
    const p = new SimProcess(this.allocPid(spec), parent?.pid ?? 1, spec, mm, cg, segs, startMs, ticks);
    mm.users++;
    this.procs.set(p.pid, p);
    cg.procs.add(p);
    this.alive.set(spec.id, (this.alive.get(spec.id) ?? 0) + 1);
    for (const s of segs) {
      s.mappers++;
      if (!s.resident) {
        s.resident = true;
        this.charge(s.cg, 'shmem', s.spec.size);
        this.committed += s.spec.size;
      }
    }
    if (fresh && this.request(p, spec.anon + spec.virtual, true, spec.virtual) && p.state === 'run') {
      p.fillFile = spec.file;
      this.fill(p);
    }
    if (p.state !== 'run') return null;
    this.setGrowing(p);
    if (p.forkNextMs !== null) this.forkers.add(p);
    return p;
  }

  private fork(parent: SimProcess, shareMm: boolean): void {
    if ((this.alive.get(parent.spec.id) ?? 0) >= parent.spec.forkLimit) return;
    this.start(parent.spec, parent, shareMm ? parent.mm : null);
  }

  private forks(): void {
    for (const p of [...this.forkers]) {
      if (p.state !== 'run' || p.forkNextMs === null) {
        this.forkers.delete(p);
        continue;
      }
      while (p.forkNextMs !== null && p.forkNextMs <= this.now && p.state === 'run') {
        p.forkNextMs += p.spec.forkEveryMs ?? 0;
        this.fork(p, false);
      }
    }
  }

  private setGrowing(p: SimProcess): void {
    if (p.state === 'run' && (p.growRate !== 0 || p.fillAnon > 0 || p.fillFile > 0)) this.growers.add(p);
    else this.growers.delete(p);
  }

  private grow(): void {
    const dt = this.stepMs / 1000;
    const page = this.scenario.machine.pageSize;
    for (const p of this.growers) {
      if (p.state !== 'run') {
        this.growers.delete(p);
        continue;
      }
      if (p.growRate > 0 && p.fillAnon === 0) {
        p.growCarry += p.growRate * dt;
        let want = Math.trunc(p.growCarry / page) * page;
        if (p.growUntil !== null) want = Math.min(want, Math.max(0, p.growUntil - p.mm.anon - p.mm.swap));
        if (want > 0) {
          p.growCarry -= want;
          if (!this.request(p, want, false)) continue;
        }
        if (p.growUntil !== null && p.mm.anon + p.mm.swap + p.fillAnon >= p.growUntil) p.growRate = 0;
      } else if (p.growRate < 0) {
        p.growCarry += -p.growRate * dt;
        const give = Math.trunc(p.growCarry / page) * page;
        p.growCarry -= give;
        this.shrink(p, give);
        if (p.mm.anon + p.mm.swap === 0) p.growRate = 0;
      }
      this.fill(p);
      if (p.state === 'run') this.setGrowing(p);
      if (this.panic !== null) return;
    }
  }

  /**
   * Asks for `bytes` more anonymous memory (malloc/mmap): refused under overcommit rules, else committed and
   * queued to be made resident. `reserve` of it is address space that stays untouched. False when refused.
   */
  private request(p: SimProcess, bytes: number, single: boolean, reserve = 0): boolean {
    const k = this.scenario.kernel;
    const m = this.scenario.machine;
    const touched = bytes - reserve;
    // Memory already committed but not yet used (a reserve) is touched first; only the rest is new.
    const spare = Math.max(0, p.mm.committed - p.mm.anon - p.mm.swap - p.fillAnon);
    const added = reserve + Math.max(0, touched - spare);
    let refused: string | null = null;
    if (k.overcommitMemory === 2 && this.committed + added > this.commitLimit) {
      refused =
        `overcommit_memory 2: Committed_AS ${formatSize(this.committed)} + ${formatSize(added)} ` +
        `would pass CommitLimit ${formatSize(this.commitLimit)}`;
    } else if (k.overcommitMemory === 0 && single && added > m.ram + m.swap) {
      refused = `overcommit_memory 0: one request of ${formatSize(added)} is more than RAM + swap (${formatSize(m.ram + m.swap)})`;
    }
    if (refused !== null) {
      this.allocFailures++;
      this.record('alloc-fail', p, 'kernel', `ENOMEM: ${refused}`);
      if (p.spec.onAllocFail === 'exit') this.exit(p);
      else {
        p.growRate = 0;
        this.setGrowing(p);
      }
      return false;
    }
    p.mm.committed += added;
    this.committed += added;
    p.fillAnon += touched;
    return true;
  }

  /** Frees anonymous memory (munmap): resident pages first, then swapped ones. */
  private shrink(p: SimProcess, bytes: number): void {
    const fromFill = Math.min(p.fillAnon, bytes);
    p.fillAnon -= fromFill;
    let rest = bytes - fromFill;
    const anon = Math.min(p.mm.anon, rest);
    p.mm.anon -= anon;
    this.charge(p.mm.cg, 'anon', -anon);
    rest -= anon;
    const swap = Math.min(p.mm.swap, rest);
    p.mm.swap -= swap;
    this.charge(p.mm.cg, 'swap', -swap);
    const uncommit = Math.min(p.mm.committed, bytes);
    p.mm.committed -= uncommit;
    this.committed -= uncommit;
  }

  /** Makes queued memory resident, page fault by page fault: reclaim, swap, OOM as needed. */
  private fill(p: SimProcess): void {
    for (let guard = 0; guard < 10_000 && p.state === 'run' && this.panic === null; guard++) {
      const kind = p.fillAnon > 0 ? 'anon' : p.fillFile > 0 ? 'file' : null;
      if (kind === null) return;
      const want = kind === 'anon' ? p.fillAnon : p.fillFile;
      const got = this.obtain(p, want);
      if (kind === 'anon') {
        p.fillAnon -= got;
        p.mm.anon += got;
      } else {
        p.fillFile -= got;
        p.mm.file += got;
      }
      this.charge(p.mm.cg, kind, got);
      if (got < want && !this.outOfMemory(p)) return;
    }
  }

  /** How much of `want` fits now, after reclaiming page cache and swapping where that is allowed. */
  private obtain(p: SimProcess, want: number): number {
    const cg = p.mm.cg;
    let need = want;
    const memcg = this.tightest(cg);
    if (memcg !== null && memcg.room < need) {
      this.reclaim(memcg.cg, need - memcg.room, p);
      need = Math.min(need, Math.max(0, this.tightest(cg)?.room ?? need));
      if (need < want) memcg.cg.events.max++;
    }
    const free = this.memFree - this.wmarkMin;
    if (free < need) {
      this.reclaim(null, need - free, p);
      need = Math.min(need, Math.max(0, this.memFree - this.wmarkMin));
    }
    return Math.trunc(need / this.scenario.machine.pageSize) * this.scenario.machine.pageSize;
  }

  /** The limited ancestor (or self) with the least room: the memcg whose limit an allocation hits first. */
  private tightest(cg: SimCgroup): { cg: SimCgroup; room: number } | null {
    let best: { cg: SimCgroup; room: number } | null = null;
    for (let at: SimCgroup | null = cg; at !== null; at = at.parent) {
      if (at.limit === null) continue;
      const room = at.limit - at.usage;
      if (best === null || room < best.room) best = { cg: at, room };
    }
    return best;
  }

  /** Frees `need` bytes in a memcg (or the machine, for null): page cache first, then swap. */
  private reclaim(scope: SimCgroup | null, need: number, p: SimProcess): void {
    let rest = need;
    const nodes = scope === null ? [...this.cgroups.values()] : subtree(scope);
    for (const n of nodes) {
      if (rest <= 0) break;
      const take = Math.min(n.ownCache, rest);
      if (take > 0) {
        n.ownCache -= take;
        this.charge(n, 'cache', -take);
        this.pgsteal += take;
        rest -= take;
        this.stall(p, STALL_RECLAIM);
      }
    }
    if (rest <= 0) return;
    const swappable = this.swapRoom(p.mm.cg);
    if (swappable <= 0) return;
    let quota = Math.min(rest, swappable);
    // Cold pages go first: idle processes before growing ones, then the largest.
    const mms = [...new Set((scope === null ? [...this.procs.values()] : procsIn(scope)).map((x) => x.mm))]
      .filter((m) => m.anon > 0)
      .sort((a, b) => this.hot(a) - this.hot(b) || b.anon - a.anon || a.id - b.id);
    for (const m of mms) {
      if (quota <= 0) break;
      const take = Math.min(m.anon, quota);
      m.anon -= take;
      m.swap += take;
      this.charge(m.cg, 'anon', -take);
      this.charge(m.cg, 'swap', take);
      this.pswpout += take;
      quota -= take;
      this.stall(p, STALL_FULL);
    }
  }

  private hot(m: SimMm): number {
    for (const p of this.growers) if (p.mm === m) return 1;
    return 0;
  }

  /** Swap the allocating cgroup may still use: the machine's free swap within every swap limit above it. */
  private swapRoom(cg: SimCgroup): number {
    let room = this.swapFree;
    for (let at: SimCgroup | null = cg; at !== null; at = at.parent) {
      if (at.swapLimit !== null) room = Math.min(room, at.swapLimit - at.total.swap);
    }
    return room;
  }

  /** An allocation failed: the OOM killer runs. True when memory was freed and the allocation may retry now. */
  private outOfMemory(p: SimProcess): boolean {
    this.stall(p, STALL_FULL);
    const memcg = this.tightest(p.mm.cg);
    const domain = memcg !== null && memcg.room < this.scenario.machine.pageSize ? memcg.cg : null;
    return runKernelOom(this, p, domain) === 'freed';
  }

  // ---- signals and exits ----

  /** SIGKILL from a killer: the process stops at once; its memory goes back at exit (after the reap delay). */
  kill(p: SimProcess, by: Actor, reason: string): void {
    if (p.state === 'exited') return;
    this.record('kill', p, by, reason);
    this.markVictim(p, by);
    if (p.state === 'dying') return;
    p.state = 'dying';
    p.cpuBaseMs = p.cpuMs(this.now);
    this.growers.delete(p);
    this.forkers.delete(p);
    const delay = this.scenario.kernel.reapDelayMs;
    if (delay === 0) this.exit(p);
    else {
      p.exitAt = this.now + delay;
      this.leaving.add(p);
    }
  }

  /** SIGTERM from a killer: a process that honours it stops growing and exits after its term delay. */
  term(p: SimProcess, by: Actor, reason: string): void {
    if (p.state !== 'run') return;
    this.record('signal', p, by, `SIGTERM: ${reason}`);
    if (p.spec.onTerm === 'ignore') return;
    this.markVictim(p, by);
    p.growRate = 0;
    this.growers.delete(p);
    this.forkers.delete(p);
    const at = this.now + p.spec.termDelayMs;
    if (at <= this.now) this.exitAfterTerm(p);
    else {
      p.exitAt = Math.min(p.exitAt ?? at, at);
      this.leaving.add(p);
    }
  }

  private exitAfterTerm(p: SimProcess): void {
    this.record('exit', p, p.victim?.by ?? 'kernel', 'exited after SIGTERM');
    this.exit(p);
  }

  /** process_mrelease: a dying victim's memory goes back now. */
  release(p: SimProcess): boolean {
    if (p.state !== 'dying') return false;
    this.exit(p);
    return true;
  }

  private markVictim(p: SimProcess, by: Actor): void {
    if (p.victim !== null) return;
    p.victim = {
      t: this.now,
      pid: p.pid,
      name: p.name,
      cgroup: p.cg.path,
      by,
      cpuMs: p.cpuMs(this.now),
      freedBytes: 0,
    };
    this.victims.push(p.victim);
  }

  /** The process is gone: its memory returns when it was the mm's last user; unmapped segments may go too. */
  exit(p: SimProcess): void {
    if (p.state === 'exited') return;
    p.state = 'exited';
    this.leaving.delete(p);
    this.growers.delete(p);
    this.forkers.delete(p);
    this.procs.delete(p.pid);
    p.cg.procs.delete(p);
    this.alive.set(p.spec.id, (this.alive.get(p.spec.id) ?? 1) - 1);
    let freed = 0;
    const mm = p.mm;
    mm.users--;
    if (mm.users === 0) {
      freed += mm.anon + mm.file + mm.swap;
      this.charge(mm.cg, 'anon', -mm.anon);
      this.charge(mm.cg, 'file', -mm.file);
      this.charge(mm.cg, 'swap', -mm.swap);
      this.committed -= mm.committed;
      mm.anon = 0;
      mm.file = 0;
      mm.swap = 0;
      mm.committed = 0;
      for (const [k, v] of this.sharedMms) if (v === mm) this.sharedMms.delete(k);
    }
    for (const s of p.segments) {
      s.mappers--;
      if (s.mappers === 0 && !s.spec.persistent && s.resident) {
        s.resident = false;
        freed += s.spec.size;
        this.charge(s.cg, 'shmem', -s.spec.size);
        this.committed -= s.spec.size;
      }
    }
    if (p.victim !== null) p.victim.freedBytes += freed;
  }

  /** Every live process whose memory cgroup is `cg` or below it. */
  procsIn(cg: SimCgroup): SimProcess[] {
    return procsIn(cg);
  }

  // ---- accounting ----

  private charge(cg: SimCgroup, kind: keyof Charges, bytes: number): void {
    if (bytes === 0) return;
    this.total[kind] += bytes;
    for (let at: SimCgroup | null = cg; at !== null; at = at.parent) {
      at.total[kind] += bytes;
      if (kind !== 'swap' && at.usage > at.peak) at.peak = at.usage;
    }
  }

  stall(p: SimProcess, weight: number): void {
    if (weight > this.stepStall) this.stepStall = weight;
    for (let at: SimCgroup | null = p.cg; at !== null; at = at.parent) {
      if (weight > (this.stalledCgroups.get(at) ?? 0)) this.stalledCgroups.set(at, weight);
    }
  }

  private account(): void {
    const step = this.stepMs;
    if (this.stepStall >= 0.5) this.shortMs += step;
    this.psi.add(this.now, step, this.stepStall);
    for (const cg of this.cgroups.values()) cg.psi.add(this.now, step, this.stalledCgroups.get(cg) ?? 0);
    if (this.sampleEveryMs > 0 && this.now % this.sampleEveryMs === 0) this.sample();
  }

  /** Resident memory per chart key: the cgroup (a pod's for containers) or, at the root, the process id. */
  private sample(): void {
    const byKey = new Map<string, number>();
    for (const p of this.procs.values()) {
      const key = seriesKey(p);
      byKey.set(key, (byKey.get(key) ?? 0) + p.mm.anon + p.mm.file + p.shmemBytes);
    }
    this.series.push({ t: this.now, usedBytes: this.ramUsed, availableBytes: this.memAvailable, byKey });
  }
}

function startOf(p: ProcessSpec): number {
  return p.ageMs !== null ? -p.ageMs : (p.startMs ?? Number.POSITIVE_INFINITY);
}

export function subtree(cg: SimCgroup): SimCgroup[] {
  const out: SimCgroup[] = [cg];
  for (let i = 0; i < out.length; i++) out.push(...(out[i] as SimCgroup).children);
  return out;
}

function procsIn(cg: SimCgroup): SimProcess[] {
  return subtree(cg).flatMap((n) => [...n.procs]);
}

/** A chart series: the pod for containers, the cgroup elsewhere, the process id in the root cgroup. */
export function seriesKey(p: SimProcess): string {
  const path = p.cg.path;
  if (path === '/') return p.spec.id;
  if (path.startsWith('/kubepods/')) return path.slice(0, path.lastIndexOf('/'));
  return path;
}
