// The node agent against the real kernel: a kubepods tree of memory cgroups (v1, cgroupfs driver layout) inside
// a test cgroup, two pods with hogs in their containers, and `oomguard run --ranker kube` scoped to it. Without
// pod metadata every request is 0, so the kubelet's order puts the pod with the larger working set first: the
// daemon must kill every process of that pod, none of the other pod's, and nothing outside.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { DaemonProcess } from '../helpers/daemon-process.js';
import { type Hog, memcgUnavailableReason, Sandbox, type TestCgroup } from '../helpers/sandbox.js';

const MiB = 1024 * 1024;
const skip = memcgUnavailableReason();

async function waitExit(h: Hog, ms = 15000): Promise<NodeJS.Signals | number | null | 'still running'> {
  return Promise.race([
    h.exit(),
    new Promise<'still running'>((r) => setTimeout(() => r('still running'), ms)),
  ]);
}

function alive(h: Hog): boolean {
  return h.child.exitCode === null && h.child.signalCode === null;
}

describe('oomguard run --ranker kube on a kubepods tree', { skip: skip ?? false }, () => {
  const sandbox = new Sandbox();
  const daemons: DaemonProcess[] = [];
  after(async () => {
    await Promise.all(daemons.map((d) => d.stop()));
    await sandbox.cleanup();
  });

  test('the larger pod dies whole, the smaller pod and the canary live', async () => {
    // Outside the scope and larger than any pod: a daemon that looked outside its scope would pick it.
    const canary = await sandbox.startHog({ cgroup: null, sizeMiB: 200, name: 'canary' });
    const node = sandbox.createMemcg('kube', 512 * MiB);
    const burstable = sandbox.createMemcg('burstable', null, sandbox.createMemcg('kubepods', null, node));
    const pod = (uid: string): TestCgroup => sandbox.createMemcg(`pod${uid}`, null, burstable);
    const container = (p: TestCgroup, c: string): TestCgroup => sandbox.createMemcg(c.repeat(64), null, p);
    const small = pod('0a0a0a0a-1111-4111-8111-111111111111');
    const large = pod('0b0b0b0b-2222-4222-8222-222222222222');
    const app = container(large, 'b');
    const smallHog = await sandbox.startHog({
      cgroup: container(small, 'a'),
      sizeMiB: 40,
      name: 'small-app',
    });
    const largeHogs = [
      await sandbox.startHog({ cgroup: app, sizeMiB: 50, name: 'large-app' }),
      await sandbox.startHog({ cgroup: app, sizeMiB: 10, name: 'large-helper' }),
      await sandbox.startHog({ cgroup: container(large, 'c'), sizeMiB: 50, name: 'large-sidecar' }),
    ];
    // 150 MiB of 512: available about 70 %, below the kill level of 80 %. After the large pod, about 92 %.
    const d = await DaemonProcess.start(['--cgroup', node.path, '--ranker', 'kube', '-m', '90,80']);
    daemons.push(d);
    const select = await d.waitFor((e) => e.event === 'select' && e.level === 'notice', 20000);
    assert.match(select.msg, new RegExp(`kube: cgroup ${large.path.replaceAll('/', '\\/')} is #1`));
    for (const h of largeHogs) assert.equal(await waitExit(h), 'SIGKILL', `hog ${h.pid}`);
    // The hogs can be reaped before the daemon's log of the kill reaches us: its 'exit' line comes after it.
    await d.waitFor((e) => e.event === 'exit', 20000);
    assert.deepEqual(
      [...d.signalledPids()].sort((x, y) => x - y),
      largeHogs.map((h) => h.pid).sort((x, y) => x - y),
    );
    // A while longer: memory is plentiful again, nobody else dies.
    await new Promise((r) => setTimeout(r, 2000));
    assert.ok(alive(smallHog), 'the smaller pod lives');
    assert.ok(alive(canary), 'the canary outside the scope lives');
    assert.equal(d.signalledPids().length, largeHogs.length);
  });
});
