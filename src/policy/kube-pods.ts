// The `kube` policy: the node agent's order. Candidates are the pods of the scope (found from the kubepods
// cgroup tree, nested prefixes allowed), in the order the kubelet's eviction manager would evict them; a
// critical pod is never a candidate. The kill takes the pod cgroup whole (killsWholeCgroup). Pure.
import { type NodePod, rankNode } from '../kube/node-rank.js';
import type { PodMetadata } from '../kube/pod-metadata.js';
import type { Snapshot } from '../model/snapshot.js';
import type { CompiledCgroupRule } from './cgroup-prefs.js';
import { type CgroupRanking, orderCgroups, type ScoredCgroup } from './cgroup-ranking.js';
import { inScope } from './rank.js';

function podLabel(pod: NodePod): string {
  return `pod ${pod.namespace === null ? '' : `${pod.namespace}/`}${pod.name} (${pod.qos})`;
}

/**
 * `metadata`: the pods' names, priorities and requests, or null to rank without (priority 0, request 0 for
 * every pod: the order falls back to working set).
 */
export function rankPods(
  snap: Snapshot,
  scope: string,
  metadata: readonly PodMetadata[] | null,
  rules: readonly CompiledCgroupRule[],
): CgroupRanking {
  const scored = rankNode(snap, metadata)
    .pods.filter((r) => inScope(r.pod.cgroup, scope))
    .flatMap((r): ScoredCgroup[] => {
      const pod = r.pod;
      // Under a cgroup policy the snapshot holds the scope's whole cgroup tree: a pod cgroup missing from it
      // vanished between the two reads, and its processes with it.
      const cg = snap.cgroups.get(pod.cgroup);
      if (cg === undefined) return [];
      const scoredPod = {
        cg,
        figures: {
          evictionPosition: r.position,
          workingSet: pod.workingSetBytes ?? 0,
          memoryRequest: pod.memoryRequestBytes,
          priority: pod.priority,
          processes: pod.processes.length,
        },
        // rankNode's position is the kubelet's order; path breaks full ties as the kubelet's input order does.
        keys: [-r.position],
        why: `${podLabel(pod)}: ${r.reason}`,
        excludedBy: r.evictable ? null : 'critical pod',
      };
      return [scoredPod];
    });
  return { policy: 'kube', scope, trigger: null, cgroups: orderCgroups(scored, rules) };
}
