// The Kubernetes pod and container behind the memory cgroup an OOM report names, for both kubelet cgroup
// drivers; the path mapping itself is src/kube/cgroup-path.ts. Pure.
import { kubeCgroupOf } from '../kube/cgroup-path.js';

export type PodQos = 'guaranteed' | 'burstable' | 'besteffort';

export interface KubePod {
  readonly podUid: string;
  readonly qos: PodQos;
  /** The container's ID; null when the path ends at the pod (a pod-level OOM). */
  readonly containerId: string | null;
  /** The runtime named by the cgroup ("cri-containerd", "crio", "docker"); null where it names none. */
  readonly runtime: string | null;
}

export function kubePodFromCgroup(path: string): KubePod | null {
  const k = kubeCgroupOf(path);
  if (k === null) return null;
  return {
    podUid: k.podUid,
    qos: k.qos.toLowerCase() as PodQos,
    containerId: k.containerId,
    runtime: k.runtime,
  };
}
