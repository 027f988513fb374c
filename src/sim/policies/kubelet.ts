// The kubelet's memory eviction: every housekeeping period (10 s) it compares memory.available with the hard
// threshold (100Mi) and, while it is below, evicts one pod: working set above request first, then lower
// priority, then the larger overage. Eviction with grace 0 kills every container of the pod.
import type { Snapshot } from '../../model/snapshot.js';
import {
  CRITICAL_PRIORITY,
  type EvictionCandidate,
  effectiveRequest,
  evictionOrder,
  podCgroup,
  podQos,
} from '../kube.js';
import type { PodSpec } from '../scenario.js';
import { formatSize } from '../units.js';
import { buildSnapshot } from '../view.js';
import type { Agent, World } from '../world.js';

export interface PodFacts extends EvictionCandidate {
  /** The pod's cgroup path. */
  readonly cgroup: string;
}

/** memory.available = capacity − node working set (usage − inactive file): MemTotal − (used − page cache). */
export function memoryAvailable(snap: Snapshot): number {
  const mi = snap.meminfo;
  const used = mi.memTotal - mi.memFree;
  return mi.memTotal - Math.max(0, used - mi.inactiveFile);
}

/** The pods of the snapshot that still have processes, with their working sets. */
export function podFacts(
  snap: Snapshot,
  pods: readonly { name: string; cgroup: string; request: number; priority: number }[],
): PodFacts[] {
  const out: PodFacts[] = [];
  for (const pod of pods) {
    const cg = snap.cgroups.get(pod.cgroup);
    if (!cg || !snap.processes.some((p) => p.cgroup === pod.cgroup || p.cgroup.startsWith(`${pod.cgroup}/`)))
      continue;
    const inactive = cg.stat[cg.version === 2 ? 'inactive_file' : 'total_inactive_file'] ?? 0;
    out.push({ ...pod, workingSet: Math.max(0, (cg.usage ?? 0) - inactive) });
  }
  return out;
}

export interface EvictionDecision {
  readonly pod: PodFacts;
  readonly why: string;
}

export function evictionDecision(
  snap: Snapshot,
  pods: readonly PodFacts[],
  thresholdBytes: number,
): EvictionDecision | null {
  const available = memoryAvailable(snap);
  if (!(available < thresholdBytes)) return null;
  const first = evictionOrder(pods)[0];
  if (first === undefined) return null;
  const over = first.workingSet > first.request ? 'above' : 'within';
  return {
    pod: first,
    why:
      `memory.available ${formatSize(available)} < ${formatSize(thresholdBytes)}: pod ${first.name} ` +
      `working set ${formatSize(first.workingSet)} ${over} its request ${formatSize(first.request)}, priority ${first.priority}`,
  };
}

export function scenarioPods(
  pods: readonly PodSpec[],
): { name: string; cgroup: string; request: number; priority: number }[] {
  return pods.map((p) => ({
    name: p.name,
    cgroup: podCgroup(p.name, podQos(p.containers)),
    request: p.containers.reduce(
      (s, c) => s + (c.request === null && c.limit === null ? 0 : effectiveRequest(c)),
      0,
    ),
    priority: p.priority,
  }));
}

export class KubeletAgent implements Agent {
  readonly label = 'kube';
  nextPollMs = 0;

  poll(w: World): void {
    const kube = w.scenario.kube;
    this.nextPollMs = w.now + kube.housekeepingMs;
    const snap = buildSnapshot(w, { processes: true, cgroupSubtree: '/' });
    const decision = evictionDecision(snap, podFacts(snap, scenarioPods(w.scenario.pods)), kube.evictionHard);
    if (decision === null || decision.pod.priority >= CRITICAL_PRIORITY) return;
    const cg = w.cgroups.get(decision.pod.cgroup);
    if (!cg) return;
    const members = w.procsIn(cg).filter((p) => p.state === 'run');
    w.record('evict', members[0] ?? null, 'kubelet', decision.why, decision.pod.cgroup, decision.pod.name);
    for (const p of members) w.kill(p, 'kubelet', `evicted with pod ${decision.pod.name}`);
  }
}
