// The kubelet's side of memory, as the simulator's scenarios describe it: a pod's QoS class from its memory
// requests and limits, and its cgroup path; the adj and eviction rules themselves are src/kube's.

import { SYSTEM_CRITICAL_PRIORITY } from '../kube/critical.js';
import { rankForEviction } from '../kube/eviction-order.js';
import { containerOomScoreAdjFor } from '../kube/oom-score-adj.js';
import type { QosClass } from '../kube/qos.js';

export type Qos = 'guaranteed' | 'burstable' | 'besteffort';

const QOS_CLASS: Readonly<Record<Qos, QosClass>> = {
  guaranteed: 'Guaranteed',
  burstable: 'Burstable',
  besteffort: 'BestEffort',
};

export interface ContainerResources {
  readonly request: number | null;
  readonly limit: number | null;
}

/** Guaranteed: every container's limit set and request equal to it (a missing request defaults to the limit). */
export function podQos(containers: readonly ContainerResources[]): Qos {
  if (containers.every((c) => c.request === null && c.limit === null)) return 'besteffort';
  const guaranteed = containers.every((c) => c.limit !== null && (c.request ?? c.limit) === c.limit);
  return guaranteed ? 'guaranteed' : 'burstable';
}

/** The request that counts: a missing request defaults to the limit, as the API server fills it in. */
export function effectiveRequest(c: ContainerResources): number {
  return c.request ?? c.limit ?? 0;
}

/** The kubelet's oom_score_adj for a container: the same rules `oomguard kube adj` applies (src/kube). */
export function containerOomScoreAdj(qos: Qos, requestBytes: number, capacityBytes: number): number {
  return containerOomScoreAdjFor({
    qos: QOS_CLASS[qos],
    requestBytes: BigInt(requestBytes),
    capacityBytes: BigInt(capacityBytes),
  }).oomScoreAdj;
}

/** The pod's cgroup as the cgroupfs driver names it: /kubepods[/burstable|/besteffort]/pod<name>. */
export function podCgroup(name: string, qos: Qos): string {
  return qos === 'guaranteed' ? `/kubepods/pod${name}` : `/kubepods/${qos}/pod${name}`;
}

export interface EvictionCandidate {
  readonly name: string;
  readonly workingSet: number;
  readonly request: number;
  readonly priority: number;
}

/** Pods at or above this priority (system-node-critical, system-cluster-critical) are never evicted. */
export const CRITICAL_PRIORITY = SYSTEM_CRITICAL_PRIORITY;

/**
 * The evictable pods in the kubelet's eviction order (src/kube/eviction-order.ts): working set above request
 * first, then lower priority, then larger working set − request. Full ties keep the given order, so the
 * simulator stays deterministic where the kubelet's sort is unstable.
 */
export function evictionOrder<T extends EvictionCandidate>(pods: readonly T[]): T[] {
  const candidates = pods.map((pod) => ({
    pod,
    name: pod.name,
    priority: pod.priority,
    memoryRequestBytes: pod.request,
    workingSetBytes: pod.workingSet,
    critical: pod.priority >= CRITICAL_PRIORITY ? `priority ${pod.priority}` : null,
  }));
  return rankForEviction(candidates)
    .filter((r) => r.evictable)
    .map((r) => r.pod.pod);
}

/** memory.available < threshold (strictly below), the hard eviction signal. */
export function evictionThresholdMet(availableBytes: number, thresholdBytes: number): boolean {
  return availableBytes < thresholdBytes;
}
