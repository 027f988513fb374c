// The node agent's view: every pod on the node found from the kubepods cgroup tree and the process table,
// its containers and processes, its working set, and the pods in the order the kubelet would evict them.
// Pod metadata (names, priorities, requests) is optional: without it every pod counts as priority 0,
// request 0, so the order falls back to working set. Pure: it works from a Snapshot.
import type { CgroupInfo, ProcessInfo, Snapshot } from '../model/snapshot.js';
import { type CgroupDriver, kubeCgroupOf } from './cgroup-path.js';
import { workingSet } from './eviction.js';
import { type RankedForEviction, rankForEviction } from './eviction-order.js';
import type { PodMetadata } from './pod-metadata.js';
import type { QosClass } from './qos.js';

export interface NodeProcess {
  readonly pid: number;
  readonly comm: string;
  /** Resident anon + file + shmem bytes. */
  readonly rssBytes: number;
  readonly oomScoreAdj: number;
  readonly cgroup: string;
}

export interface NodeContainer {
  /** null for processes in the pod cgroup itself or in a child that is no container. */
  readonly id: string | null;
  /** From the pod metadata, where it lists the container. */
  readonly name: string | null;
  readonly runtime: string | null;
  readonly cgroup: string | null;
  /** All its processes are `pause`: the pod sandbox. */
  readonly sandbox: boolean;
  readonly usageBytes: number | null;
  readonly workingSetBytes: number | null;
  readonly processes: readonly NodeProcess[];
}

export type WorkingSetSource = 'pod cgroup' | 'containers';

export interface NodePod {
  readonly name: string;
  readonly uid: string;
  readonly namespace: string | null;
  /** The QoS class the cgroup tree files the pod under. */
  readonly qos: QosClass;
  readonly driver: CgroupDriver;
  readonly cgroup: string;
  readonly priority: number;
  readonly memoryRequestBytes: number;
  readonly workingSetBytes: number | null;
  /** Where the working set came from; null without statistics. */
  readonly workingSetSource: WorkingSetSource | null;
  readonly critical: string | null;
  /** False when metadata was given but did not list this pod (defaults used). */
  readonly hasMetadata: boolean;
  readonly containers: readonly NodeContainer[];
  readonly processes: readonly NodeProcess[];
}

export interface NodeRanking {
  /** Evictable pods in the kubelet's order, then critical ones. */
  readonly pods: readonly RankedForEviction<NodePod>[];
  /** Pod metadata was given. */
  readonly metadata: boolean;
  /** Pods the metadata lists that have no cgroup on this node. */
  readonly unmatched: readonly {
    readonly uid: string;
    readonly name: string;
    readonly namespace: string | null;
  }[];
  /** Processes outside every pod (kubelet, runtime, system services). */
  readonly outsidePods: number;
}

/** usage − inactive_file of one memory cgroup (v1 `total_inactive_file`, v2 `inactive_file`); null without usage. */
export function cgroupWorkingSet(cgroup: CgroupInfo): number | null {
  if (cgroup.usage === null) return null;
  const inactive = cgroup.stat[cgroup.version === 1 ? 'total_inactive_file' : 'inactive_file'] ?? 0;
  return workingSet(cgroup.usage, inactive);
}

interface PodBuild {
  readonly uid: string;
  readonly qos: QosClass;
  readonly driver: CgroupDriver;
  readonly cgroup: string;
  readonly containers: Map<
    string | null,
    { id: string | null; runtime: string | null; cgroup: string | null; processes: NodeProcess[] }
  >;
}

/** The node's pods in eviction order, from a snapshot holding the processes and the kubepods cgroups. */
export function rankNode(snapshot: Snapshot, metadata: readonly PodMetadata[] | null = null): NodeRanking {
  const pods = new Map<string, PodBuild>();
  const place = (path: string) => {
    const k = kubeCgroupOf(path);
    if (k === null) return null;
    let pod = pods.get(k.podUid);
    if (pod === undefined) {
      pod = { uid: k.podUid, qos: k.qos, driver: k.driver, cgroup: k.podCgroup, containers: new Map() };
      pods.set(k.podUid, pod);
    }
    let container = pod.containers.get(k.containerId);
    if (container === undefined) {
      container = { id: k.containerId, runtime: k.runtime, cgroup: k.containerCgroup, processes: [] };
      pod.containers.set(k.containerId, container);
    }
    return container;
  };
  // Containers with no process left still hold memory (page cache, tmpfs): the cgroup tree lists them too.
  for (const path of [...snapshot.cgroups.keys()].sort()) place(path);
  let outsidePods = 0;
  for (const p of snapshot.processes) {
    if (p.kthread) continue;
    const container = place(p.cgroup);
    if (container === null) outsidePods++;
    else container.processes.push(nodeProcess(p));
  }

  const byUid = new Map((metadata ?? []).map((m) => [m.uid, m]));
  const built = [...pods.values()]
    .sort((a, b) => (a.cgroup < b.cgroup ? -1 : a.cgroup > b.cgroup ? 1 : 0))
    .map((b) => nodePod(b, snapshot.cgroups, byUid.get(b.uid) ?? null, metadata !== null));
  return {
    pods: rankForEviction(built),
    metadata: metadata !== null,
    unmatched: (metadata ?? [])
      .filter((m) => !pods.has(m.uid))
      .map((m) => ({ uid: m.uid, name: m.name, namespace: m.namespace })),
    outsidePods,
  };
}

function nodeProcess(p: ProcessInfo): NodeProcess {
  return {
    pid: p.pid,
    comm: p.comm,
    rssBytes: p.rssAnon + p.rssFile + p.rssShmem,
    oomScoreAdj: p.oomScoreAdj,
    cgroup: p.cgroup,
  };
}

function nodePod(
  b: PodBuild,
  cgroups: ReadonlyMap<string, CgroupInfo>,
  meta: PodMetadata | null,
  metadataGiven: boolean,
): NodePod {
  const containers: NodeContainer[] = [...b.containers.values()]
    .filter((c) => c.id !== null || c.processes.length > 0)
    .map((c) => {
      const info = c.cgroup === null ? undefined : cgroups.get(c.cgroup);
      return {
        id: c.id,
        name: c.id === null ? null : (meta?.containers.get(c.id) ?? null),
        runtime: c.runtime,
        cgroup: c.cgroup,
        sandbox: c.processes.length > 0 && c.processes.every((p) => p.comm === 'pause'),
        usageBytes: info?.usage ?? null,
        workingSetBytes: info === undefined ? null : cgroupWorkingSet(info),
        processes: c.processes.sort((x, y) => x.pid - y.pid),
      };
    });
  const podInfo = cgroups.get(b.cgroup);
  const podWs = podInfo === undefined ? null : cgroupWorkingSet(podInfo);
  const containerWs = containers.flatMap((c) => (c.workingSetBytes === null ? [] : [c.workingSetBytes]));
  const [ws, source]: [number | null, WorkingSetSource | null] =
    podWs !== null
      ? [podWs, 'pod cgroup']
      : containerWs.length > 0
        ? [containerWs.reduce((s, v) => s + v, 0), 'containers']
        : [null, null];
  return {
    name: meta?.name ?? `pod${b.uid}`,
    uid: b.uid,
    namespace: meta?.namespace ?? null,
    qos: b.qos,
    driver: b.driver,
    cgroup: b.cgroup,
    priority: meta?.priority ?? 0,
    memoryRequestBytes: meta?.memoryRequestBytes ?? 0,
    workingSetBytes: ws,
    workingSetSource: source,
    critical: meta?.critical ?? null,
    hasMetadata: metadataGiven && meta !== null,
    containers,
    processes: containers.flatMap((c) => c.processes).sort((x, y) => x.pid - y.pid),
  };
}
