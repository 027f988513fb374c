// The kubelet's oom_score_adj: every vector of reference §7 ("Kubernetes oom_score_adj", cap 16 GiB, and
// the tie-break gate on a 1 TiB node), plus the fixed values and cases worked out by hand.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  containerOomScoreAdjFor,
  KUBE_PROXY_OOM_SCORE_ADJ,
  KUBELET_OOM_SCORE_ADJ,
  maxTieBreakNudge,
  PAUSE_OOM_SCORE_ADJ,
  podOomScoreAdjs,
} from '../../src/kube/oom-score-adj.js';
import { parseQuantity } from '../../src/kube/quantity.js';
import { burstable, container, pod } from './helpers.js';

const CAP16 = 17179869184n;
const TIB = 1099511627776n;
const adjOf = (p: ReturnType<typeof pod>, cap = CAP16, tieBreak = false) =>
  podOomScoreAdjs(p, cap, { tieBreak }).map((c) => c.oomScoreAdj);

describe('reference table, cap 16 GiB', () => {
  const both = { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } };
  test('Guaranteed −997, BestEffort 1000', () => {
    assert.deepEqual(adjOf(pod({ containers: [container('c', both)] })), [-997]);
    assert.deepEqual(adjOf(pod({ containers: [container('c')] })), [1000]);
  });
  test('system-node-critical −997 for every container, whatever the QoS', () => {
    const p = pod({
      containers: [container('a'), container('b', { requests: { memory: '1Gi' } })],
      priority: 2000001000,
      priorityClassName: 'system-node-critical',
    });
    assert.deepEqual(adjOf(p), [-997, -997]);
    // system-cluster-critical is critical but not node-critical: the Burstable formula applies.
    const c = pod({
      containers: [container('b', { requests: { memory: '1Gi' } })],
      priority: 2000000000,
      priorityClassName: 'system-cluster-critical',
    });
    assert.deepEqual(adjOf(c), [938]);
  });
  const burstableVectors: [string | null, number][] = [
    ['4Gi', 750],
    ['8Gi', 500],
    ['1Gi', 938],
    ['100Mi', 994],
    ['17Mi', 999],
    ['16Mi', 999], // 1000 → 999
    [null, 999], // request 0
    ['16Gi', 3],
    [`${16 * 1024 - 1}Mi`, 3],
  ];
  for (const [request, adj] of burstableVectors) {
    test(`Burstable, request ${request ?? '0'} → ${adj}`, () => {
      assert.deepEqual(adjOf(burstable(request)), [adj]);
      assert.equal(
        containerOomScoreAdjFor({
          qos: 'Burstable',
          requestBytes: request === null ? 0n : parseQuantity(request),
          capacityBytes: CAP16,
        }).oomScoreAdj,
        adj,
      );
    });
  }
  test('a request above capacity clamps to 3', () => {
    assert.deepEqual(adjOf(burstable('32Gi')), [3]);
  });
  test('sidecar 64Mi beside regular 1Gi and 2Gi: min(997, 938) = 938', () => {
    const p = pod({
      containers: [
        container('a', { requests: { memory: '1Gi' } }),
        container('b', { requests: { memory: '2Gi' } }),
      ],
      initContainers: [container('s', { requests: { memory: '64Mi' } }, 'Always')],
    });
    const adjs = podOomScoreAdjs(p, CAP16);
    assert.deepEqual(
      adjs.map((c) => [c.name, c.kind, c.oomScoreAdj]),
      [
        ['a', 'container', 938],
        ['b', 'container', 875],
        ['s', 'sidecar', 938],
      ],
    );
  });
  test('a sidecar with a larger request than every regular container keeps its own lower value', () => {
    // Sidecar 4Gi: own 750; regular 1Gi: 938; min(750, 938) = 750.
    const p = pod({
      containers: [container('a', { requests: { memory: '1Gi' } })],
      initContainers: [container('s', { requests: { memory: '4Gi' } }, 'Always')],
    });
    assert.deepEqual(adjOf(p), [938, 750]);
  });
  test('an ordinary init container uses its own request', () => {
    const p = pod({
      containers: [container('a', { requests: { memory: '1Gi' } })],
      initContainers: [container('i', { requests: { memory: '64Mi' } })],
    });
    assert.deepEqual(
      podOomScoreAdjs(p, CAP16).map((c) => [c.kind, c.oomScoreAdj]),
      [
        ['container', 938],
        ['init', 997],
      ],
    );
  });
  test('pod-level 4Gi; c1 1Gi, c2 none: remaining 1610612736 each → c1 844, c2 907', () => {
    const p = pod({
      containers: [container('c1', { requests: { memory: '1Gi' } }), container('c2')],
      resources: { requests: { memory: '4Gi' } },
    });
    const adjs = podOomScoreAdjs(p, CAP16);
    assert.deepEqual(
      adjs.map((c) => c.oomScoreAdj),
      [844, 907],
    );
    assert.match(
      adjs[0]?.steps[0] ?? '',
      /request 1073741824 \+ pod-level remaining share 1610612736 = 2684354560/,
    );
  });
  test('pod-level request with a sidecar: the share goes to the smallest regular request too', () => {
    // Pod 4Gi; c1 1Gi; sidecar s 64Mi. Remaining (4Gi − 1Gi − 64Mi) / 2 = 1577058304 each.
    // c1: 1000 − trunc(1000 × 2650800128 / 17179869184) = 1000 − 154 = 846.
    // s: own 64Mi + share = 1644167168 → 1000 − 95 = 905; ceiling from c1: 846 → 846.
    const p = pod({
      containers: [container('c1', { requests: { memory: '1Gi' } })],
      initContainers: [container('s', { requests: { memory: '64Mi' } }, 'Always')],
      resources: { requests: { memory: '4Gi' } },
    });
    assert.deepEqual(adjOf(p), [846, 846]);
  });
  test('capacity is MemTotal and must be positive', () => {
    assert.throws(() => podOomScoreAdjs(burstable('1Gi'), 0n), /capacity: expected a positive amount/);
  });
});

describe('fixed values', () => {
  test('kubelet and kube-proxy −999, the pause sandbox −998', () => {
    assert.equal(KUBELET_OOM_SCORE_ADJ, -999);
    assert.equal(KUBE_PROXY_OOM_SCORE_ADJ, -999);
    assert.equal(PAUSE_OOM_SCORE_ADJ, -998);
  });
});

describe('KubeletOOMScoreAdjTieBreak (1 TiB node, maxNudge 4)', () => {
  test('maxNudge: 0 at 64 GiB, 2 at 256 GiB, 4 at 1 TiB, 0 below 64 GiB', () => {
    assert.equal(maxTieBreakNudge(64n * 1073741824n), 0);
    assert.equal(maxTieBreakNudge(256n * 1073741824n), 2);
    assert.equal(maxTieBreakNudge(TIB), 4);
    assert.equal(maxTieBreakNudge(CAP16), 0);
  });
  const vectors: [string, string | undefined, number][] = [
    ['1Gi', undefined, 996],
    ['1Gi', '1Gi', 991],
    ['1Gi', '2Gi', 996],
    ['16Gi', undefined, 981], // 985 → 981
    ['64Mi', undefined, 999],
  ];
  for (const [request, limit, adj] of vectors) {
    test(`request ${request}, limit ${limit ?? 'none'} → ${adj}`, () => {
      assert.deepEqual(adjOf(burstable(request, limit), TIB, true), [adj]);
    });
  }
  test('off by default: 1Gi on 1 TiB is 1000 → 999', () => {
    assert.deepEqual(adjOf(burstable('1Gi'), TIB), [999]);
  });
  test('sidecars compare against the highest tie-broken regular value', () => {
    // Regular a 1Gi → 996, b 16Gi → 981; sidecar 64Mi → 1000 (no nudge); min(1000, 996) = 996.
    const p = pod({
      containers: [
        container('a', { requests: { memory: '1Gi' } }),
        container('b', { requests: { memory: '16Gi' } }),
      ],
      initContainers: [container('s', { requests: { memory: '64Mi' } }, 'Always')],
    });
    assert.deepEqual(adjOf(p, TIB, true), [996, 981, 996]);
  });
  test('the single-container form shows the steps', () => {
    const r = containerOomScoreAdjFor(
      { qos: 'Burstable', requestBytes: 1073741824n, limitBytes: 1073741824n, capacityBytes: TIB },
      { tieBreak: true },
    );
    assert.equal(r.oomScoreAdj, 991);
    assert.deepEqual(r.steps, [
      '1000 − trunc(1000 × 1073741824 / 1099511627776) = 1000 − 0 = 1000',
      'tie-break: − min(⌊log2 trunc(1073741824 / 64Mi)⌋, maxNudge 4) = − 4 → 996',
      'tie-break: limit 1073741824 ≤ request: − (maxNudge + 1) = − 5 → 991',
    ]);
  });
});
