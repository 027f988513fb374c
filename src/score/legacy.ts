// The pre-2.6.36 OOM heuristics: Linux 2.4 and 2.6.35 mm/oom_kill.c badness(). All inputs are
// non-negative, so the kernel's right shifts are truncating divisions by powers of two.
import { UsageError } from '../model/errors.js';
import type { ProcessInfo, Snapshot } from '../model/snapshot.js';
import { OOM_DISABLE, scoreAdjToOomAdj } from './oom-adj.js';
import { bytesToPages } from './pages.js';

export const CAP_SYS_RAWIO = 17;
export const CAP_SYS_ADMIN = 21;
export const CAP_SYS_RESOURCE = 24;

/** The HZ the 2.6.35 adapter assumes: CPU time is converted from USER_HZ ticks to jiffies at this rate. */
export const LEGACY_HZ = 1000;

function shiftRight(x: number, bits: number): number {
  return Math.trunc(x / 2 ** bits);
}

/** SHIFT_HZ of include/linux/jiffies.h: HZ in [12·2^k, 24·2^k) gives 4 + k (100 → 7, 250 → 8, 1000 → 10). */
export function shiftHz(hz: number): number {
  if (!Number.isInteger(hz) || hz < 12 || hz >= 12288) {
    throw new UsageError(`HZ must be an integer from 12 to 12287, got ${hz}`);
  }
  let shift = 4;
  for (let low = 12; hz >= low * 2; low *= 2) shift++;
  return shift;
}

/** Linux 2.4's int_sqrt: a rough √x that is never 0. */
export function s(x: number): number {
  let out = x;
  let rest = x;
  while (rest >= 2) {
    rest = shiftRight(rest, 2);
    out = shiftRight(out, 1);
  }
  if (rest !== 0) out -= shiftRight(out, 2);
  return out === 0 ? 1 : out;
}

/** Exact floor square root (2.6's int_sqrt). */
export function isqrt(x: number): number {
  let r = Math.floor(Math.sqrt(x));
  // Correct the float estimate, which can be off by one near large perfect squares.
  while (r * r > x) r--;
  while ((r + 1) * (r + 1) <= x) r++;
  return r;
}

export interface Legacy24Input {
  /** total_vm in pages. */
  readonly totalVmPages: number;
  /** utime + stime in ticks at `hz`. */
  readonly cpuTicks: number;
  /** jiffies − start_time: the task's age in ticks at `hz`. */
  readonly ageTicks: number;
  readonly hz: number;
  readonly nice: number;
  /** uid or euid 0. */
  readonly root: boolean;
  readonly capSysAdmin: boolean;
  readonly capSysRawio: boolean;
}

/** Linux 2.4 badness(): total_vm scaled down by CPU time (≈ 8 s units) and age (≈ 1024 s units). */
export function legacyPoints24(input: Legacy24Input): number {
  const shift = shiftHz(input.hz);
  const cpu = shiftRight(input.cpuTicks, shift + 3);
  const run = shiftRight(input.ageTicks, shift + 10);
  let points = input.totalVmPages;
  points = Math.trunc(points / s(cpu));
  points = Math.trunc(points / s(s(run)));
  if (input.nice > 0) points *= 2;
  if (input.capSysAdmin || input.root) points = Math.trunc(points / 4);
  if (input.capSysRawio) points = Math.trunc(points / 4);
  return points;
}

export interface Legacy2635Input {
  /** total_vm in pages. */
  readonly totalVmPages: number;
  /** total_vm in pages of each child that has its own mm. */
  readonly childrenVmPages: readonly number[];
  /** Thread-group utime + stime in jiffies at `hz`. */
  readonly cpuJiffies: number;
  readonly hz: number;
  /** uptime − start time, whole seconds (0 when negative). */
  readonly runSeconds: number;
  readonly nice: number;
  readonly capSysAdmin: boolean;
  readonly capSysResource: boolean;
  readonly capSysRawio: boolean;
  /** The task's cpuset nodes do not overlap the allocation's: ÷ 8. Unknown from /proc, so off unless given. */
  readonly cpusetDisjoint?: boolean;
  /** −17..15. */
  readonly oomAdj: number;
}

/** Linux 2.6.35 badness(), the value /proc/PID/oom_score showed then (unbounded). */
export function legacyPoints2635(input: Legacy2635Input): number {
  if (input.oomAdj === OOM_DISABLE) return 0;
  let points = input.totalVmPages;
  // Half of each child's size, so a forking server is a better choice than one of its children.
  for (const childVm of input.childrenVmPages) points += shiftRight(childVm, 1) + 1;
  const cpu = shiftRight(input.cpuJiffies, shiftHz(input.hz) + 3);
  const run = shiftRight(Math.max(input.runSeconds, 0), 10);
  if (cpu > 0) points = Math.trunc(points / isqrt(cpu));
  if (run > 0) points = Math.trunc(points / isqrt(isqrt(run)));
  if (input.nice > 0) points *= 2;
  if (input.capSysAdmin || input.capSysResource) points = Math.trunc(points / 4);
  if (input.capSysRawio) points = Math.trunc(points / 4);
  if (input.cpusetDisjoint === true) points = Math.trunc(points / 8);
  if (input.oomAdj > 0) points = Math.max(points, 1) * 2 ** input.oomAdj;
  else if (input.oomAdj < 0) points = shiftRight(points, -input.oomAdj);
  return points;
}

function hasCap(capEff: bigint, cap: number): boolean {
  return ((capEff >> BigInt(cap)) & 1n) === 1n;
}

/** Children of each pid (by ppid), for the 2.6.35 children term. */
export function childrenByParent(
  processes: readonly ProcessInfo[],
): ReadonlyMap<number, readonly ProcessInfo[]> {
  const byParent = new Map<number, ProcessInfo[]>();
  for (const p of processes) {
    const siblings = byParent.get(p.ppid);
    if (siblings === undefined) byParent.set(p.ppid, [p]);
    else siblings.push(p);
  }
  return byParent;
}

/**
 * The 2.6.35 inputs of a process as a snapshot shows it, at HZ 1000. `children` are the processes whose
 * ppid is this pid; those without an mm are left out (a CLONE_VM child sharing the mm is invisible).
 */
export function legacyInputFromProcess(
  p: ProcessInfo,
  snap: Snapshot,
  children: readonly ProcessInfo[],
): Legacy2635Input {
  return {
    totalVmPages: bytesToPages(p.vmSize, snap.pageSize),
    childrenVmPages: children.filter((c) => c.hasMm).map((c) => bytesToPages(c.vmSize, snap.pageSize)),
    cpuJiffies: Math.trunc((p.cpuTicks * LEGACY_HZ) / snap.clockTicks),
    hz: LEGACY_HZ,
    // The kernel compared whole seconds: uptime.tv_sec − start_time.tv_sec.
    runSeconds: Math.trunc(snap.uptimeSec) - Math.trunc(p.startTicks / snap.clockTicks),
    nice: p.nice,
    capSysAdmin: hasCap(p.capEff, CAP_SYS_ADMIN),
    capSysResource: hasCap(p.capEff, CAP_SYS_RESOURCE),
    capSysRawio: hasCap(p.capEff, CAP_SYS_RAWIO),
    oomAdj: scoreAdjToOomAdj(p.oomScoreAdj),
  };
}
