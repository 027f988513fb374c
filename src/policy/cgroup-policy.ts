// The cgroup policies by name: what each ranks, whether it compares with the past, whether it has its own trigger,
// and whether its kills take whole cgroups. Pure.
import type { CgroupPolicyConfig } from '../config/types.js';
import type { PodMetadata } from '../kube/pod-metadata.js';
import type { CgroupPolicyName } from '../model/ranking.js';
import type { Snapshot } from '../model/snapshot.js';
import type { CompiledCgroupRule } from './cgroup-prefs.js';
import type { CgroupRanking, PolicyTrigger } from './cgroup-ranking.js';
import { rankCgroupsBySize } from './cgroup-size.js';
import { rankPods } from './kube-pods.js';
import { pressureTrigger, rankByPressure } from './oomd-pressure.js';
import { rankBySizeOrGrowth } from './oomd-size-growth.js';
import { rankBySwap, swapTrigger } from './oomd-swap.js';

export interface CgroupPolicyInput {
  readonly policy: CgroupPolicyName;
  /** The cgroup whose subtree is ranked; '/' for all. */
  readonly scope: string;
  readonly settings: CgroupPolicyConfig;
  readonly rules: readonly CompiledCgroupRule[];
  /** The `kube` policy's pod metadata (names, priorities, requests); null or absent: rank pods without. */
  readonly podMetadata?: readonly PodMetadata[] | null;
}

/** Policies that compare a cgroup with its past (pgscan rates, growth): the daemon keeps earlier samples for them. */
export function needsHistory(policy: CgroupPolicyName): boolean {
  return policy === 'oomd-pressure' || policy === 'size-growth';
}

/**
 * The oomd-style policies kill the chosen cgroup whole, as systemd-oomd and oomd do, and `kube` the chosen pod
 * as an eviction does; `cgroup` kills one process.
 */
export function killsWholeCgroup(policy: CgroupPolicyName): boolean {
  return policy !== 'cgroup';
}

/** The candidates of `now` in kill order. `history`: earlier snapshots holding the same cgroups (any order). */
export function rankCgroups(
  now: Snapshot,
  history: readonly Snapshot[],
  input: CgroupPolicyInput,
): CgroupRanking {
  const { scope, settings, rules } = input;
  switch (input.policy) {
    case 'cgroup':
      return rankCgroupsBySize(now, scope, settings, rules);
    case 'oomd-pressure':
      return rankByPressure(now, history, scope, settings, rules);
    case 'oomd-swap':
      return rankBySwap(now, scope, settings, rules);
    case 'size-growth':
      return rankBySizeOrGrowth(now, history, scope, settings, rules);
    case 'kube':
      return rankPods(now, scope, input.podMetadata ?? null, rules);
  }
}

/** The policy's own condition for acting, or null for policies that have none. */
export function policyTrigger(
  now: Snapshot,
  history: readonly Snapshot[],
  input: Omit<CgroupPolicyInput, 'rules'>,
): PolicyTrigger | null {
  switch (input.policy) {
    case 'oomd-pressure':
      return pressureTrigger(now, history, input.scope, input.settings);
    case 'oomd-swap':
      return swapTrigger(now, input.settings);
    default:
      return null;
  }
}
