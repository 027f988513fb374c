// The pod list `oomguard kube evict-order` reads: a JSON list of
// `{name, priority?, memoryRequestBytes?, workingSetBytes, critical?}`. Bytes are numbers or quantity
// strings ("1.5Gi"); workingSetBytes null means the kubelet has no statistics for the pod. Pure.
import { listedCriticalReason } from './critical.js';
import type { EvictionCandidate } from './eviction-order.js';
import { field, JsonInput, parseJson } from './json-input.js';

export function parseEvictionCandidates(text: string, source: string): EvictionCandidate[] {
  const json = parseJson(text, source);
  const input = new JsonInput(source);
  const seen = new Map<string, number>();
  return input.array(json, '').map((value, i) => {
    const path = field('', i);
    const o = input.object(value, path);
    const name = input.string(o.name, field(path, 'name'));
    const first = seen.get(name);
    if (first !== undefined)
      throw input.fail(field(path, 'name'), `${JSON.stringify(name)} is also the name of [${first}]`);
    seen.set(name, i);
    if (!('workingSetBytes' in o)) {
      throw input.fail(
        field(path, 'workingSetBytes'),
        'expected a number (or null: no statistics), got nothing',
      );
    }
    const priority = o.priority == null ? 0 : input.integer(o.priority, field(path, 'priority'));
    const marked = o.critical == null ? false : input.boolean(o.critical, field(path, 'critical'));
    return {
      name,
      priority,
      memoryRequestBytes:
        o.memoryRequestBytes == null
          ? 0
          : input.bytes(o.memoryRequestBytes, field(path, 'memoryRequestBytes')),
      workingSetBytes:
        o.workingSetBytes === null ? null : input.bytes(o.workingSetBytes, field(path, 'workingSetBytes')),
      critical: listedCriticalReason(priority, marked),
    };
  });
}
