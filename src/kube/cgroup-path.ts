// Which pod and container a cgroup belongs to, from its path alone, for both kubelet cgroup drivers
// (v1 paths are the same, under the memory hierarchy):
//   cgroupfs  /kubepods[/burstable|/besteffort]/pod<uid>/<container-id>
//   systemd   /kubepods.slice[/kubepods-<qos>.slice]/kubepods[-<qos>]-pod<uid with _ for ->.slice/<runtime>-<id>.scope
// Guaranteed pods sit directly under kubepods. The tree may be nested under a prefix (--cgroup-root, a
// node inside a container): the first `kubepods` segment anchors it. Pure.
import type { QosClass } from './qos.js';

export type CgroupDriver = 'cgroupfs' | 'systemd';

export interface KubeCgroup {
  readonly driver: CgroupDriver;
  readonly qos: QosClass;
  /** The pod's UID as the API shows it (dashes restored on systemd paths). */
  readonly podUid: string;
  /** The pod's own cgroup path. */
  readonly podCgroup: string;
  /** The container's ID; null when the path is the pod cgroup or a child that is no container. */
  readonly containerId: string | null;
  /** The container's cgroup path; null with containerId. */
  readonly containerCgroup: string | null;
  /** The runtime the cgroup's name shows (`cri-containerd`, `crio`, `docker`); null when it shows none. */
  readonly runtime: string | null;
}

const QOS_SEGMENT: Readonly<Record<string, QosClass>> = { burstable: 'Burstable', besteffort: 'BestEffort' };
/** Pod UIDs: a UUID from the API server, or a 32-hex-digit hash for static pods. */
const POD_DIR = /^pod([0-9a-f][0-9a-f-]*)$/;
/** cgroupfs container directories: the bare ID (containerd, docker) or `crio-<id>` (CRI-O). */
const CONTAINER_DIR = /^(?:(crio)-)?([0-9a-f]{12,64})$/;
const POD_SLICE = /^(?:[\w-]+-)?kubepods(?:-(burstable|besteffort))?-pod([0-9a-f][0-9a-f_]*)\.slice$/;
const CONTAINER_SCOPE = /^(cri-containerd|crio|docker)-([0-9a-f]{12,64})\.scope$/;

/** The pod and container behind a cgroup path; null for anything outside a pod (QoS-level cgroups too). */
export function kubeCgroupOf(path: string): KubeCgroup | null {
  const segments = path.split('/').filter((s) => s !== '');
  const anchor = segments.findIndex((s) => s === 'kubepods' || /^(?:[\w-]+-)?kubepods\.slice$/.test(s));
  if (anchor < 0) return null;
  const join = (end: number) => `/${segments.slice(0, end).join('/')}`;
  const rest = segments.slice(anchor + 1);
  if (segments[anchor] === 'kubepods') {
    let i = 0;
    const qos = QOS_SEGMENT[rest[0] ?? ''];
    if (qos !== undefined) i++;
    const pod = POD_DIR.exec(rest[i] ?? '');
    if (pod === null) return null;
    const podEnd = anchor + 1 + i + 1;
    const container = CONTAINER_DIR.exec(rest[i + 1] ?? '');
    const containerId = container?.[2] ?? null;
    return {
      driver: 'cgroupfs',
      qos: qos ?? 'Guaranteed',
      podUid: pod[1] ?? '',
      podCgroup: join(podEnd),
      containerId,
      containerCgroup: containerId === null ? null : join(podEnd + 1),
      runtime: container?.[1] ?? null,
    };
  }
  // systemd: the QoS slice is optional (Guaranteed pods), the pod slice names its QoS again.
  const podIndex = rest.findIndex((s) => POD_SLICE.test(s));
  if (podIndex < 0 || podIndex > 1) return null;
  const pod = POD_SLICE.exec(rest[podIndex] ?? '');
  if (pod === null) return null;
  const podEnd = anchor + 1 + podIndex + 1;
  const scope = CONTAINER_SCOPE.exec(rest[podIndex + 1] ?? '');
  return {
    driver: 'systemd',
    qos: QOS_SEGMENT[pod[1] ?? ''] ?? 'Guaranteed',
    podUid: (pod[2] ?? '').replaceAll('_', '-'),
    podCgroup: join(podEnd),
    containerId: scope?.[2] ?? null,
    containerCgroup: scope === null ? null : join(podEnd + 1),
    runtime: scope?.[1] ?? null,
  };
}
