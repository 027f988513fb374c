// systemd-oomd's swap policy: act when both memory and swap use are above SwapUsedLimit (of MemTotal and
// SwapTotal), then kill the candidate cgroup that uses the most swap, among those using more than 5 % of it. Pure.
import type { CgroupPolicyConfig } from '../config/types.js';
import type { Snapshot } from '../model/snapshot.js';
import { formatMiB } from '../score/pages.js';
import type { CompiledCgroupRule } from './cgroup-prefs.js';
import { type CgroupRanking, orderCgroups, type PolicyTrigger, type ScoredCgroup } from './cgroup-ranking.js';
import { oomdCandidates } from './cgroup-tree.js';

/** A candidate must use more than this share of SwapTotal (systemd-oomd's THRESHOLD_SWAP_USED_PERCENT). */
export const SWAP_CANDIDATE_MIN_PERCENT = 5;

export type SwapSettings = Pick<CgroupPolicyConfig, 'swapUsedLimit'>;

/**
 * systemd-oomd's "free below": what is left (total − used) is below trunc(total × (10000 − limit‱) / 10000),
 * in integers, as oomd-util.c computes it; the limit is taken in hundredths of a percent.
 */
function leftBelow(total: number, left: number, limitPercent: number): boolean {
  const permyriad = BigInt(10000 - Math.round(limitPercent * 100));
  return BigInt(left) < (BigInt(total) * permyriad) / 10000n;
}

function percentOf(part: number, total: number): string {
  return `${Number(((part * 100) / total).toFixed(1))} %`;
}

/** mem used = MemTotal − MemAvailable, swap used = SwapTotal − SwapFree; both must pass the limit. */
export function swapTrigger(snap: Snapshot, settings: SwapSettings): PolicyTrigger {
  const m = snap.meminfo;
  if (m.swapTotal === 0) return { met: false, why: 'no swap' };
  const memLeft = m.memAvailable ?? m.memFree;
  const memUsed = `memory used ${percentOf(m.memTotal - memLeft, m.memTotal)}`;
  const swapUsed = `swap used ${percentOf(m.swapTotal - m.swapFree, m.swapTotal)}`;
  const limit = `${settings.swapUsedLimit} %`;
  const memOver = leftBelow(m.memTotal, memLeft, settings.swapUsedLimit);
  const swapOver = leftBelow(m.swapTotal, m.swapFree, settings.swapUsedLimit);
  if (memOver && swapOver) return { met: true, why: `${memUsed} and ${swapUsed}, both above ${limit}` };
  return {
    met: false,
    why: `${memUsed}, ${swapUsed}: ${memOver ? 'swap' : 'memory'} is not above ${limit}`,
  };
}

export function rankBySwap(
  snap: Snapshot,
  scope: string,
  settings: SwapSettings,
  rules: readonly CompiledCgroupRule[],
): CgroupRanking {
  const floor = Math.trunc((snap.meminfo.swapTotal * SWAP_CANDIDATE_MIN_PERCENT) / 100);
  const scored = oomdCandidates(snap.cgroups, scope).map((cg): ScoredCgroup => {
    const swap = cg.swapUsage ?? 0;
    return {
      cg,
      figures: { swap, floor },
      keys: [swap],
      why: `swap ${formatMiB(swap)}`,
      excludedBy:
        swap > floor
          ? null
          : `swap ${formatMiB(swap)} is not above ${SWAP_CANDIDATE_MIN_PERCENT} % of the swap (${formatMiB(floor)})`,
    };
  });
  return {
    policy: 'oomd-swap',
    scope,
    trigger: swapTrigger(snap, settings),
    cgroups: orderCgroups(scored, rules),
  };
}
