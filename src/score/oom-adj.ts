// The legacy /proc/PID/oom_adj interface (−17..15), a view onto oom_score_adj since 2.6.36
// (fs/proc/base.c oom_adj_write / oom_adj_read). The mapping is lossy both ways.
import { UsageError } from '../model/errors.js';
import { OOM_SCORE_ADJ_MAX, OOM_SCORE_ADJ_MIN } from './eligibility.js';

export const OOM_DISABLE = -17;
export const OOM_ADJUST_MAX = 15;

/** The oom_score_adj stored when `oomAdj` is written to /proc/PID/oom_adj. */
export function oomAdjToScoreAdj(oomAdj: number): number {
  if (!Number.isInteger(oomAdj) || oomAdj < OOM_DISABLE || oomAdj > OOM_ADJUST_MAX) {
    throw new UsageError(
      `oom_adj must be an integer from ${OOM_DISABLE} to ${OOM_ADJUST_MAX}, got ${oomAdj}`,
    );
  }
  // 15 maps to 1000 exactly so the maximum stays reachable; −17 × 1000 / 17 is −1000 by itself.
  if (oomAdj === OOM_ADJUST_MAX) return OOM_SCORE_ADJ_MAX;
  return Math.trunc((oomAdj * OOM_SCORE_ADJ_MAX) / -OOM_DISABLE);
}

/** What /proc/PID/oom_adj reads for a given oom_score_adj. */
export function scoreAdjToOomAdj(adj: number): number {
  if (!Number.isInteger(adj) || adj < OOM_SCORE_ADJ_MIN || adj > OOM_SCORE_ADJ_MAX) {
    throw new UsageError(
      `oom_score_adj must be an integer from ${OOM_SCORE_ADJ_MIN} to ${OOM_SCORE_ADJ_MAX}, got ${adj}`,
    );
  }
  if (adj === OOM_SCORE_ADJ_MAX) return OOM_ADJUST_MAX;
  // `+ 0` turns the −0 of a small negative adj (−58 → −0.986 → −0) into the kernel's 0.
  return Math.min(Math.trunc((adj * -OOM_DISABLE) / OOM_SCORE_ADJ_MAX), OOM_ADJUST_MAX) + 0;
}
