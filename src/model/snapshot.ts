// Plain, immutable data read from a host at one moment. No logic lives here: score/ and policy/
// compute from these values, host/ fills them in. All sizes are bytes unless a name says otherwise.

/** One line of a PSI file (`some` or `full`). Averages are percentages, total is microseconds. */
export interface PsiLine {
  readonly avg10: number;
  readonly avg60: number;
  readonly avg300: number;
  readonly totalUs: number;
}

/** A PSI file: `full` is absent in /proc/pressure/cpu on older kernels. */
export interface Psi {
  readonly some: PsiLine;
  readonly full: PsiLine | null;
}

/** /proc/meminfo, the fields the kernel and the peer daemons use; kB values converted to bytes. */
export interface MemInfo {
  readonly memTotal: number;
  readonly memFree: number;
  /** null on kernels before 3.14, where the line does not exist. */
  readonly memAvailable: number | null;
  readonly buffers: number;
  readonly cached: number;
  readonly swapCached: number;
  readonly activeAnon: number;
  readonly inactiveAnon: number;
  readonly activeFile: number;
  readonly inactiveFile: number;
  readonly anonPages: number;
  readonly shmem: number;
  readonly sReclaimable: number;
  readonly sUnreclaim: number;
  readonly swapTotal: number;
  readonly swapFree: number;
  readonly commitLimit: number;
  readonly committedAs: number;
  readonly hugetlb: number;
}

/** The /proc/vmstat counters oomguard uses (cumulative; absent keys read as 0). */
export interface VmStat {
  readonly pgscanKswapd: number;
  readonly pgscanDirect: number;
  readonly pgstealKswapd: number;
  readonly pgstealDirect: number;
  readonly oomKill: number;
  readonly workingsetRefaultAnon: number;
  readonly workingsetRefaultFile: number;
  readonly pswpin: number;
  readonly pswpout: number;
}

/** One thread-group leader from /proc/PID. */
export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  /** Process group id (stat field 5). */
  readonly pgid: number;
  /** Session id (stat field 6). */
  readonly sid: number;
  /** Real uid (first value of status `Uid:`). */
  readonly uid: number;
  /** Effective uid (second value of status `Uid:`). */
  readonly euid: number;
  /** Task name as in stat's parenthesised field: up to 15 bytes, may hold `)`, spaces, newlines. */
  readonly comm: string;
  /** One-letter state from stat (R, S, D, Z, ...). */
  readonly state: string;
  /** stat field 9. */
  readonly flags: number;
  /** Kernel thread: `Kthread: 1` in status, or PF_KTHREAD (0x00200000) in stat flags. */
  readonly kthread: boolean;
  /** False for zombies and other tasks whose threads no longer own an mm (no Vm* lines in status). */
  readonly hasMm: boolean;
  readonly nice: number;
  /** CPU time of the whole thread group, clock ticks (stat utime + stime). */
  readonly cpuTicks: number;
  /** Start time after boot in clock ticks (stat field 22): with the pid, the process's identity. */
  readonly startTicks: number;
  readonly threads: number;
  /** Virtual size (total_vm) in bytes. */
  readonly vmSize: number;
  readonly rssAnon: number;
  readonly rssFile: number;
  readonly rssShmem: number;
  /** VmSwap: swap entries of the mm, swapped-out shmem excluded. */
  readonly swap: number;
  /** VmPTE: page-table bytes. */
  readonly pageTables: number;
  readonly oomScoreAdj: number;
  /** The kernel's own /proc/PID/oom_score, when it was asked for; null otherwise. */
  readonly kernelOomScore: number | null;
  /** Effective capability mask (status CapEff), for the legacy heuristic. */
  readonly capEff: bigint;
  /**
   * The cgroup the process belongs to for memory: the memory controller's path on v1 and hybrid
   * hosts with a v1 memory hierarchy, the unified path (`0::`) on v2. As in /proc/PID/cgroup.
   */
  readonly cgroup: string;
}

export type CgroupVersion = 1 | 2;

/** v1 `memory.oom_control`. */
export interface OomControl {
  readonly oomKillDisable: boolean;
  readonly underOom: boolean;
  /** oom_kill counter (4.13+); null when the line is absent. */
  readonly oomKill: number | null;
}

/** A memory cgroup, v1 or v2. Unlimited limits are null. */
export interface CgroupInfo {
  /** Path as in /proc/PID/cgroup, starting with `/`; the root is `/`. */
  readonly path: string;
  readonly version: CgroupVersion;
  /** v2 memory.current, v1 memory.usage_in_bytes; null where absent (the v2 root). */
  readonly usage: number | null;
  /** v2 memory.max, v1 memory.limit_in_bytes (unlimited → null). */
  readonly limit: number | null;
  /** v2 memory.swap.current; v1: memsw usage − usage when memsw exists. */
  readonly swapUsage: number | null;
  /** v2 memory.swap.max; v1: memsw limit − memory limit, both when limited. null = unlimited. */
  readonly swapLimit: number | null;
  /** v1 memory.memsw.usage_in_bytes / limit_in_bytes (null where absent or unlimited). */
  readonly memswUsage: number | null;
  readonly memswLimit: number | null;
  /** v2 only. */
  readonly high: number | null;
  readonly low: number | null;
  readonly min: number | null;
  /** v2 memory.peak, v1 memory.max_usage_in_bytes. */
  readonly peak: number | null;
  /** memory.stat, `key value` lines by key. */
  readonly stat: Readonly<Record<string, number>>;
  /** v2 memory.events (hierarchical). Empty on v1. */
  readonly events: Readonly<Record<string, number>>;
  /** v1 memory.oom_control; null on v2. */
  readonly oomControl: OomControl | null;
  /** v2 memory.oom.group; false on v1 (which has no such file). */
  readonly oomGroup: boolean;
  /** memory.swappiness (v1), null on v2. A memcg with swappiness 0 gets no swap allowance. */
  readonly swappiness: number | null;
  readonly pressure: Psi | null;
  /** Member pids of this cgroup itself (cgroup.procs), not of its descendants. */
  readonly procs: readonly number[];
  /**
   * v2: systemd's ManagedOOMPreference, from the `user.oomd_omit` / `user.oomd_avoid` xattrs (omit wins),
   * only where systemd-oomd would honour it (see docs/cgroup-policies.md). Absent: no preference.
   */
  readonly oomdPreference?: 'avoid' | 'omit';
}

/** How cgroups are mounted: pure v1, pure v2, or hybrid (v1 controllers plus a v2 hierarchy). */
export type CgroupLayout = 'v1' | 'v2' | 'hybrid' | 'none';

export interface Snapshot {
  /** Milliseconds since an arbitrary origin (monotonic on a real host). */
  readonly timeMs: number;
  readonly pageSize: number;
  /** Clock ticks per second (USER_HZ), for stat times. */
  readonly clockTicks: number;
  /** Seconds since boot, for the legacy heuristic's run time. */
  readonly uptimeSec: number;
  readonly meminfo: MemInfo;
  readonly vmstat: VmStat | null;
  readonly psi: {
    readonly memory: Psi | null;
    readonly io: Psi | null;
    readonly cpu: Psi | null;
  };
  readonly processes: readonly ProcessInfo[];
  readonly cgroupLayout: CgroupLayout;
  /** Memory cgroups by path. Filled for the subtrees that were asked for. */
  readonly cgroups: ReadonlyMap<string, CgroupInfo>;
  /**
   * True when /proc shows the initial PID namespace, where PID 1 is the host's init (which the kernel
   * never kills). Inside a PID namespace, PID 1 is an ordinary, eligible process.
   */
  readonly hostPidNamespace: boolean;
  /** The pid of the oomguard process reading the snapshot, as seen in this /proc (null if not visible). */
  readonly selfPid: number | null;
}
