// A scenario after parsing: every size in bytes, every time in milliseconds, every default filled in.
// The file format (YAML) is described in docs/simulator.md and docs/scenario.schema.json.

export interface MachineSpec {
  readonly ram: number;
  readonly swap: number;
  readonly pageSize: number;
  /** Unreclaimable kernel memory (slab, stacks, ...) that nobody's score counts. */
  readonly kernelReserved: number;
  /** Unmapped page cache at t=0, reclaimable before any OOM. */
  readonly pageCache: number;
  /** Time since boot at t=0; null: one minute more than the oldest process's age. */
  readonly uptimeMs: number | null;
  readonly clockTicks: number;
}

export interface KernelSpec {
  readonly overcommitMemory: 0 | 1 | 2;
  readonly overcommitRatio: number;
  readonly panicOnOom: 0 | 1 | 2;
  readonly oomKillAllocatingTask: boolean;
  /** How long after SIGKILL a victim's memory is freed (0: at once); process_mrelease frees it at once. */
  readonly reapDelayMs: number;
  readonly cgroupVersion: 1 | 2;
}

export interface RunSpec {
  readonly durationMs: number;
  readonly stepMs: number;
}

export interface CgroupSpec {
  readonly path: string;
  readonly limit: number | null;
  readonly swapLimit: number | null;
  readonly oomGroup: boolean;
  readonly pageCache: number;
  readonly line: number;
}

export interface ShmSpec {
  readonly name: string;
  readonly size: number;
  /** tmpfs / SysV segments outlive their users: the memory stays until removed. */
  readonly persistent: boolean;
  readonly line: number;
}

export type OnTerm = 'exit' | 'ignore';
export type OnAllocFail = 'exit' | 'stop';

export interface ProcessSpec {
  /** What events name it by (defaults to its name). */
  readonly id: string;
  /** comm, up to 15 bytes. */
  readonly name: string;
  readonly pid: number | null;
  readonly count: number;
  readonly cgroup: string;
  readonly uid: number;
  readonly adj: number;
  readonly nice: number;
  readonly capEff: bigint;
  /** Started this long before t=0 (null: starts at `startMs`). */
  readonly ageMs: number | null;
  /** When it starts; null: only when an event starts it. */
  readonly startMs: number | null;
  /** CPU use while it runs, in cores. */
  readonly cpu: number;
  /** CPU time already used at its start (or at t=0 for an aged process). */
  readonly cpuTimeMs: number;
  readonly anon: number;
  readonly file: number;
  /** total_vm beyond what is resident: reserved but untouched address space (committed under overcommit). */
  readonly virtual: number;
  /** Anonymous growth in bytes per second from its start (negative: shrinking). */
  readonly grow: number;
  /** Stop growing at this anonymous size. */
  readonly growUntil: number | null;
  readonly forkEveryMs: number | null;
  /** Most processes of this id alive at once (a fork bomb's RLIMIT_NPROC). */
  readonly forkLimit: number;
  /** Processes naming the same mm share one address space (CLONE_VM): one RSS, killed together. */
  readonly mm: string | null;
  readonly shm: readonly string[];
  readonly onTerm: OnTerm;
  readonly termDelayMs: number;
  readonly onAllocFail: OnAllocFail;
  readonly cmdline: readonly string[];
  readonly exe: string;
  readonly line: number;
}

export interface ContainerSpec {
  readonly name: string;
  readonly request: number | null;
  readonly limit: number | null;
  readonly processes: readonly ProcessSpec[];
}

export interface PodSpec {
  readonly name: string;
  readonly priority: number;
  readonly containers: readonly ContainerSpec[];
  readonly line: number;
}

export interface KubeSpec {
  /** memory.available below this triggers hard eviction (default 100Mi). */
  readonly evictionHard: number;
  readonly housekeepingMs: number;
}

interface EventBase {
  readonly at: number;
  readonly line: number;
  /** The process id the event applies to (every live instance). */
  readonly process: string;
}

export type EventSpec =
  | (EventBase & { readonly do: 'start' })
  | (EventBase & { readonly do: 'grow'; readonly rate: number; readonly until: number | null })
  | (EventBase & { readonly do: 'stop' })
  | (EventBase & { readonly do: 'exit' })
  | (EventBase & { readonly do: 'set-adj'; readonly adj: number })
  | (EventBase & { readonly do: 'fork'; readonly count: number; readonly shareMm: boolean })
  | (EventBase & { readonly do: 'alloc'; readonly size: number })
  | (EventBase & { readonly do: 'free'; readonly size: number });

export type EventKind = EventSpec['do'];

export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly machine: MachineSpec;
  readonly kernel: KernelSpec;
  readonly run: RunSpec;
  readonly cgroups: readonly CgroupSpec[];
  readonly shm: readonly ShmSpec[];
  readonly processes: readonly ProcessSpec[];
  readonly pods: readonly PodSpec[];
  readonly kube: KubeSpec;
  readonly events: readonly EventSpec[];
}
