// The node ranking on the four Kubernetes node fixture trees (test/fixtures/kube-pods/README.md gives every
// number by hand), with and without pod metadata, plus the working-set fallbacks on built snapshots.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { findKubepodsRoot, sampleKubeNode } from '../../src/host/kube/kubepods.js';
import { readPodMetadataFile, tryReadPodMetadataFile } from '../../src/host/kube/pod-metadata.js';
import { LinuxHost } from '../../src/host/linux/linux-host.js';
import { cgroupWorkingSet, type NodeRanking, rankNode } from '../../src/kube/node-rank.js';
import type { PodMetadata } from '../../src/kube/pod-metadata.js';
import { REPO } from '../helpers/cli.js';
import { cgroup, proc, buildSnapshot as snapshot } from '../helpers/snapshot-builder.js';
import { MI } from './helpers.js';

const FIXTURES = join(REPO, 'test/fixtures');
const PODS = join(FIXTURES, 'kube-pods/pods.json');
const KUBELET_PODS = join(FIXTURES, 'kube-pods/kubelet-pods.json');
const TREES = ['kube-cgroupfs-v1', 'kube-cgroupfs-v2', 'kube-systemd-v1', 'kube-systemd-v2'] as const;

const WEB = '1f0e9a52-7c1b-4d7e-9a51-3b6c2e8d4a01';
const BATCH = '2b7c4d10-0e5f-4a3b-8c2d-9e1f0a6b7c02';
const DB = '3c8d5e21-1f60-4b4c-9d3e-0f2a1b7c8d03';
const MONITOR = '4d9e6f32-2071-4c5d-8e4f-1a3b2c8d9e04';
const ETCD = '5e0f7a43b1824d6e9f5a2b4c3d9e0f05';

function rankTree(tree: string, metadata: PodMetadata[] | null): NodeRanking {
  const host = new LinuxHost({ root: join(FIXTURES, tree) });
  try {
    return rankNode(sampleKubeNode(host), metadata);
  } finally {
    host.close();
  }
}

/** [name, position, working set MiB, request MiB, priority, pids] per pod. */
const summary = (r: NodeRanking) =>
  r.pods.map((p) => [
    p.pod.name,
    p.position,
    (p.pod.workingSetBytes ?? -1) / MI,
    p.pod.memoryRequestBytes / MI,
    p.pod.priority,
    p.pod.processes.map((x) => x.pid),
  ]);

const WITH_METADATA = [
  ['web', 1, 1000, 512, 0, [1101, 1102, 1103, 1104]],
  ['batch', 2, 300, 0, 0, [1200, 1201, 1202]],
  ['monitor', 3, 900, 100, 1000, [1400, 1401]],
  ['db', 4, 1536, 2048, 0, [1300, 1301, 1302]],
  ['etcd', 0, 50, 100, 2000001000, [1500, 1501]],
];

for (const tree of TREES) {
  describe(tree, () => {
    test('the kubepods root of the driver', () => {
      const host = new LinuxHost({ root: join(FIXTURES, tree) });
      try {
        assert.equal(findKubepodsRoot(host), tree.includes('systemd') ? '/kubepods.slice' : '/kubepods');
      } finally {
        host.close();
      }
    });

    test('with pods.json: web, batch, monitor, db; etcd (static, node-critical) never', () => {
      const r = rankTree(tree, readPodMetadataFile(PODS));
      assert.deepEqual(summary(r), WITH_METADATA);
      assert.equal(r.outsidePods, 3);
      assert.deepEqual(r.unmatched, []);
      assert.equal(
        r.pods.find((p) => p.pod.name === 'etcd')?.pod.critical,
        'priority 2000001000 ≥ 2000000000',
      );
    });

    test("with the kubelet's /pods: the same order, requests derived from the specs", () => {
      const r = rankTree(tree, readPodMetadataFile(KUBELET_PODS));
      assert.deepEqual(summary(r), WITH_METADATA);
      assert.equal(
        r.pods.find((p) => p.pod.name === 'etcd')?.pod.critical,
        'static pod (config source file)',
      );
    });

    test('without metadata: request 0, priority 0, so by working set; names from the UID', () => {
      const r = rankTree(tree, null);
      assert.deepEqual(
        r.pods.map((p) => [p.pod.uid, p.position, (p.pod.workingSetBytes ?? -1) / MI]),
        [
          [DB, 1, 1536],
          [WEB, 2, 1000],
          [MONITOR, 3, 900],
          [BATCH, 4, 300],
          [ETCD, 5, 50],
        ],
      );
      assert.equal(r.pods[0]?.pod.name, `pod${DB}`);
      assert.equal(r.metadata, false);
    });

    test('every container maps to its pod with its working set, QoS from the tree', () => {
      const r = rankTree(tree, readPodMetadataFile(PODS));
      const web = r.pods.find((p) => p.pod.uid === WEB)?.pod;
      assert.ok(web);
      assert.equal(web.qos, 'Burstable');
      assert.equal(web.workingSetSource, 'pod cgroup');
      assert.deepEqual(
        web.containers.map((c) => [
          c.name,
          c.sandbox,
          (c.workingSetBytes ?? -1) / MI,
          c.processes.map((p) => p.comm),
        ]),
        [
          [null, true, 1, ['pause']],
          ['proxy', false, 179, ['envoy']],
          ['app', false, 820, ['node', 'node']],
        ],
      );
      assert.deepEqual(
        r.pods.map((p) => [p.pod.name, p.pod.qos]),
        [
          ['web', 'Burstable'],
          ['batch', 'BestEffort'],
          ['monitor', 'Burstable'],
          ['db', 'Guaranteed'],
          ['etcd', 'Burstable'],
        ],
      );
      assert.equal(
        r.pods.reduce((n, p) => n + p.pod.containers.length, 0),
        11,
      );
    });
  });
}

describe('working set sources', () => {
  const v1 = (path: string, usage: number, local: number, total: number, procs: number[] = []) =>
    cgroup(path, { version: 1, usage, stat: { inactive_file: local, total_inactive_file: total }, procs });
  test('v1 reads total_inactive_file, v2 inactive_file', () => {
    assert.equal(cgroupWorkingSet(v1('/a', 100 * MI, 0, 30 * MI)), 70 * MI);
    assert.equal(
      cgroupWorkingSet(
        cgroup('/b', { usage: 100 * MI, stat: { inactive_file: 30 * MI, total_inactive_file: 0 } }),
      ),
      70 * MI,
    );
    assert.equal(cgroupWorkingSet(cgroup('/c')), null);
  });
  test('no pod cgroup in the snapshot: the sum of its container cgroups', () => {
    const pod = `/kubepods/burstable/pod${WEB}`;
    const a = `${pod}/${'a'.repeat(64)}`;
    const b = `${pod}/${'b'.repeat(64)}`;
    const snap = snapshot({
      processes: [
        proc({ pid: 10, cgroup: a }),
        proc({ pid: 11, cgroup: b }),
        proc({ pid: 12, cgroup: '/system.slice/x' }),
      ],
      cgroups: [v1(a, 300 * MI, 0, 100 * MI, [10]), v1(b, 50 * MI, 0, 60 * MI, [11])],
    });
    const r = rankNode(snap);
    assert.deepEqual(
      r.pods.map((p) => [p.pod.workingSetSource, (p.pod.workingSetBytes ?? -1) / MI]),
      [['containers', 200]], // 300 − 100 + max(50 − 60, 0)
    );
    assert.equal(r.outsidePods, 1);
  });
  test('no statistics at all: ranked first, as the kubelet does', () => {
    const snap = snapshot({
      processes: [
        proc({ pid: 10, cgroup: `/kubepods/pod${WEB}/${'a'.repeat(64)}` }),
        proc({ pid: 11, cgroup: `/kubepods/pod${DB}/${'b'.repeat(64)}` }),
      ],
      cgroups: [cgroup(`/kubepods/pod${DB}`, { usage: 5 * MI })],
    });
    const r = rankNode(snap);
    assert.deepEqual(
      r.pods.map((p) => [p.pod.uid, p.pod.workingSetBytes]),
      [
        [WEB, null],
        [DB, 5 * MI],
      ],
    );
  });
  test('metadata for pods not on this node is reported, not ranked', () => {
    const snap = snapshot({
      processes: [proc({ pid: 10, cgroup: `/kubepods/pod${WEB}/${'a'.repeat(64)}` })],
    });
    const meta: PodMetadata = {
      uid: BATCH,
      name: 'elsewhere',
      namespace: 'ns',
      priority: 0,
      memoryRequestBytes: 0,
      qos: null,
      critical: null,
      containers: new Map(),
    };
    const r = rankNode(snap, [meta]);
    assert.deepEqual(r.unmatched, [{ uid: BATCH, name: 'elsewhere', namespace: 'ns' }]);
    assert.equal(r.pods[0]?.pod.hasMetadata, false);
  });
});

describe('reading pod metadata', () => {
  test('a missing file: HostReadError (exit 1) naming it; the daemon form warns and returns null', () => {
    const missing = join(FIXTURES, 'kube-pods/missing.json');
    assert.throws(() => readPodMetadataFile(missing), {
      name: 'HostReadError',
      message: `${missing}: cannot read pod metadata: ENOENT`,
    });
    const warnings: string[] = [];
    assert.equal(
      tryReadPodMetadataFile(missing, (m) => warnings.push(m)),
      null,
    );
    assert.deepEqual(warnings, [
      `${missing}: cannot read pod metadata: ENOENT; ranking pods without metadata (priority 0, request 0)`,
    ]);
  });
});
