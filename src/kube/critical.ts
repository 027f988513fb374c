// Critical pods (Kubernetes pkg/kubelet/types/pod_update.go): the eviction manager never evicts them,
// and the node-critical ones get the Guaranteed oom_score_adj whatever their QoS. Pure.
import type { PodSpec } from './pod.js';

/** scheduling.SystemCriticalPriority: system-cluster-critical is exactly this, system-node-critical 1000 more. */
export const SYSTEM_CRITICAL_PRIORITY = 2_000_000_000;

const CONFIG_SOURCE = 'kubernetes.io/config.source';
const CONFIG_MIRROR = 'kubernetes.io/config.mirror';

/** Why the pod is critical (static, mirror, priority), or null when it is not. */
export function criticalReason(pod: PodSpec): string | null {
  const source = pod.annotations[CONFIG_SOURCE];
  // The kubelet annotates every pod with its source; only pods from the API server are not static.
  if (source !== undefined && source !== 'api') return `static pod (config source ${source})`;
  if (pod.annotations[CONFIG_MIRROR] !== undefined) return 'mirror pod';
  return pod.priority === null ? null : listedCriticalReason(pod.priority, false);
}

/**
 * Why a pod given in a list (priority, and a `critical` flag set by whoever wrote the list) is critical, or
 * null: its priority first, as the kubelet would see it.
 */
export function listedCriticalReason(priority: number, marked: boolean): string | null {
  if (priority >= SYSTEM_CRITICAL_PRIORITY) return `priority ${priority} ≥ ${SYSTEM_CRITICAL_PRIORITY}`;
  return marked ? 'marked critical' : null;
}

/** IsNodeCriticalPod: critical and of the `system-node-critical` priority class. */
export function isNodeCriticalPod(pod: PodSpec): boolean {
  return criticalReason(pod) !== null && pod.priorityClassName === 'system-node-critical';
}
