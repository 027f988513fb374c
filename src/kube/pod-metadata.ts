// What the node ranking needs to know about each pod beyond its cgroups: name, priority, memory request,
// criticality. Read from one of two JSON shapes (pure; the file itself is read in host/kube):
//   - a list of `{name, uid, namespace?, priority?, memoryRequestBytes?, qos?, critical?, containers?}`;
//   - a pod list as the API or the kubelet's /pods returns it (`{"kind": "PodList", "items": [...]}`, or
//     a JSON list of pod objects), from which the same facts are derived as the kubelet derives them.
import { criticalReason, listedCriticalReason } from './critical.js';
import { field, JsonInput, parseJson } from './json-input.js';
import { readPod } from './pod.js';
import { parseQosClass, podMemoryRequest, podQosClass, type QosClass } from './qos.js';

export interface PodMetadata {
  readonly uid: string;
  readonly name: string;
  readonly namespace: string | null;
  readonly priority: number;
  readonly memoryRequestBytes: number;
  /** null when the file does not say (the simple list without `qos`). */
  readonly qos: QosClass | null;
  /** Why the pod is critical; null when it is not. */
  readonly critical: string | null;
  /** Container ID → container name, where known. */
  readonly containers: ReadonlyMap<string, string>;
}

/** Parses the text of a pod metadata file; `source` names it in error messages. */
export function parsePodMetadata(text: string, source: string): PodMetadata[] {
  const json = parseJson(text, source);
  const input = new JsonInput(source);
  const list =
    typeof json === 'object' && json !== null && !Array.isArray(json) && 'items' in json ? json : null;
  const top = list === null ? '' : 'items';
  const pods = input.array(list === null ? json : list.items, top).map((p, i) => {
    const path = field(top, i);
    const o = input.object(p, path);
    return 'spec' in o ? fromPod(input, o, path) : fromEntry(input, o, path);
  });
  const seen = new Map<string, number>();
  pods.forEach((p, i) => {
    const first = seen.get(p.uid);
    if (first !== undefined) {
      throw input.fail(field(field(top, i), 'uid'), `${p.uid} is also the uid of ${field(top, first)}`);
    }
    seen.set(p.uid, i);
  });
  return pods;
}

function fromEntry(input: JsonInput, o: Readonly<Record<string, unknown>>, path: string): PodMetadata {
  const opt = <T>(key: string, read: (v: unknown, p: string) => T): T | null =>
    o[key] === undefined || o[key] === null ? null : read(o[key], field(path, key));
  const priority = opt('priority', (v, p) => input.integer(v, p)) ?? 0;
  const marked = opt('critical', (v, p) => input.boolean(v, p)) ?? false;
  const containers = new Map<string, string>();
  const c = opt('containers', (v, p) => input.object(v, p));
  for (const [id, name] of Object.entries(c ?? {})) {
    containers.set(id, input.string(name, field(field(path, 'containers'), id)));
  }
  return {
    uid: input.string(o.uid, field(path, 'uid')),
    name: input.string(o.name, field(path, 'name')),
    namespace: opt('namespace', (v, p) => input.string(v, p)),
    priority,
    memoryRequestBytes: opt('memoryRequestBytes', (v, p) => input.bytes(v, p)) ?? 0,
    qos: opt('qos', (v, p) => parseQosClass(input.string(v, p), `${input.source}: ${p}`)),
    critical: listedCriticalReason(priority, marked),
    containers,
  };
}

function fromPod(input: JsonInput, value: unknown, path: string): PodMetadata {
  const pod = readPod(input, value, path);
  const metaPath = field(path, 'metadata');
  if (pod.uid === null) throw input.fail(field(metaPath, 'uid'), 'expected a string, got nothing');
  if (pod.name === null) throw input.fail(field(metaPath, 'name'), 'expected a string, got nothing');
  const request = podMemoryRequest(pod);
  if (request > BigInt(Number.MAX_SAFE_INTEGER)) throw input.fail(path, 'memory request too large');
  return {
    uid: pod.uid,
    name: pod.name,
    namespace: pod.namespace,
    priority: pod.priority ?? 0,
    memoryRequestBytes: Number(request),
    qos: podQosClass(pod),
    critical: criticalReason(pod),
    containers: pod.containerIds,
  };
}
