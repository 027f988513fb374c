// Terminal text for the kube commands: plain aligned tables, sizes in Kubernetes notation.
import { renderTable } from '../observe/text/table.js';
import type { EvictionCandidate, RankedForEviction } from './eviction-order.js';
import type { NodePod, NodeRanking } from './node-rank.js';
import { formatQuantity } from './quantity.js';

const q = (bytes: number | null) => (bytes === null ? '-' : formatQuantity(bytes));
const signed = (bytes: number | null) => (bytes !== null && bytes > 0 ? `+${q(bytes)}` : q(bytes));
const position = (r: RankedForEviction<EvictionCandidate>) =>
  r.position === 0 ? 'never' : `${r.position}${r.tied ? '=' : ''}`;

/** One row per pod in eviction order, the reason last. */
export function renderEvictionOrder(ranked: readonly RankedForEviction<EvictionCandidate>[]): string {
  return renderTable<RankedForEviction<EvictionCandidate>>(
    [
      { header: '#', align: 'right', cell: position },
      { header: 'POD', align: 'left', cell: (r) => r.pod.name },
      { header: 'PRIORITY', align: 'right', cell: (r) => String(r.pod.priority) },
      { header: 'REQUEST', align: 'right', cell: (r) => q(r.pod.memoryRequestBytes) },
      { header: 'WORKING SET', align: 'right', cell: (r) => q(r.pod.workingSetBytes) },
      { header: 'WS − REQUEST', align: 'right', cell: (r) => signed(r.overageBytes) },
      { header: 'WHY', align: 'left', cell: (r) => r.reason },
    ],
    ranked,
  );
}

/** The node's pods in eviction order, each followed by its containers and their processes. */
export function renderNodeRanking(ranking: NodeRanking): string {
  if (ranking.pods.length === 0) return 'no pods found in the kubepods cgroup tree';
  const rows: RankedForEviction<NodePod>[] = [...ranking.pods];
  const table = renderTable<RankedForEviction<NodePod>>(
    [
      { header: '#', align: 'right', cell: position },
      {
        header: 'POD',
        align: 'left',
        cell: (r) => (r.pod.namespace ? `${r.pod.namespace}/${r.pod.name}` : r.pod.name),
      },
      { header: 'QOS', align: 'left', cell: (r) => r.pod.qos },
      { header: 'PRIORITY', align: 'right', cell: (r) => String(r.pod.priority) },
      { header: 'REQUEST', align: 'right', cell: (r) => q(r.pod.memoryRequestBytes) },
      { header: 'WORKING SET', align: 'right', cell: (r) => q(r.pod.workingSetBytes) },
      { header: 'WS − REQUEST', align: 'right', cell: (r) => signed(r.overageBytes) },
      { header: 'PROCS', align: 'right', cell: (r) => String(r.pod.processes.length) },
    ],
    rows,
  );
  const details = rows.map((r) => {
    const lines = [`${position(r)} ${r.pod.name} (uid ${r.pod.uid}, ${r.pod.cgroup}): ${r.reason}`];
    for (const c of r.pod.containers) {
      const label =
        c.id === null
          ? '(pod cgroup)'
          : `${c.name ?? (c.sandbox ? 'sandbox' : 'container')} ${c.id.slice(0, 12)}`;
      const procs = c.processes.map((p) => `${p.pid} ${p.comm} adj ${p.oomScoreAdj}`).join(', ');
      lines.push(
        `    ${label}: working set ${q(c.workingSetBytes)}; ${procs === '' ? 'no processes' : procs}`,
      );
    }
    return lines.join('\n');
  });
  const notes: string[] = [];
  if (!ranking.metadata)
    notes.push('no pod metadata: every pod counts as priority 0, request 0 (give --pods FILE)');
  for (const u of ranking.unmatched)
    notes.push(`metadata pod ${u.name} (uid ${u.uid}) has no cgroup on this node`);
  notes.push(`${ranking.outsidePods} processes outside pods`);
  return [table, '', ...details, '', ...notes].join('\n');
}
