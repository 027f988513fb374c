// The Host is the only door to the operating system. Everything after sample() is pure.
import type { CgroupInfo, Snapshot } from '../model/snapshot.js';

export interface SampleOptions {
  /** Read the process table (default true). */
  readonly processes?: boolean;
  /** Also read each process's /proc/PID/oom_score, the kernel's own figure (costly; default false). */
  readonly kernelOomScore?: boolean;
  /**
   * Read memory cgroups: the subtree rooted at this path (as in /proc/PID/cgroup; '/' for all).
   * undefined or null: read none.
   */
  readonly cgroupSubtree?: string | null;
  /** Keep only processes whose memory cgroup is this path or below it. */
  readonly processScope?: string | null;
  /**
   * Read /proc/vmstat and the io and cpu PSI files (default true). The daemon's frequent memory look
   * leaves them out unless a policy needs them: less to read and parse, less garbage, an idle daemon.
   */
  readonly counters?: boolean;
  /**
   * Read the memory PSI file (default true). false allows a host to skip it (psi.memory then null): the
   * daemon's look needs it only for a PSI rule or a cgroup policy, and it runs every second or so.
   */
  readonly pressure?: boolean;
  /**
   * Read only these processes (ascending pids; those that have exited are left out), not every one under
   * /proc: the second phase of the two-phase victim search (src/policy/shortlist.ts).
   */
  readonly pids?: readonly number[];
}

/**
 * Processes and their oom_score, side by side (scores[i] is pids[i]'s): two arrays, because a Map of 10,000
 * entries cost ~2.5 of phase one's ~53 ms.
 */
export interface OomScores {
  readonly pids: readonly number[];
  readonly scores: readonly number[];
}

export interface Host {
  readonly pageSize: number;
  /** One consistent-enough look at the machine. Processes that vanish mid-read are left out. */
  sample(options?: SampleOptions): Snapshot;
  /**
   * /proc/PID/oom_score of every process: the kernel's own badness, one small file each (the first phase of
   * the two-phase victim search). Optional: hosts without it always get full scans.
   */
  readOomScores?(): OomScores;
  /** The process's command line, split on NUL; null when it vanished. Empty for kernel threads. */
  readCmdline(pid: number): string[] | null;
  /** The target of /proc/PID/exe, null when unreadable or vanished. */
  readExe(pid: number): string | null;
  /** One memory cgroup; throws HostReadError when it does not exist or cannot be read. */
  readCgroup(path: string): CgroupInfo;
  /** The directory of a memory cgroup in the mounted hierarchy (for writes such as cgroup.kill). */
  cgroupDir(path: string): string;
  /** Release open file descriptors. */
  close(): void;
}
