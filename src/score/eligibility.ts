// Which processes the kernel's OOM killer can never pick (oom_unkillable_task, oom_badness's LONG_MIN).
import type { ProcessInfo } from '../model/snapshot.js';

export const OOM_SCORE_ADJ_MIN = -1000;
export const OOM_SCORE_ADJ_MAX = 1000;

export const UNKILLABLE = {
  hostInit: 'host init',
  kernelThread: 'kernel thread',
  adjMin: 'oom_score_adj -1000',
  noMm: 'no memory (zombie or exiting)',
} as const;

/**
 * Why the kernel would never choose this process, or null when it is eligible. A container's PID 1 is
 * eligible: only the initial PID namespace's init is spared. "OOM skip" and vfork sharing are invisible
 * from /proc and not modelled.
 */
export function unkillableReason(p: ProcessInfo, hostPidNamespace: boolean): string | null {
  if (hostPidNamespace && p.pid === 1) return UNKILLABLE.hostInit;
  if (p.kthread) return UNKILLABLE.kernelThread;
  if (p.oomScoreAdj === OOM_SCORE_ADJ_MIN) return UNKILLABLE.adjMin;
  if (!p.hasMm) return UNKILLABLE.noMm;
  return null;
}
