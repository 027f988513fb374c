// Pod metadata in both shapes, and the messages for malformed files (file and field named).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parsePodMetadata } from '../../src/kube/pod-metadata.js';
import { GI, MI } from './helpers.js';

const fails = (json: unknown, message: string) =>
  assert.throws(() => parsePodMetadata(JSON.stringify(json), 'pods.json'), { name: 'UsageError', message });

describe('the simple list', () => {
  test('defaults: priority 0, request 0, no QoS, not critical', () => {
    const [p] = parsePodMetadata(JSON.stringify([{ name: 'a', uid: 'u1' }]), 'pods.json');
    assert.deepEqual(p, {
      uid: 'u1',
      name: 'a',
      namespace: null,
      priority: 0,
      memoryRequestBytes: 0,
      qos: null,
      critical: null,
      containers: new Map(),
    });
  });
  test('quantities, QoS names and container names', () => {
    const [p] = parsePodMetadata(
      JSON.stringify([
        { name: 'a', uid: 'u1', memoryRequestBytes: '1.5Gi', qos: 'burstable', containers: { abc: 'app' } },
      ]),
      'pods.json',
    );
    assert.deepEqual(
      [p?.memoryRequestBytes, p?.qos, p?.containers.get('abc')],
      [1536 * MI, 'Burstable', 'app'],
    );
  });
  test('malformed entries', () => {
    fails(
      [
        { name: 'a', uid: 'u1' },
        { name: 'b', uid: 'u2' },
        { name: 'c', uid: 'u3', memoryRequestBytes: 'x' },
      ],
      'pods.json: [2].memoryRequestBytes: not a number, got "x" (expected a Kubernetes quantity such as 100Mi, 1.5Gi, 500M or 129e6)',
    );
    fails([{ name: 'a' }], 'pods.json: [0].uid: expected a string, got nothing');
    fails(
      [{ name: 'a', uid: 'u', qos: 'gold' }],
      'pods.json: [0].qos: unknown QoS class "gold" (expected guaranteed, burstable or besteffort)',
    );
    fails(
      [{ name: 'a', uid: 'u', critical: 'yes' }],
      'pods.json: [0].critical: expected true or false, got "yes"',
    );
    fails(
      [
        { name: 'a', uid: 'u' },
        { name: 'b', uid: 'u' },
      ],
      'pods.json: [1].uid: u is also the uid of [0]',
    );
    fails('pods', 'pods.json: (top level): expected a list, got "pods"');
  });
});

describe("the kubelet's /pods", () => {
  const item = (spec: Record<string, unknown>, metadata: Record<string, unknown> = {}) => ({
    metadata: { name: 'web', namespace: 'shop', uid: 'u1', ...metadata },
    spec,
  });
  test('request, QoS, priority and container IDs derived from the spec and status', () => {
    const list = {
      kind: 'PodList',
      items: [
        {
          ...item({
            priority: 5,
            containers: [
              { name: 'app', resources: { requests: { memory: '384Mi' }, limits: { memory: '1Gi' } } },
              { name: 'proxy', resources: { requests: { memory: '128Mi' } } },
            ],
          }),
          status: {
            containerStatuses: [{ name: 'app', containerID: 'containerd://abc123' }, { name: 'proxy' }],
          },
        },
      ],
    };
    const [p] = parsePodMetadata(JSON.stringify(list), 'pods.json');
    assert.deepEqual(
      [
        p?.name,
        p?.namespace,
        p?.priority,
        p?.memoryRequestBytes,
        p?.qos,
        p?.critical,
        [...(p?.containers ?? [])],
      ],
      ['web', 'shop', 5, 512 * MI, 'Burstable', null, [['abc123', 'app']]],
    );
  });
  test('mirror pods and high priorities are critical', () => {
    const mirror = item(
      { containers: [{ name: 'c' }] },
      { annotations: { 'kubernetes.io/config.mirror': 'x', 'kubernetes.io/config.source': 'api' } },
    );
    const high = item({ containers: [{ name: 'c' }], priority: 2000000000 }, { uid: 'u2' });
    const pods = parsePodMetadata(JSON.stringify({ items: [mirror, high] }), 'pods.json');
    assert.deepEqual(
      pods.map((p) => p.critical),
      ['mirror pod', 'priority 2000000000 ≥ 2000000000'],
    );
  });
  test('a plain JSON list of pod objects works too', () => {
    const pods = parsePodMetadata(
      JSON.stringify([item({ containers: [{ name: 'c', resources: { requests: { memory: '2Gi' } } }] })]),
      'p.json',
    );
    assert.equal(pods[0]?.memoryRequestBytes, 2 * GI);
  });
  test('malformed pods name the field', () => {
    fails(
      { items: [item({ containers: [{ name: 'c', resources: { requests: { memory: '1GB' } } }] })] },
      'pods.json: items[0].spec.containers[0].resources.requests.memory: unknown suffix "GB", got "1GB" (expected a Kubernetes quantity such as 100Mi, 1.5Gi, 500M or 129e6)',
    );
    fails(
      { items: [item({ containers: [] })] },
      'pods.json: items[0].spec.containers: a pod needs at least one container',
    );
    fails(
      { items: [item({ containers: [{ name: 'c' }], priority: 'high' })] },
      'pods.json: items[0].spec.priority: expected a number (a whole number), got "high"',
    );
    fails(
      { items: [{ metadata: { name: 'x' }, spec: { containers: [{ name: 'c' }] } }] },
      'pods.json: items[0].metadata.uid: expected a string, got nothing',
    );
    fails({ items: 3 }, 'pods.json: items: expected a list, got 3');
  });
});
