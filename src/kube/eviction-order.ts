// The order in which the kubelet evicts pods under memory pressure (Kubernetes pkg/kubelet/eviction
// helpers.go rankMemoryPressure): pods without stats, then pods whose working set is strictly over their
// request; within each, lower priority first; then larger working set − request. QoS is not a key.
// Critical pods stay in the order but are never evicted. Pure.
import { formatQuantity } from './quantity.js';

export interface EvictionCandidate {
  readonly name: string;
  /** spec.priority; 0 when the pod has none. */
  readonly priority: number;
  readonly memoryRequestBytes: number;
  /** null: the kubelet has no usage statistics for the pod. */
  readonly workingSetBytes: number | null;
  /** Why the pod is critical (static, mirror, priority ≥ 2000000000); null or absent: it is not. */
  readonly critical?: string | null;
}

export interface RankedForEviction<T extends EvictionCandidate> {
  readonly pod: T;
  /** 1-based among evictable pods; 0 for critical ones. */
  readonly position: number;
  readonly evictable: boolean;
  /** Working set strictly over the request; null without stats. */
  readonly exceedsRequest: boolean | null;
  /** Working set − request; null without stats. */
  readonly overageBytes: number | null;
  /** Equal to the next pod on every key: the kubelet's unstable sort may put either first. */
  readonly tied: boolean;
  readonly reason: string;
}

/** The kubelet's comparator: negative when a goes first. */
export function compareForEviction(a: EvictionCandidate, b: EvictionCandidate): number {
  const aStats = a.workingSetBytes !== null;
  const bStats = b.workingSetBytes !== null;
  if (aStats !== bStats) return aStats ? 1 : -1;
  if (a.workingSetBytes !== null && b.workingSetBytes !== null) {
    const aOver = a.workingSetBytes > a.memoryRequestBytes;
    const bOver = b.workingSetBytes > b.memoryRequestBytes;
    if (aOver !== bOver) return aOver ? -1 : 1;
  }
  if (a.priority !== b.priority) return a.priority < b.priority ? -1 : 1;
  if (a.workingSetBytes !== null && b.workingSetBytes !== null) {
    const aUse = a.workingSetBytes - a.memoryRequestBytes;
    const bUse = b.workingSetBytes - b.memoryRequestBytes;
    if (aUse !== bUse) return aUse > bUse ? -1 : 1;
  }
  return 0;
}

/** Evictable pods in eviction order, then the critical ones. Full ties keep their input order. */
export function rankForEviction<T extends EvictionCandidate>(pods: readonly T[]): RankedForEviction<T>[] {
  const sorted = [...pods].sort(compareForEviction);
  const evictable = sorted.filter((p) => !p.critical);
  const critical = sorted.filter((p) => p.critical);
  const ranked = evictable.map((pod, i) => {
    const next = evictable[i + 1];
    const tied = next !== undefined && compareForEviction(pod, next) === 0;
    const order = next === undefined ? 'last to be evicted' : `before ${next.name}: ${whyBefore(pod, next)}`;
    return entry(pod, i + 1, tied, `${standing(pod)}; ${order}`);
  });
  for (const pod of critical) {
    ranked.push(entry(pod, 0, false, `${standing(pod)}; critical pod (${pod.critical}): never evicted`));
  }
  return ranked;
}

function entry<T extends EvictionCandidate>(pod: T, position: number, tied: boolean, reason: string) {
  const ws = pod.workingSetBytes;
  return {
    pod,
    position,
    evictable: position > 0,
    exceedsRequest: ws === null ? null : ws > pod.memoryRequestBytes,
    overageBytes: ws === null ? null : ws - pod.memoryRequestBytes,
    tied,
    reason,
  };
}

function signed(bytes: number): string {
  return bytes > 0 ? `+${formatQuantity(bytes)}` : formatQuantity(bytes);
}

/** Where the pod stands on the three keys. */
function standing(p: EvictionCandidate): string {
  const q = formatQuantity;
  const ws = p.workingSetBytes;
  if (ws === null) return `no usage statistics; priority ${p.priority}`;
  const over = ws - p.memoryRequestBytes;
  const cmp = over > 0 ? 'over' : 'within';
  return `working set ${q(ws)} ${cmp} request ${q(p.memoryRequestBytes)} (${signed(over)}); priority ${p.priority}`;
}

/** The first key on which `a` goes before `b`. */
function whyBefore(a: EvictionCandidate, b: EvictionCandidate): string {
  if (a.workingSetBytes === null && b.workingSetBytes !== null) return 'pods without statistics go first';
  if (a.workingSetBytes !== null && b.workingSetBytes !== null) {
    const aOver = a.workingSetBytes > a.memoryRequestBytes;
    if (aOver !== b.workingSetBytes > b.memoryRequestBytes) return `${b.name} is within its request`;
  }
  if (a.priority !== b.priority) return `lower priority (${a.priority} < ${b.priority})`;
  if (a.workingSetBytes !== null && b.workingSetBytes !== null) {
    const aUse = a.workingSetBytes - a.memoryRequestBytes;
    const bUse = b.workingSetBytes - b.memoryRequestBytes;
    if (aUse !== bUse) return `larger working set − request (${signed(aUse)} > ${signed(bUse)})`;
  }
  return 'tied on every key (the kubelet may take either first)';
}
