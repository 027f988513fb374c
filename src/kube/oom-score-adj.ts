// The oom_score_adj the kubelet writes for each container (Kubernetes pkg/kubelet/qos/policy.go, 1.32+),
// with the alpha KubeletOOMScoreAdjTieBreak gate as an option. BigInt throughout: 1000 × request in
// bytes passes 2^53 above 8 TiB, and Go's integer division truncates toward zero, as BigInt's does. Pure.
import { UsageError } from '../model/errors.js';
import { isNodeCriticalPod } from './critical.js';
import { type ContainerSpec, hasPodLevelResources, memoryBytes, type PodSpec } from './pod.js';
import { aggregateContainerMemoryRequest, podQosClass, type QosClass } from './qos.js';

export const KUBELET_OOM_SCORE_ADJ = -999;
export const KUBE_PROXY_OOM_SCORE_ADJ = -999;
/** The pod sandbox's pause process under containerd's CRI. */
export const PAUSE_OOM_SCORE_ADJ = -998;
export const GUARANTEED_OOM_SCORE_ADJ = -997;
export const BEST_EFFORT_OOM_SCORE_ADJ = 1000;
/** Burstable stays above Guaranteed (1000 + −997) and below BestEffort. */
const BURSTABLE_MIN = 1000 + GUARANTEED_OOM_SCORE_ADJ;
const BURSTABLE_MAX = BEST_EFFORT_OOM_SCORE_ADJ - 1;

const MI64 = 64n * 1024n * 1024n;

export interface AdjOptions {
  /** The alpha KubeletOOMScoreAdjTieBreak feature gate (default off, as in Kubernetes). */
  readonly tieBreak?: boolean;
}

export interface AdjResult {
  readonly oomScoreAdj: number;
  /** The arithmetic behind it, one step a line, for `kube adj` and explanations. */
  readonly steps: readonly string[];
}

function requireCapacity(capacity: bigint): void {
  if (capacity <= 0n) throw new UsageError(`capacity: expected a positive amount of memory, got ${capacity}`);
}

/** ⌊log2 n⌋ for n ≥ 1; 0 for n < 1 (no nudge below 64Mi). */
function floorLog2(n: bigint): number {
  return n < 1n ? 0 : n.toString(2).length - 1;
}

/** The tie-break gate's largest nudge on this node: ⌊log2 trunc(cap / 1000 / 64Mi)⌋ (0 at 64 GiB, 4 at 1 TiB). */
export function maxTieBreakNudge(capacity: bigint): number {
  return floorLog2(capacity / 1000n / MI64);
}

/** 1000 − trunc(1000 × request / capacity), before any clamp. */
function burstableBase(request: bigint, capacity: bigint, steps: string[]): bigint {
  const share = (1000n * request) / capacity;
  steps.push(`1000 − trunc(1000 × ${request} / ${capacity}) = 1000 − ${share} = ${1000n - share}`);
  return 1000n - share;
}

/** The tie-break gate's nudges: larger requests, and limits at or below the request, go lower. */
function tieBreak(
  value: bigint,
  request: bigint,
  limit: bigint | null,
  capacity: bigint,
  steps: string[],
): bigint {
  const max = maxTieBreakNudge(capacity);
  const bySize = Math.min(floorLog2(request / MI64), max);
  let out = value - BigInt(bySize);
  steps.push(`tie-break: − min(⌊log2 trunc(${request} / 64Mi)⌋, maxNudge ${max}) = − ${bySize} → ${out}`);
  if (limit !== null && limit <= request) {
    out -= BigInt(max + 1);
    steps.push(`tie-break: limit ${limit} ≤ request: − (maxNudge + 1) = − ${max + 1} → ${out}`);
  }
  return out;
}

function clampBurstable(value: bigint, steps: string[]): number {
  const v = Number(value);
  if (v < BURSTABLE_MIN) {
    steps.push(`below ${BURSTABLE_MIN} → ${BURSTABLE_MIN} (stays above Guaranteed)`);
    return BURSTABLE_MIN;
  }
  if (v >= BEST_EFFORT_OOM_SCORE_ADJ) {
    // Kubernetes maps 1000 (a zero request) to 999. Nothing above 1000 arises unless a pod-level
    // request is below its containers' sum, which the API server rejects.
    steps.push(`${v} → ${BURSTABLE_MAX} (stays below BestEffort)`);
    return BURSTABLE_MAX;
  }
  return v;
}

export interface SingleContainer {
  readonly qos: QosClass;
  /** Memory request in bytes (Burstable only; default 0). */
  readonly requestBytes?: bigint;
  /** Memory limit in bytes; only the tie-break gate reads it. */
  readonly limitBytes?: bigint | null;
  /** The node's memory capacity (MemTotal), not its allocatable memory. */
  readonly capacityBytes: bigint;
  /** A container of a system-node-critical pod. */
  readonly nodeCritical?: boolean;
}

/** The adj of one container of a one-container pod (no sidecar, no pod-level request): `oomguard kube adj`. */
export function containerOomScoreAdjFor(c: SingleContainer, options: AdjOptions = {}): AdjResult {
  requireCapacity(c.capacityBytes);
  if (c.nodeCritical)
    return { oomScoreAdj: GUARANTEED_OOM_SCORE_ADJ, steps: ['system-node-critical pod → −997'] };
  if (c.qos === 'Guaranteed') return { oomScoreAdj: GUARANTEED_OOM_SCORE_ADJ, steps: ['Guaranteed → −997'] };
  if (c.qos === 'BestEffort') return { oomScoreAdj: BEST_EFFORT_OOM_SCORE_ADJ, steps: ['BestEffort → 1000'] };
  const steps: string[] = [];
  const request = c.requestBytes ?? 0n;
  let value = burstableBase(request, c.capacityBytes, steps);
  if (options.tieBreak) value = tieBreak(value, request, c.limitBytes ?? null, c.capacityBytes, steps);
  return { oomScoreAdj: clampBurstable(value, steps), steps };
}

export type ContainerKind = 'container' | 'init' | 'sidecar';

export interface ContainerAdj extends AdjResult {
  readonly name: string;
  readonly kind: ContainerKind;
}

/** The largest (direction 1) or smallest (−1) of a non-empty list; Math.max does not take bigints. */
function extreme(values: readonly bigint[], direction: 1 | -1): bigint {
  let best = values[0] ?? 0n;
  for (const v of values) if ((v - best) * BigInt(direction) > 0n) best = v;
  return best;
}

/** Pod-level request not given to any container, shared by all containers and init containers. */
function remainingPerContainer(pod: PodSpec): bigint {
  if (!hasPodLevelResources(pod) || pod.podResources === null) return 0n;
  const podRequest = memoryBytes(pod.podResources.requests);
  if (podRequest === 0n) return 0n;
  const count = BigInt(pod.containers.length + pod.initContainers.length);
  return (podRequest - aggregateContainerMemoryRequest(pod)) / count;
}

/** Every container's adj, regular containers first, then init containers (sidecars marked). */
export function podOomScoreAdjs(pod: PodSpec, capacity: bigint, options: AdjOptions = {}): ContainerAdj[] {
  requireCapacity(capacity);
  const qos = podQosClass(pod);
  const fixed = isNodeCriticalPod(pod)
    ? { adj: GUARANTEED_OOM_SCORE_ADJ, why: 'system-node-critical pod → −997' }
    : qos === 'Guaranteed'
      ? { adj: GUARANTEED_OOM_SCORE_ADJ, why: 'Guaranteed → −997' }
      : qos === 'BestEffort'
        ? { adj: BEST_EFFORT_OOM_SCORE_ADJ, why: 'BestEffort → 1000' }
        : null;
  const all: { c: ContainerSpec; kind: ContainerKind }[] = [
    ...pod.containers.map((c) => ({ c, kind: 'container' as const })),
    ...pod.initContainers.map((c) => ({ c, kind: c.restartable ? ('sidecar' as const) : ('init' as const) })),
  ];
  if (fixed !== null) {
    return all.map(({ c, kind }) => ({ name: c.name, kind, oomScoreAdj: fixed.adj, steps: [fixed.why] }));
  }

  const remaining = remainingPerContainer(pod);
  // Before the sidecar rule and the clamp: the base value, tie-broken when the gate is on.
  const unclamped = (c: ContainerSpec, steps: string[]): bigint => {
    const own = memoryBytes(c.resources.requests);
    const request = own + remaining;
    if (remaining !== 0n) steps.push(`request ${own} + pod-level remaining share ${remaining} = ${request}`);
    const base = burstableBase(request, capacity, steps);
    const limit = c.resources.limits.memory === undefined ? null : memoryBytes(c.resources.limits);
    return options.tieBreak ? tieBreak(base, request, limit, capacity, steps) : base;
  };
  const regular = pod.containers.map((c) => unclamped(c, []));
  // Sidecars go no higher than the regular container most likely to die: the smallest request's value
  // (with the gate, the highest tie-broken regular value).
  const sidecarCeiling = (steps: string[]): bigint => {
    if (options.tieBreak) {
      const highest = extreme(regular, 1);
      steps.push(`sidecar: highest tie-broken regular value ${highest}`);
      return highest;
    }
    const smallest = extreme(
      pod.containers.map((c) => memoryBytes(c.resources.requests)),
      -1,
    );
    steps.push(`sidecar: smallest regular request ${smallest}${remaining !== 0n ? ` + ${remaining}` : ''}`);
    return burstableBase(smallest + remaining, capacity, steps);
  };
  return all.map(({ c, kind }) => {
    const steps: string[] = [];
    let value = unclamped(c, steps);
    if (kind === 'sidecar') {
      const ceiling = sidecarCeiling(steps);
      if (value > ceiling) {
        steps.push(`sidecar: min(${value}, ${ceiling}) = ${ceiling}`);
        value = ceiling;
      }
    }
    return { name: c.name, kind, oomScoreAdj: clampBurstable(value, steps), steps };
  });
}
