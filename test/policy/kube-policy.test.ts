// The `kube` cgroup policy through the real CLI on the Kubernetes fixture trees: pods in the kubelet's eviction
// order (test/fixtures/kube-pods/README.md), with and without metadata, and the kill takes the first pod whole.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { REPO, runCli } from '../helpers/cli.js';

const UID: Readonly<Record<string, string>> = {
  web: '1f0e9a52-7c1b-4d7e-9a51-3b6c2e8d4a01',
  batch: '2b7c4d10-0e5f-4a3b-8c2d-9e1f0a6b7c02',
  db: '3c8d5e21-1f60-4b4c-9d3e-0f2a1b7c8d03',
  monitor: '4d9e6f32-2071-4c5d-8e4f-1a3b2c8d9e04',
  etcd: '5e0f7a43b1824d6e9f5a2b4c3d9e0f05',
};
const TREES = ['kube-cgroupfs-v1', 'kube-cgroupfs-v2', 'kube-systemd-v1', 'kube-systemd-v2'];
const PODS = join(REPO, 'test/fixtures/kube-pods');

interface Report {
  readonly policy: string;
  readonly cgroups: readonly { path: string; position: number; excludedBy: string | null }[];
  readonly chosen: string | null;
  readonly killCgroup: string | null;
  readonly targets: readonly number[];
}

/** The pod name a cgroup path belongs to (systemd paths write the UID with _ for -). */
function podOf(path: string): string {
  const name = Object.keys(UID).find((n) => path.replaceAll('_', '-').includes(`pod${UID[n]}`));
  assert.ok(name, `no fixture pod in ${path}`);
  return name;
}

async function rank(tree: string, extra: readonly string[] = []): Promise<Report> {
  const root = join(REPO, 'test/fixtures', tree);
  const r = await runCli(['rank', '--policy', 'kube', '--root', root, '--json', ...extra]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Report;
}

function order(report: Report): [string, number, string | null][] {
  return report.cgroups.map((c) => [podOf(c.path), c.position, c.excludedBy]);
}

describe('rank --policy kube on the fixture node', () => {
  for (const tree of TREES) {
    test(`${tree}, no metadata: by working set, db 1536Mi, web, monitor, batch, etcd`, async () => {
      const report = await rank(tree);
      assert.equal(report.policy, 'kube');
      assert.deepEqual(order(report), [
        ['db', 1, null],
        ['web', 2, null],
        ['monitor', 3, null],
        ['batch', 4, null],
        ['etcd', 5, null],
      ]);
      assert.equal(podOf(report.chosen ?? ''), 'db');
      assert.equal(report.killCgroup, report.chosen);
      // db: pause 1300, postgres 1301 and 1302.
      assert.deepEqual([...report.targets].sort(), [1300, 1301, 1302]);
    });

    for (const file of ['pods.json', 'kubelet-pods.json']) {
      test(`${tree}, ${file}: web, batch, monitor, db; etcd critical, never chosen`, async () => {
        const report = await rank(tree, ['--kube-pods', join(PODS, file)]);
        assert.deepEqual(order(report), [
          ['web', 1, null],
          ['batch', 2, null],
          ['monitor', 3, null],
          ['db', 4, null],
          ['etcd', 0, 'critical pod'],
        ]);
        assert.equal(podOf(report.killCgroup ?? ''), 'web');
        // The whole pod: its pause sandbox 1101, app 1102 and 1103, proxy 1104.
        assert.deepEqual([...report.targets].sort(), [1101, 1102, 1103, 1104]);
      });
    }
  }

  test('a pod metadata file that cannot be read is a clear error on the command line', async () => {
    const root = join(REPO, 'test/fixtures/kube-cgroupfs-v1');
    const r = await runCli([
      'rank',
      '--policy',
      'kube',
      '--root',
      root,
      '--kube-pods',
      '/nonexistent/pods.json',
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\/nonexistent\/pods\.json/);
  });
});

describe('explain PID --policy kube', () => {
  test('a batch worker: its pod is #2, behind web, and would not be killed', async () => {
    const root = join(REPO, 'test/fixtures/kube-cgroupfs-v1');
    const r = await runCli([
      'explain',
      '1201',
      '--policy',
      'kube',
      '--root',
      root,
      '--kube-pods',
      join(PODS, 'pods.json'),
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /its candidate cgroup: #2 +\/kubepods\/besteffort\/pod2b7c4d10-0e5f-4a3b-8c2d-9e1f0a6b7c02 +pod jobs\/batch \(BestEffort\): working set 300Mi over request 0 \(\+300Mi\); priority 0; before monitor: lower priority \(0 < 1000\)/,
    );
    assert.match(
      r.stdout,
      /chosen instead: #1 +\/kubepods\/burstable\/pod1f0e9a52-7c1b-4d7e-9a51-3b6c2e8d4a01 +pod shop\/web/,
    );
    assert.match(r.stdout, /it would not be killed by this choice/);
  });

  test('a web proxy: its pod is the one chosen and it dies with the pod', async () => {
    const root = join(REPO, 'test/fixtures/kube-systemd-v2');
    const r = await runCli([
      'explain',
      '1104',
      '--policy',
      'kube',
      '--root',
      root,
      '--kube-pods',
      join(PODS, 'pods.json'),
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /its cgroup is the one chosen: pod shop\/web \(Burstable\): working set 1000Mi over request 512Mi \(\+488Mi\)/,
    );
    assert.match(
      r.stdout,
      /it would die with \/kubepods\.slice\/kubepods-burstable\.slice\/kubepods-burstable-pod1f0e9a52_7c1b_4d7e_9a51_3b6c2e8d4a01\.slice: the kube policy kills cgroups whole/,
    );
  });
});
