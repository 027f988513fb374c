// What a simulated run reports: one event per thing that happened, with who did it and why.

export type SimEventType = 'kill' | 'oom' | 'panic' | 'alloc-fail' | 'evict' | 'signal' | 'exit';

/** The kernel, a userspace killer (oomguard, or the earlyoom and cgroup policies it emulates), or the kubelet. */
export type Actor = 'kernel' | 'oomguard' | 'kubelet';

export interface SimEvent {
  /** Milliseconds since the start of the run. */
  readonly t: number;
  readonly type: SimEventType;
  readonly pid: number | null;
  readonly name: string | null;
  readonly cgroup: string | null;
  readonly by: Actor;
  readonly reason: string;
}

/** One process that died at a killer's hand (SIGKILL, or an exit after SIGTERM). */
export interface Victim {
  readonly t: number;
  readonly pid: number;
  readonly name: string;
  readonly cgroup: string;
  readonly by: Actor;
  /** CPU time it had used: the work lost. */
  readonly cpuMs: number;
  /** Memory its exit gave back (its mm when it was the last user, and segments nobody maps any more). */
  freedBytes: number;
}

export interface SimSummary {
  readonly victims: number;
  /** Victim names in order of death. */
  readonly victimNames: readonly string[];
  readonly kills: { readonly kernel: number; readonly oomguard: number; readonly kubelet: number };
  readonly ooms: number;
  readonly allocFailures: number;
  readonly evictions: number;
  readonly memoryFreedBytes: number;
  /** Time during which some allocation had to swap, wait for a victim or failed to find memory. */
  readonly shortOfMemoryMs: number;
  /** CPU time of the victims, milliseconds. */
  readonly workLostMs: number;
  /** Why the kernel panicked, or null. */
  readonly panic: string | null;
  /** When the run stopped (its duration, or the panic). */
  readonly endMs: number;
}
