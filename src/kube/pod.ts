// A pod as the Kubernetes API returns it (`kubectl get pod -o json`, the kubelet's /pods), reduced to the
// fields the kubelet's memory decisions read, with every quantity parsed exactly. Pure.

import { field, type JsonInput, type JsonObject } from './json-input.js';
import { compareExact, type ExactQuantity } from './quantity.js';

export type ResourceList = Readonly<Record<string, ExactQuantity>>;

export interface Resources {
  readonly requests: ResourceList;
  readonly limits: ResourceList;
}

export interface ContainerSpec {
  readonly name: string;
  readonly resources: Resources;
  /** An init container with `restartPolicy: Always`: a sidecar (Kubernetes 1.28+). */
  readonly restartable: boolean;
}

export interface PodSpec {
  readonly name: string | null;
  readonly namespace: string | null;
  readonly uid: string | null;
  readonly annotations: Readonly<Record<string, string>>;
  /** spec.priority, filled in by the API server from the priority class; null when absent. */
  readonly priority: number | null;
  readonly priorityClassName: string | null;
  readonly containers: readonly ContainerSpec[];
  readonly initContainers: readonly ContainerSpec[];
  /** Pod-level spec.resources (PodLevelResources, 1.32+); null when not given. */
  readonly podResources: Resources | null;
  readonly overhead: ResourceList;
  /** Container IDs from status.containerStatuses and initContainerStatuses, runtime prefix removed. */
  readonly containerIds: ReadonlyMap<string, string>;
}

/** The resources QoS and oom_score_adj look at. */
export const QOS_RESOURCES = ['cpu', 'memory'] as const;

/** A pod object (with `spec`) or a bare pod spec (with `containers`). */
export function readPod(input: JsonInput, value: unknown, path: string): PodSpec {
  const obj = input.object(value, path);
  const specPath = 'spec' in obj ? field(path, 'spec') : path;
  const spec = input.object('spec' in obj ? obj.spec : obj, specPath);
  const metaPath = field(path, 'metadata');
  const meta = obj.metadata === undefined ? {} : input.object(obj.metadata, metaPath);
  const optString = (o: JsonObject, key: string, p: string) =>
    o[key] === undefined || o[key] === null ? null : input.string(o[key], field(p, key));

  const containersPath = field(specPath, 'containers');
  const containers = input.array(spec.containers, containersPath);
  if (containers.length === 0) throw input.fail(containersPath, 'a pod needs at least one container');
  const initPath = field(specPath, 'initContainers');
  const inits = spec.initContainers == null ? [] : input.array(spec.initContainers, initPath);

  const annotations: Record<string, string> = {};
  if (meta.annotations != null) {
    const a = input.object(meta.annotations, field(metaPath, 'annotations'));
    for (const [k, v] of Object.entries(a))
      annotations[k] = input.string(v, field(field(metaPath, 'annotations'), k));
  }

  return {
    name: optString(meta, 'name', metaPath),
    namespace: optString(meta, 'namespace', metaPath),
    uid: optString(meta, 'uid', metaPath),
    annotations,
    priority: spec.priority == null ? null : input.integer(spec.priority, field(specPath, 'priority')),
    priorityClassName: optString(spec, 'priorityClassName', specPath),
    containers: containers.map((c, i) => readContainer(input, c, field(containersPath, i), false)),
    initContainers: inits.map((c, i) => readContainer(input, c, field(initPath, i), true)),
    podResources:
      spec.resources == null ? null : readResources(input, spec.resources, field(specPath, 'resources')),
    overhead:
      spec.overhead == null ? {} : readResourceList(input, spec.overhead, field(specPath, 'overhead')),
    containerIds: readContainerIds(input, obj.status, field(path, 'status')),
  };
}

function readContainer(input: JsonInput, value: unknown, path: string, init: boolean): ContainerSpec {
  const c = input.object(value, path);
  const name = c.name === undefined ? '' : input.string(c.name, field(path, 'name'));
  const restartPolicy =
    c.restartPolicy == null ? null : input.string(c.restartPolicy, field(path, 'restartPolicy'));
  return {
    name,
    resources:
      c.resources == null
        ? { requests: {}, limits: {} }
        : readResources(input, c.resources, field(path, 'resources')),
    restartable: init && restartPolicy === 'Always',
  };
}

/**
 * requests and limits; a limit without a request gives the request its value, as the API server's
 * defaulting does (so a spec written by hand reads like one the API returned).
 */
function readResources(input: JsonInput, value: unknown, path: string): Resources {
  const r = input.object(value, path);
  const requests = r.requests == null ? {} : readResourceList(input, r.requests, field(path, 'requests'));
  const limits = r.limits == null ? {} : readResourceList(input, r.limits, field(path, 'limits'));
  return { requests: { ...limits, ...requests }, limits };
}

function readResourceList(input: JsonInput, value: unknown, path: string): ResourceList {
  const list: Record<string, ExactQuantity> = {};
  for (const [name, q] of Object.entries(input.object(value, path)))
    list[name] = input.quantity(q, field(path, name));
  return list;
}

function readContainerIds(input: JsonInput, value: unknown, path: string): Map<string, string> {
  const ids = new Map<string, string>();
  if (value == null) return ids;
  const status = input.object(value, path);
  for (const key of ['containerStatuses', 'initContainerStatuses']) {
    if (status[key] == null) continue;
    input.array(status[key], field(path, key)).forEach((s, i) => {
      const p = field(field(path, key), i);
      const o = input.object(s, p);
      if (o.containerID == null || o.name == null) return; // not started yet
      const id = input.string(o.containerID, field(p, 'containerID'));
      // `containerd://<id>`, `cri-o://<id>`, `docker://<id>`.
      ids.set(id.slice(id.indexOf('://') + 3), input.string(o.name, field(p, 'name')));
    });
  }
  return ids;
}

/** The memory amount of a resource list in bytes, rounded up as Quantity.Value() does; 0 when absent. */
export function memoryBytes(list: ResourceList): bigint {
  const q = list.memory;
  return q === undefined ? 0n : (q.num + q.den - 1n) / q.den;
}

/** True when the pod-level resources set a CPU or memory request or limit (IsPodLevelResourcesSet). */
export function hasPodLevelResources(pod: PodSpec): boolean {
  const r = pod.podResources;
  return r !== null && QOS_RESOURCES.some((n) => r.requests[n] !== undefined || r.limits[n] !== undefined);
}

/** True when the pod-level resources set a positive memory request. */
export function hasPodLevelMemoryRequest(pod: PodSpec): boolean {
  const q = pod.podResources?.requests.memory;
  return q !== undefined && compareExact(q, { num: 0n, den: 1n }) > 0;
}
