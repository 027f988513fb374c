// The Kubernetes pod and container behind a memory cgroup path, for both kubelet cgroup drivers:
//   cgroupfs: /kubepods/burstable/pod<uid>/<container-id>
//   systemd:  /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<uid_with_underscores>.slice/cri-containerd-<id>.scope
// Guaranteed pods sit directly under kubepods. The path may be nested (a node inside a container). Pure.

export type PodQos = 'guaranteed' | 'burstable' | 'besteffort';

export interface KubePod {
  readonly podUid: string;
  readonly qos: PodQos;
  /** The container's ID; null when the path ends at the pod (a pod-level OOM). */
  readonly containerId: string | null;
  /** The runtime named by a systemd scope ("cri-containerd", "crio", "docker"); null for cgroupfs paths. */
  readonly runtime: string | null;
}

const CGROUPFS =
  /\/kubepods(?:\/(burstable|besteffort))?\/pod([0-9a-f-]{36})(?:\/([0-9a-f]{12,64}))?(?:\/|$)/;
const SYSTEMD =
  /\/kubepods(?:-(burstable|besteffort))?-pod([0-9a-f_]{36})\.slice(?:\/(cri-containerd|crio|docker)-([0-9a-f]{12,64})\.scope)?(?:\/|$)/;

export function kubePodFromCgroup(path: string): KubePod | null {
  const fs = CGROUPFS.exec(path);
  if (fs) {
    return {
      podUid: fs[2] ?? '',
      qos: (fs[1] as PodQos | undefined) ?? 'guaranteed',
      containerId: fs[3] ?? null,
      runtime: null,
    };
  }
  const sd = SYSTEMD.exec(path);
  if (sd) {
    return {
      podUid: (sd[2] ?? '').replaceAll('_', '-'),
      qos: (sd[1] as PodQos | undefined) ?? 'guaranteed',
      containerId: sd[4] ?? null,
      runtime: sd[3] ?? null,
    };
  }
  return null;
}
