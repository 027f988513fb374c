// The `kube` policy inside the daemon, on a fake clock and host: memory runs short, and the first pod in the
// kubelet's eviction order dies whole (every container's processes); the other pod and the node's own
// processes live. The pod metadata file changes the order; a missing one is one warning, then no metadata.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { MIB, rig } from '../daemon/harness.js';

const A = '11111111-2222-3333-4444-555555555555';
const B = '66666666-7777-8888-9999-000000000000';
const POD_A = `/kubepods/burstable/pod${A}`;
const POD_B = `/kubepods/burstable/pod${B}`;
const CID = (c: string) => c.repeat(64);

function node(kubePodsFile?: string) {
  const r = rig({
    host: { memAvailable: 20 * MIB },
    config: { cgroupPolicy: 'kube', cooldownMs: 60_000, ...(kubePodsFile && { kubePodsFile }) },
  });
  r.host.addCgroup('/', {});
  r.host.addCgroup('/kubepods', { usage: 800 * MIB });
  r.host.addCgroup('/kubepods/burstable', { usage: 800 * MIB });
  // Pod A: 300 MiB in two containers; pod B: 500 MiB in one.
  r.host.addCgroup(POD_A, { usage: 300 * MIB });
  r.host.addCgroup(`${POD_A}/${CID('a')}`, { usage: 200 * MIB });
  r.host.addCgroup(`${POD_A}/${CID('b')}`, { usage: 100 * MIB });
  r.host.addCgroup(POD_B, { usage: 500 * MIB });
  r.host.addCgroup(`${POD_B}/${CID('c')}`, { usage: 500 * MIB });
  r.host.add({ pid: 10, cgroup: `${POD_A}/${CID('a')}`, anonPages: (150 * MIB) / 4096 });
  r.host.add({ pid: 11, cgroup: `${POD_A}/${CID('a')}`, anonPages: (50 * MIB) / 4096 });
  r.host.add({ pid: 12, cgroup: `${POD_A}/${CID('b')}`, anonPages: (100 * MIB) / 4096 });
  r.host.add({ pid: 20, cgroup: `${POD_B}/${CID('c')}`, anonPages: (500 * MIB) / 4096 });
  // The kubelet, outside every pod, larger than either.
  r.host.add({ pid: 30, cgroup: '/system.slice/kubelet.service', anonPages: (600 * MIB) / 4096 });
  return r;
}

function killedPids(r: ReturnType<typeof node>): number[] {
  return r.named('signal').flatMap((e) => (e.fields?.pids as number[] | undefined) ?? []);
}

describe('the daemon under the kube policy', () => {
  test('without metadata: pod B (500 MiB over a request of 0) dies whole, pod A and the kubelet live', async () => {
    const r = node();
    await r.runFor(2000);
    assert.deepEqual(killedPids(r), [20]);
    assert.equal(r.host.has(20), false);
    for (const pid of [10, 11, 12, 30]) assert.equal(r.host.has(pid), true, `pid ${pid}`);
  });

  test('with metadata (B requests 1Gi, within it): pod A dies whole, every container, nothing else', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'oomguard-kube-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'pods.json');
    writeFileSync(
      file,
      JSON.stringify([
        { name: 'a', uid: A, memoryRequestBytes: 0 },
        { name: 'b', uid: B, memoryRequestBytes: 1024 * MIB },
      ]),
    );
    const r = node(file);
    await r.runFor(2000);
    const select = r.named('select').filter((e) => e.level === 'notice');
    assert.equal(select.length, 1);
    assert.match(
      select[0]?.message ?? '',
      /^chose pid 10 \(p10\): kube: cgroup \/kubepods\/burstable\/pod1{8}-2{4}-3{4}-4{4}-5{12} is #1/,
    );
    assert.deepEqual([...killedPids(r)].sort(), [10, 11, 12]);
    assert.equal(r.named('signal').length, 1);
    for (const pid of [10, 11, 12]) assert.equal(r.host.has(pid), false, `pid ${pid}`);
    for (const pid of [20, 30]) assert.equal(r.host.has(pid), true, `pid ${pid}`);
  });

  test('a missing metadata file: one warning, then pods are ranked without it', async () => {
    const r = node('/nonexistent/oomguard-pods.json');
    await r.runFor(2000);
    const warnings = r.events.filter((e) => /\/nonexistent\/oomguard-pods\.json/.test(e.message));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]?.message ?? '', /ranking pods without metadata/);
    assert.deepEqual(killedPids(r), [20]);
  });
});
