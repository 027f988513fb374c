// A pod's QoS class (Kubernetes pkg/apis/core/v1/helper/qos ComputePodQOS) and its memory request as
// the eviction manager counts it (pkg/api/v1/resource PodRequests). Pure.
import { UsageError } from '../model/errors.js';
import {
  type ContainerSpec,
  hasPodLevelMemoryRequest,
  hasPodLevelResources,
  memoryBytes,
  type PodSpec,
  QOS_RESOURCES,
  type ResourceList,
} from './pod.js';
import { addExact, compareExact, type ExactQuantity } from './quantity.js';

export type QosClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const QOS_NAMES: Readonly<Record<string, QosClass>> = {
  guaranteed: 'Guaranteed',
  burstable: 'Burstable',
  besteffort: 'BestEffort',
};

/** `guaranteed`, `Burstable`, `BestEffort`, `best-effort` → the class; anything else is a usage error. */
export function parseQosClass(text: string, what = '--qos'): QosClass {
  const qos = QOS_NAMES[text.toLowerCase().replaceAll('-', '')];
  if (qos === undefined) {
    throw new UsageError(
      `${what}: unknown QoS class ${JSON.stringify(text)} (expected guaranteed, burstable or besteffort)`,
    );
  }
  return qos;
}

const ZERO: ExactQuantity = { num: 0n, den: 1n };

/**
 * Guaranteed: every container (init containers included) has positive CPU and memory limits, and the
 * summed requests equal the summed limits; BestEffort: no positive CPU or memory request or limit
 * anywhere; Burstable otherwise. Pod-level resources, when set, replace the containers' entirely.
 */
export function podQosClass(pod: PodSpec): QosClass {
  const requests = new Map<string, ExactQuantity>();
  const limits = new Map<string, ExactQuantity>();
  let guaranteed = true;
  const sumPositive = (into: Map<string, ExactQuantity>, list: ResourceList): Set<string> => {
    const found = new Set<string>();
    for (const name of QOS_RESOURCES) {
      const q = list[name];
      if (q === undefined || compareExact(q, ZERO) <= 0) continue;
      found.add(name);
      into.set(name, addExact(into.get(name) ?? ZERO, q));
    }
    return found;
  };
  const groups =
    hasPodLevelResources(pod) && pod.podResources !== null
      ? [pod.podResources]
      : [...pod.containers, ...pod.initContainers].map((c) => c.resources);
  for (const r of groups) {
    sumPositive(requests, r.requests);
    const limited = sumPositive(limits, r.limits);
    if (!QOS_RESOURCES.every((n) => limited.has(n))) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  for (const [name, req] of requests) {
    const lim = limits.get(name);
    if (lim === undefined || compareExact(lim, req) !== 0) guaranteed = false;
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}

/**
 * The containers' memory requests as the scheduler counts them (AggregateContainerRequests): regular
 * containers and sidecars run together; each ordinary init container runs alone beside the sidecars
 * started before it; the pod needs the larger of the two.
 */
export function aggregateContainerMemoryRequest(pod: PodSpec): bigint {
  let running = pod.containers.reduce((sum, c) => sum + memoryBytes(c.resources.requests), 0n);
  let sidecars = 0n;
  let initPeak = 0n;
  for (const c of pod.initContainers) {
    const own = memoryBytes(c.resources.requests);
    let use: bigint;
    if (c.restartable) {
      running += own;
      sidecars += own;
      use = sidecars;
    } else {
      use = own + sidecars;
    }
    if (use > initPeak) initPeak = use;
  }
  return running > initPeak ? running : initPeak;
}

/** The pod's memory request for eviction ranking: the pod-level request or the containers', plus overhead. */
export function podMemoryRequest(pod: PodSpec): bigint {
  const base =
    hasPodLevelMemoryRequest(pod) && pod.podResources !== null
      ? memoryBytes(pod.podResources.requests)
      : aggregateContainerMemoryRequest(pod);
  return base + memoryBytes(pod.overhead);
}

/** The request of one container, in bytes. */
export function containerMemoryRequest(c: ContainerSpec): bigint {
  return memoryBytes(c.resources.requests);
}
