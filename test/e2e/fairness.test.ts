// The fairness case on the real kernel: user A runs one 600 MiB process, user B thirty of 30 MiB, each in a
// memory cgroup of its own under one parent oomguard-test-fair-*. Per process, A's is the largest; per cgroup,
// B uses more. With the cgroup policy and whole-cgroup kills (v1 has no memory.oom.group: unit cgroup) the
// daemon kills all of B and nothing else. Also: the systemd-oomd xattrs read from a real cgroup2 directory.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LinuxHost } from '../../src/host/linux/linux-host.js';
import { loadNative } from '../../src/host/linux/native.js';
import { runCli } from '../helpers/cli.js';
import { DaemonProcess } from '../helpers/daemon-process.js';
import { type Hog, memcgUnavailableReason, Sandbox, type TestCgroup } from '../helpers/sandbox.js';

const MiB = 1024 * 1024;
const skip = memcgUnavailableReason();

function alive(h: Hog): boolean {
  return h.child.exitCode === null && h.child.signalCode === null;
}

async function waitExit(h: Hog, ms = 15000): Promise<NodeJS.Signals | number | null | 'still running'> {
  return Promise.race([
    h.exit(),
    new Promise<'still running'>((r) => setTimeout(() => r('still running'), ms)),
  ]);
}

describe('fairness: one large process against thirty small ones', { skip: skip ?? false }, () => {
  const sandbox = new Sandbox();
  const tmp = mkdtempSync(join(tmpdir(), 'oomguard-fairness-'));
  let parent: TestCgroup;
  let userA: TestCgroup;
  let userB: TestCgroup;
  let canary: Hog;
  let large: Hog;
  const small: Hog[] = [];
  let daemon: DaemonProcess | null = null;

  before(async () => {
    // Outside the parent and larger than every process of B: a daemon that looked outside its scope would pick it.
    canary = await sandbox.startHog({ cgroup: null, sizeMiB: 100, name: 'canary' });
    parent = sandbox.createMemcg('fair', 2048 * MiB);
    userA = sandbox.createMemcg('user-a', null, parent);
    userB = sandbox.createMemcg('user-b', null, parent);
    large = await sandbox.startHog({ cgroup: userA, sizeMiB: 600, name: 'large' });
    for (let i = 0; i < 30; i++)
      small.push(await sandbox.startHog({ cgroup: userB, sizeMiB: 30, name: 'small' }));
  });
  after(async () => {
    await daemon?.stop();
    await sandbox.cleanup();
  });

  test("rank, per process: A's 600 MiB process is first", async () => {
    const r = await runCli(['rank', '--cgroup', parent.path, '--json', '--top', '1']);
    assert.equal(r.code, 0, r.stderr);
    const [first] = JSON.parse(r.stdout) as { pid: number; cgroup: string }[];
    assert.equal(first?.pid, large.pid);
    assert.equal(first?.cgroup, userA.path);
  });

  test("rank --policy cgroup: B's group is first, and its usage is above A's", async () => {
    const r = await runCli(['rank', '--cgroup', parent.path, '--policy', 'cgroup', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as {
      cgroups: { path: string; position: number; usage: number }[];
      chosen: string;
      victim: { pid: number };
      killCgroup: string | null;
    };
    assert.deepEqual(
      report.cgroups.map((c) => [c.path, c.position]),
      [
        [userB.path, 1],
        [userA.path, 2],
      ],
    );
    const [b, a] = report.cgroups;
    // 30 × 30 MiB against 600 MiB, give or take the hogs' own pages.
    assert.ok((b?.usage ?? 0) > 880 * MiB && (a?.usage ?? 0) < 700 * MiB, JSON.stringify(report.cgroups));
    assert.equal(report.chosen, userB.path);
    assert.ok(small.some((h) => h.pid === report.victim.pid));
    assert.equal(report.killCgroup, null, 'v1, unit process: one process of B');
  });

  test("explain A's process under the cgroup policy: its cgroup is second, B's is chosen", async () => {
    const r = await runCli([
      'explain',
      String(large.pid),
      '--cgroup',
      parent.path,
      '--policy',
      'cgroup',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const e = JSON.parse(r.stdout) as {
      cgroup: { candidate: { path: string; position: number }; chosen: { path: string }; wouldDie: boolean };
      process: { candidate: { position: number } };
    };
    assert.deepEqual([e.cgroup.candidate.path, e.cgroup.candidate.position], [userA.path, 2]);
    assert.equal(e.cgroup.chosen.path, userB.path);
    assert.equal(e.cgroup.wouldDie, false);
    assert.equal(e.process.candidate.position, 1, 'per process it would be first');
  });

  test('run --ranker cgroup --unit cgroup: all 30 of B die, none of A, nothing else signalled', async () => {
    const config = join(tmp, 'fair.toml');
    writeFileSync(config, '[action]\ncooldown = "60s"\n');
    // 95,90: the KILL level at once (about 26 % of the 2 GiB limit is left).
    daemon = await DaemonProcess.start([
      '--config',
      config,
      '--cgroup',
      parent.path,
      '--ranker',
      'cgroup',
      '--unit',
      'cgroup',
      '-m',
      '95,90',
    ]);
    const select = await daemon.waitFor((e) => e.event === 'select' && e.level === 'notice', 20000);
    assert.match(String(select.msg), new RegExp(`cgroup ${userB.path} is #1`));
    await daemon.waitFor((e) => e.event === 'exit', 20000);
    for (const h of small) assert.equal(await waitExit(h), 'SIGKILL', `small hog ${h.pid}`);
    await daemon.stop();
    assert.ok(alive(large), "A's process lives");
    assert.ok(alive(canary), 'the canary outside the parent lives');
    assert.deepEqual(
      daemon.signalledPids().sort((x, y) => x - y),
      small.map((h) => h.pid).sort((x, y) => x - y),
    );
  });
});

const UNIFIED = '/sys/fs/cgroup/unified';

describe('systemd-oomd xattrs on a real cgroup2 directory', () => {
  test('getxattr reads user.oomd_avoid as systemd sets it; absent reads as -ENODATA', (t) => {
    const native = loadNative();
    if (!native.ok || process.getuid?.() !== 0) return t.skip('needs root and koffi');
    const dir = join(UNIFIED, `oomguard-test-xattr-${process.pid}`);
    try {
      mkdirSync(dir);
    } catch {
      return t.skip(`cannot create ${dir}`);
    }
    t.after(() => rmdirSync(dir));
    assert.equal(native.calls.getxattr(dir, 'user.oomd_avoid'), -61, 'ENODATA before it is set');
    // oomguard only reads xattrs: the test sets one through libc, as systemd does for ManagedOOMPreference=avoid.
    const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
    const setxattr = koffi
      .load('libc.so.6')
      .func(
        'int setxattr(const char *path, const char *name, const char *value, unsigned long size, int flags)',
      );
    assert.equal(setxattr(dir, 'user.oomd_avoid', '1', 1, 0), 0);
    assert.equal(native.calls.getxattr(dir, 'user.oomd_avoid'), '1');
    assert.equal(native.calls.getxattr(dir, 'user.oomd_omit'), -61);
  });

  test('the v2 fixture: /workload carries user.oomd_avoid in its sidecar file, read as avoid', (t) => {
    const host = new LinuxHost({ root: join(import.meta.dirname, '../fixtures/v2') });
    t.after(() => host.close());
    assert.equal(host.readCgroup('/workload').oomdPreference, 'avoid');
    assert.equal('oomdPreference' in host.readCgroup('/oomguard-test-2'), false);
  });
});
