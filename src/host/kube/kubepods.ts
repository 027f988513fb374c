// Samples what the node ranking needs: every process, and the memory cgroups of the kubepods tree
// (`/kubepods.slice` with the systemd driver, `/kubepods` with cgroupfs; the whole hierarchy when the
// tree is nested elsewhere, as under a --cgroup-root or on a node inside a container).
import type { Snapshot } from '../../model/snapshot.js';
import type { Host } from '../host.js';

const KUBEPODS_ROOTS = ['/kubepods.slice', '/kubepods'] as const;

/** The kubepods cgroup on this host, or '/' when neither usual root exists. */
export function findKubepodsRoot(host: Host): string {
  for (const root of KUBEPODS_ROOTS) {
    try {
      host.readCgroup(root);
      return root;
    } catch {
      // Not this driver's root: try the other.
    }
  }
  return '/';
}

export function sampleKubeNode(host: Host): Snapshot {
  return host.sample({ processes: true, cgroupSubtree: findKubepodsRoot(host) });
}
