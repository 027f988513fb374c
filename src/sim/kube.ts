// The kubelet's side of memory, as the simulator needs it: QoS classes, the oom_score_adj each container's
// processes get, pod cgroup paths, and the eviction order (Kubernetes pkg/kubelet/qos and pkg/kubelet/eviction).

export type Qos = 'guaranteed' | 'burstable' | 'besteffort';

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

/** The kubelet's oom_score_adj for a container (policy.go): Burstable 1000 − 1000·request/capacity in [3, 999]. */
export function containerOomScoreAdj(qos: Qos, requestBytes: number, capacityBytes: number): number {
  if (qos === 'guaranteed') return -997;
  if (qos === 'besteffort') return 1000;
  // 1000 × bytes passes 2^53 above about 8 TiB: BigInt keeps Go's exact int64 division.
  const adj = 1000 - Number((1000n * BigInt(requestBytes)) / BigInt(capacityBytes));
  if (adj < 3) return 3;
  return adj === 1000 ? 999 : adj;
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
export const CRITICAL_PRIORITY = 2_000_000_000;

/**
 * The eviction order for memory (rankMemoryPressure): working set above request first, then lower priority,
 * then larger working set − request. Full ties keep the given order (the kubelet's sort is unstable; the
 * simulator stays deterministic).
 */
export function evictionOrder<T extends EvictionCandidate>(pods: readonly T[]): T[] {
  const exceeds = (p: EvictionCandidate) => (p.workingSet > p.request ? 0 : 1);
  return pods
    .filter((p) => p.priority < CRITICAL_PRIORITY)
    .map((p, i) => ({ p, i }))
    .sort(
      (a, b) =>
        exceeds(a.p) - exceeds(b.p) ||
        a.p.priority - b.p.priority ||
        b.p.workingSet - b.p.request - (a.p.workingSet - a.p.request) ||
        a.i - b.i,
    )
    .map((x) => x.p);
}

/** memory.available < threshold (strictly below), the hard eviction signal. */
export function evictionThresholdMet(availableBytes: number, thresholdBytes: number): boolean {
  return availableBytes < thresholdBytes;
}
