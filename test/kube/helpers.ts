// Pod specs for the kube tests, written as the API returns them and read through the real parser.
import { JsonInput } from '../../src/kube/json-input.js';
import { type PodSpec, readPod } from '../../src/kube/pod.js';

export const MI = 1024 * 1024;
export const GI = 1024 * MI;

type Res = { requests?: Record<string, string>; limits?: Record<string, string> };

/** A container with these resources; `memory` alone is shorthand for a memory request. */
export function container(
  name: string,
  resources: Res = {},
  restartPolicy?: string,
): Record<string, unknown> {
  return { name, image: 'example', resources, ...(restartPolicy ? { restartPolicy } : {}) };
}

export function pod(spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): PodSpec {
  return readPod(new JsonInput('pod.json'), { metadata: { name: 'p', ...metadata }, spec }, '');
}

/** One Burstable container with this memory request (and a CPU request, so memory alone decides). */
export function burstable(memory: string | null, limit?: string): PodSpec {
  const requests: Record<string, string> = { cpu: '100m' };
  if (memory !== null) requests.memory = memory;
  return pod({ containers: [container('c', { requests, ...(limit ? { limits: { memory: limit } } : {}) })] });
}
