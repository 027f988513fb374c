// QoS classes (reference §6.1 and Kubernetes' documented rules) and the eviction request of a pod.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseQosClass, podMemoryRequest, podQosClass } from '../../src/kube/qos.js';
import { container, pod } from './helpers.js';

const both = (cpu: string, memory: string) => ({ requests: { cpu, memory }, limits: { cpu, memory } });

describe('podQosClass', () => {
  test('Guaranteed: every container has CPU and memory limits equal to its requests', () => {
    assert.equal(
      podQosClass(
        pod({ containers: [container('a', both('1', '1Gi')), container('b', both('500m', '2Gi'))] }),
      ),
      'Guaranteed',
    );
  });
  test('Guaranteed when requests are missing: they default to the limits', () => {
    assert.equal(
      podQosClass(pod({ containers: [container('a', { limits: { cpu: '1', memory: '1Gi' } })] })),
      'Guaranteed',
    );
  });
  test('Guaranteed compares quantities, not strings: 0.5 equals 500m, 1Gi equals 1073741824', () => {
    const r = { requests: { cpu: '0.5', memory: '1073741824' }, limits: { cpu: '500m', memory: '1Gi' } };
    assert.equal(podQosClass(pod({ containers: [container('a', r)] })), 'Guaranteed');
  });
  test('Burstable: a request below its limit', () => {
    const r = { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '2Gi' } };
    assert.equal(podQosClass(pod({ containers: [container('a', r)] })), 'Burstable');
  });
  test('Burstable: 100m and 200m CPU differ, though both are 1 when rounded up', () => {
    const r = { requests: { cpu: '100m', memory: '1Gi' }, limits: { cpu: '200m', memory: '1Gi' } };
    assert.equal(podQosClass(pod({ containers: [container('a', r)] })), 'Burstable');
  });
  test('Burstable: one container without limits spoils Guaranteed', () => {
    assert.equal(
      podQosClass(pod({ containers: [container('a', both('1', '1Gi')), container('b')] })),
      'Burstable',
    );
  });
  test('Burstable: memory limit only (no CPU limit)', () => {
    assert.equal(
      podQosClass(pod({ containers: [container('a', { limits: { memory: '1Gi' } })] })),
      'Burstable',
    );
  });
  test('Burstable: an init container without limits', () => {
    const p = pod({
      containers: [container('a', both('1', '1Gi'))],
      initContainers: [container('i', { requests: { memory: '10Mi' } })],
    });
    assert.equal(podQosClass(p), 'Burstable');
  });
  test('BestEffort: no CPU or memory request or limit; other resources and zero amounts do not count', () => {
    assert.equal(podQosClass(pod({ containers: [container('a'), container('b')] })), 'BestEffort');
    const other = {
      requests: { 'ephemeral-storage': '1Gi', memory: '0' },
      limits: { 'nvidia.com/gpu': '1' },
    };
    assert.equal(podQosClass(pod({ containers: [container('a', other)] })), 'BestEffort');
  });
  test('pod-level resources take precedence over the containers', () => {
    const spec = { containers: [container('a'), container('b')], resources: both('2', '4Gi') };
    assert.equal(podQosClass(pod(spec)), 'Guaranteed');
    const burst = {
      containers: [container('a', both('1', '1Gi'))],
      resources: { requests: { memory: '1Gi' } },
    };
    assert.equal(podQosClass(pod(burst)), 'Burstable');
  });
});

describe('parseQosClass', () => {
  test('case-insensitive names', () => {
    assert.equal(parseQosClass('guaranteed'), 'Guaranteed');
    assert.equal(parseQosClass('BestEffort'), 'BestEffort');
    assert.equal(parseQosClass('best-effort'), 'BestEffort');
    assert.equal(parseQosClass('BURSTABLE'), 'Burstable');
  });
  test('an unknown name is a usage error listing the classes', () => {
    assert.throws(() => parseQosClass('gold'), {
      name: 'UsageError',
      message: '--qos: unknown QoS class "gold" (expected guaranteed, burstable or besteffort)',
    });
  });
});

describe('podMemoryRequest (eviction ranking)', () => {
  const mem = (m: string) => ({ requests: { memory: m } });
  test('Σ regular containers', () => {
    assert.equal(
      podMemoryRequest(pod({ containers: [container('a', mem('1Gi')), container('b', mem('512Mi'))] })),
      1610612736n,
    );
  });
  test('max with the largest init container', () => {
    const p = pod({ containers: [container('a', mem('1Gi'))], initContainers: [container('i', mem('2Gi'))] });
    assert.equal(podMemoryRequest(p), 2147483648n);
  });
  test('sidecars run beside everything after them: 1Gi + 256Mi sidecar; init after it needs 1Gi + 256Mi', () => {
    const p = pod({
      containers: [container('a', mem('1Gi'))],
      initContainers: [container('s', mem('256Mi'), 'Always'), container('i', mem('1Gi'))],
    });
    // Regular + sidecar = 1280Mi; init i runs with sidecar s: 1024 + 256 = 1280Mi. Both 1342177280.
    assert.equal(podMemoryRequest(p), 1342177280n);
    const q = pod({
      containers: [container('a', mem('100Mi'))],
      initContainers: [container('s', mem('256Mi'), 'Always'), container('i', mem('1Gi'))],
    });
    // Running: 100 + 256 = 356Mi; init peak 1024 + 256 = 1280Mi.
    assert.equal(podMemoryRequest(q), 1342177280n);
  });
  test('plus overhead; the pod-level request replaces the containers', () => {
    const p = pod({ containers: [container('a', mem('1Gi'))], overhead: { memory: '128Mi' } });
    assert.equal(podMemoryRequest(p), 1207959552n);
    const q = pod({ containers: [container('a', mem('1Gi'))], resources: { requests: { memory: '4Gi' } } });
    assert.equal(podMemoryRequest(q), 4294967296n);
  });
});
