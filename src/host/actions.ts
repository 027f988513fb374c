// The dangerous half of the host: everything that acts on a process or cgroup. The executor is its only
// caller; tests and the simulator use a fake (test/helpers/fake-actions.ts) behind the same interface.

export type KillSignal = 'SIGTERM' | 'SIGKILL';

/**
 * One process held by identity: a pidfd plus the start time it was checked against. Opaque: only the
 * HostActions that made it can use it, and only until unpin().
 */
export interface PinnedProcess {
  readonly pid: number;
  /** /proc/PID/stat field 22, clock ticks after boot. */
  readonly startTicks: number;
}

/**
 * sent: the kernel accepted the signal. gone: the pinned process has exited (and may be reaped; its PID may
 * already belong to someone else, who was not signalled). denied: EPERM. identity-changed: without pidfd,
 * the PID now names another process, which was not signalled.
 */
export type SignalOutcome = 'sent' | 'gone' | 'denied' | 'identity-changed';

export interface CgroupKillResult {
  /** PIDs signalled (for cgroup.kill: the members listed just before the write). */
  readonly signalled: readonly number[];
  readonly method: 'cgroup.kill' | 'signal-each';
}

export interface SelfProtectionOptions {
  /** Default -900. A negative value needs CAP_SYS_RESOURCE. */
  readonly oomScoreAdj?: number;
  /** Default -10. */
  readonly nice?: number;
}

/** What happened to each setting, in words for the log: the value set, or why it was left as it was. */
export interface SelfProtectionResult {
  readonly oomScoreAdj: string;
  readonly nice: string;
}

export interface HostActions {
  /**
   * Opens a pidfd, then checks /proc/PID/stat's start time equals startTicks (pidfd first, check second:
   * after that the pidfd names exactly that process even if the PID is reused). null when the process is
   * gone, is not a thread-group leader, or is a different process. Throws for a PID that is not a positive
   * integer (kill(2) gives 0 and negative PIDs group meanings).
   */
  pin(pid: number, startTicks: number): PinnedProcess | null;
  /**
   * pidfd_send_signal through the pin. Without pidfd (kernel < 5.3, no koffi) it re-checks the start time
   * immediately before kill(pid) and reports that fallback once through the warning callback.
   */
  signal(p: PinnedProcess, sig: KillSignal): SignalOutcome;
  /** process_mrelease after SIGKILL (5.15+) to free the victim's memory now; false when it could not. */
  release(p: PinnedProcess): boolean;
  /**
   * True while the process runs. Exited means: the pidfd polls readable, or /proc/PID is gone, names
   * another process, or shows a zombie with one thread (a zombie leader whose threads still run is alive).
   */
  alive(p: PinnedProcess): boolean;
  /** Closes the pidfd. Idempotent. */
  unpin(p: PinnedProcess): void;
  /**
   * SIGKILLs every process of a memory cgroup subtree, given as an absolute directory (the caller resolves
   * mounts). cgroup v2 with cgroup.kill: writes 1 there. Otherwise pins and SIGKILLs each member PID,
   * still a member once pinned, repeating up to 10 passes while new members (forks) appear. Refuses a
   * hierarchy root and a subtree that holds this process or PID 1.
   */
  killCgroup(dir: string): CgroupKillResult;
  /** Lowers this process's oom_score_adj and nice. Never throws; never calls mlockall (V8 aborts). */
  protectSelf(opts?: SelfProtectionOptions): SelfProtectionResult;
}
