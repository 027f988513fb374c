// `oomguard run` against the real kernel, inside memory cgroups oomguard-test-* that the test made, told its
// scope with --cgroup. Every test also checks that the daemon signalled nothing it was not meant to: only
// pids of this test's own hogs, and a canary outside the cgroup stays alive.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DaemonProcess } from '../helpers/daemon-process.js';
import { type Hog, memcgUnavailableReason, Sandbox, type TestCgroup } from '../helpers/sandbox.js';

const MiB = 1024 * 1024;
const skip = memcgUnavailableReason();
const tmp = mkdtempSync(join(tmpdir(), 'oomguard-daemon-test-'));
let configs = 0;

function configFile(toml: string): string {
  const path = join(tmp, `config-${++configs}.toml`);
  writeFileSync(path, toml);
  return path;
}

async function waitExit(h: Hog, ms = 10000): Promise<NodeJS.Signals | number | null> {
  return Promise.race([
    h.exit(),
    new Promise<'still running'>((r) => setTimeout(() => r('still running'), ms)),
  ]) as Promise<NodeJS.Signals | number | null>;
}

function alive(h: Hog): boolean {
  return h.child.exitCode === null && h.child.signalCode === null;
}

describe('oomguard run in a memory cgroup', { skip: skip ?? false }, () => {
  const sandbox = new Sandbox();
  let canary: Hog;
  const daemons: DaemonProcess[] = [];
  before(async () => {
    // Outside every test cgroup and larger than any hog: a daemon that looked outside its scope would pick it.
    canary = await sandbox.startHog({ cgroup: null, sizeMiB: 300, name: 'canary' });
  });
  after(async () => {
    await Promise.all(daemons.map((d) => d.stop()));
    await sandbox.cleanup();
  });

  async function daemon(args: string[]): Promise<DaemonProcess> {
    const d = await DaemonProcess.start(args);
    daemons.push(d);
    return d;
  }

  /** Only our hogs were signalled, and the canary outside the scope lives. */
  function checkScope(d: DaemonProcess, ours: readonly Hog[]): void {
    const allowed = new Set(ours.map((h) => h.pid));
    for (const pid of d.signalledPids())
      assert.ok(allowed.has(pid), `daemon signalled ${pid}, which is not one of this test's hogs`);
    assert.ok(alive(canary), 'the canary outside the cgroup is alive');
  }

  test('kills a steadily growing process before the kernel has to', async () => {
    const cg = sandbox.createMemcg('daemon-grow', 256 * MiB);
    const a = await sandbox.startHog({ cgroup: cg, sizeMiB: 40, name: 'static-a' });
    const b = await sandbox.startHog({ cgroup: cg, sizeMiB: 30, name: 'static-b' });
    const history = join(tmp, 'history.jsonl');
    const d = await daemon(['--cgroup', cg.path, '-m', '20,10', '--history', history]);
    // 40 MiB/s for 300 MiB would pass the 256 MiB limit in about 5 s.
    const g = await sandbox.startHog({
      cgroup: cg,
      sizeMiB: 10,
      pushMiB: 300,
      rateMiBPerSec: 40,
      growNow: true,
      name: 'grower',
    });
    const sig = await d.waitFor((e) => e.event === 'signal', 15000);
    assert.equal(sig.pid, g.pid);
    assert.equal(sig.comm, 'grower');
    assert.equal(sig.signal, 'SIGTERM');
    assert.match(String(sig.why), /badness/);
    assert.equal(await waitExit(g), 'SIGTERM');
    await d.waitFor((e) => e.event === 'exit' && e.pid === g.pid, 5000);
    assert.equal(cg.oomKills(), 0, 'the kernel OOM killer never struck');
    assert.ok(alive(a) && alive(b), 'the static processes live');
    checkScope(d, [g]);
    await d.stop();
    // The kill is on record, signal and exit, as `oomguard history` reads it.
    const recorded = readFileSync(history, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; pid: number; signal: string });
    assert.deepEqual(
      recorded.map((r) => [r.event, r.pid, r.signal]),
      [
        ['signal', g.pid, 'SIGTERM'],
        ['exit', g.pid, 'SIGTERM'],
      ],
    );
  });

  test('a 10 s poll still acts at once: the usage threshold at the TERM level wakes the loop', async () => {
    const cg = sandbox.createMemcg('daemon-wake', 256 * MiB);
    const a = await sandbox.startHog({ cgroup: cg, sizeMiB: 64 });
    // TERM at 50 % available = 128 MiB used; between looks the daemon sleeps 10 s whatever the headroom.
    const cfg = configFile('[poll]\nmin = "10s"\nmax = "10s"\n[action]\ncooldown = "30s"\n');
    const d = await daemon(['--config', cfg, '--cgroup', cg.path, '-m', '50,5']);
    // The first look (at start) armed the threshold; the next poll is ~10 s away.
    await new Promise((r) => setTimeout(r, 1500));
    const started = Date.now();
    // 64 + 10 + 80 MiB at 200 MiB/s: usage crosses 128 MiB about 0.3 s after the start.
    const g = await sandbox.startHog({
      cgroup: cg,
      sizeMiB: 10,
      pushMiB: 80,
      rateMiBPerSec: 200,
      growNow: true,
    });
    const term = await d.waitFor((e) => e.event === 'signal' && e.signal === 'SIGTERM', 15000);
    const after = Date.parse(String(term.time)) - started;
    assert.ok(after < 3000, `SIGTERM came ${after} ms after the growth began (next poll was ~8.5 s away)`);
    assert.ok([a.pid, g.pid].includes(term.pid as number), `signalled ${term.pid}`);
    assert.equal(cg.oomKills(), 0);
    checkScope(d, [a, g]);
    await d.stop();
  });

  test('escalates to SIGKILL when the victim ignores SIGTERM for the grace period', async () => {
    const cg = sandbox.createMemcg('daemon-term', 256 * MiB);
    const a = await sandbox.startHog({ cgroup: cg, sizeMiB: 40 });
    await sandbox.startHog({ cgroup: cg, sizeMiB: 30 });
    const cfg = configFile('[action]\ngrace = "1s"\ncooldown = "30s"\n');
    const d = await daemon(['--config', cfg, '--cgroup', cg.path, '-m', '20,5']);
    // Grows to about 215 MiB in all: available about 15 %, between the TERM (20 %) and KILL (5 %) levels.
    const g = await sandbox.startHog({
      cgroup: cg,
      sizeMiB: 10,
      pushMiB: 135,
      rateMiBPerSec: 100,
      growNow: true,
      ignoreTerm: true,
    });
    const term = await d.waitFor((e) => e.event === 'signal' && e.signal === 'SIGTERM', 15000);
    assert.equal(term.pid, g.pid);
    const kill = await d.waitFor((e) => e.event === 'signal' && e.signal === 'SIGKILL', 10000);
    assert.equal(kill.pid, g.pid);
    const waited = Date.parse(String(kill.time)) - Date.parse(String(term.time));
    assert.ok(waited >= 1000 && waited < 3000, `SIGKILL came ${waited} ms after SIGTERM (grace 1 s)`);
    assert.equal(await waitExit(g), 'SIGKILL');
    assert.ok(alive(a));
    assert.equal(cg.oomKills(), 0);
    checkScope(d, [g]);
    await d.stop();
  });

  // Three processes of distinct names and sizes, memory "short" at once (TERM at 90 % available); the
  // victim is whoever the rules make it. Under a 256 MiB limit one adj point is worth trunc(65536/1000) = 65
  // pages, so a rule's 300 points are 19500 pages (76 MiB).
  const ruleCases: { name: string; toml: string; victim: 'big' | 'mid' | 'small' }[] = [
    { name: 'no rules: the largest', toml: '', victim: 'big' },
    {
      name: 'prefer the smallest (+300 points)',
      toml: '[[rules]]\naction = "prefer"\ncomm = "^small$"\n',
      victim: 'small',
    },
    {
      name: 'avoid the largest (-300 points)',
      toml: '[[rules]]\naction = "avoid"\ncomm = "^big$"\n',
      victim: 'mid',
    },
    { name: 'ignore the largest', toml: '[[rules]]\naction = "ignore"\ncomm = "^big$"\n', victim: 'mid' },
    {
      name: 'protect the two largest',
      toml: '[[rules]]\naction = "protect"\ncomm = "^(big|mid)$"\n',
      victim: 'small',
    },
  ];
  for (const rc of ruleCases) {
    test(`rules: ${rc.name}`, async () => {
      const cg = sandbox.createMemcg('daemon-rules', 256 * MiB);
      const hogs = {
        big: await sandbox.startHog({ cgroup: cg, sizeMiB: 60, name: 'big' }),
        mid: await sandbox.startHog({ cgroup: cg, sizeMiB: 40, name: 'mid' }),
        small: await sandbox.startHog({ cgroup: cg, sizeMiB: 20, name: 'small' }),
      };
      const cfg = configFile(`[action]\ncooldown = "60s"\n${rc.toml}`);
      const d = await daemon(['--config', cfg, '--cgroup', cg.path, '-m', '90,1']);
      const sig = await d.waitFor((e) => e.event === 'signal', 10000);
      assert.equal(sig.pid, hogs[rc.victim].pid, `expected ${rc.victim}, got ${sig.comm}`);
      assert.equal(await waitExit(hogs[rc.victim]), 'SIGTERM');
      await d.stop();
      for (const [name, h] of Object.entries(hogs))
        if (name !== rc.victim) assert.ok(alive(h), `${name} lives`);
      checkScope(d, [hogs[rc.victim]]);
    });
  }

  test('process-group unit: the victim and its group, nobody else', async () => {
    const cg = sandbox.createMemcg('daemon-pgrp', 256 * MiB);
    // setpgid(0, 0): a group of its own in this session, so the member can join it.
    const leader = await sandbox.startHog({ cgroup: cg, sizeMiB: 50, pgid: 0, name: 'leader' });
    const member = await sandbox.startHog({ cgroup: cg, sizeMiB: 10, pgid: leader.pid, name: 'member' });
    const other = await sandbox.startHog({ cgroup: cg, sizeMiB: 30, name: 'other' });
    const cfg = configFile('[action]\nunit = "process-group"\ncooldown = "60s"\n');
    const d = await daemon(['--config', cfg, '--cgroup', cg.path, '-m', '90,1']);
    await d.waitFor((e) => e.event === 'exit', 10000);
    assert.equal(await waitExit(leader), 'SIGTERM');
    assert.equal(await waitExit(member), 'SIGTERM');
    await d.stop();
    assert.ok(alive(other), 'the process outside the group lives');
    assert.deepEqual(d.signalledPids().sort(), [leader.pid, member.pid].sort());
    checkScope(d, [leader, member]);
  });

  test('cgroup unit: every process of the victim’s cgroup, not its sibling cgroup', async () => {
    const scope = sandbox.createMemcg('daemon-cg', 256 * MiB);
    const left: TestCgroup = sandbox.createMemcg('left', null, scope);
    const right: TestCgroup = sandbox.createMemcg('right', null, scope);
    const l1 = await sandbox.startHog({ cgroup: left, sizeMiB: 50, name: 'left-1' });
    const l2 = await sandbox.startHog({ cgroup: left, sizeMiB: 10, name: 'left-2' });
    const r1 = await sandbox.startHog({ cgroup: right, sizeMiB: 40, name: 'right-1' });
    const cfg = configFile('[action]\nunit = "cgroup"\ncooldown = "60s"\n');
    // KILL level right away: the cgroup unit's SIGKILL path (v1: every member signalled).
    const d = await daemon(['--config', cfg, '--cgroup', scope.path, '-m', '95,90']);
    await d.waitFor((e) => e.event === 'exit', 10000);
    assert.equal(await waitExit(l1), 'SIGKILL');
    assert.equal(await waitExit(l2), 'SIGKILL');
    await d.stop();
    assert.ok(alive(r1), 'the sibling cgroup lives');
    assert.deepEqual(d.signalledPids().sort(), [l1.pid, l2.pid].sort());
    checkScope(d, [l1, l2]);
  });

  test('--dry-run sends no signal and logs the kill it would have made', async () => {
    const cg = sandbox.createMemcg('daemon-dry', 256 * MiB);
    const big = await sandbox.startHog({ cgroup: cg, sizeMiB: 60, name: 'big' });
    const small = await sandbox.startHog({ cgroup: cg, sizeMiB: 20, name: 'small' });
    const d = await daemon(['--dry-run', '--cgroup', cg.path, '-m', '95,90']);
    const sig = await d.waitFor((e) => e.event === 'signal', 10000);
    assert.equal(sig.dryRun, true);
    assert.equal(sig.pid, big.pid);
    assert.equal(sig.signal, 'SIGKILL');
    assert.match(sig.msg, /^dry run: would send SIGKILL to pid \d+ \(big\)/);
    await new Promise((r) => setTimeout(r, 1500));
    await d.stop();
    assert.ok(alive(big) && alive(small), 'nobody was signalled');
    assert.deepEqual(d.signalledPids(), []);
    checkScope(d, []);
  });

  test("logs the kernel's own OOM kills in its scope, decoded from the kernel log", async () => {
    const cg = sandbox.createMemcg('daemon-kernel', 64 * MiB);
    // Levels so low the kernel should strike first (1 % of 64 MiB is under a page-table's worth); a dry run,
    // because should a look still catch the last 1 % (the usage threshold wakes it at once), a real kill would
    // take the kernel's away.
    const d = await daemon(['--dry-run', '--cgroup', cg.path, '-m', '1,1']);
    const h = await sandbox.startHog({
      cgroup: cg,
      sizeMiB: 8,
      pushMiB: 200,
      growNow: true,
      name: 'runaway',
    });
    assert.equal(await waitExit(h), 'SIGKILL');
    const fromLog = await d.waitFor((e) => e.event === 'kernel-oom' && e.pid === h.pid, 10000);
    assert.equal(fromLog.comm, 'runaway');
    assert.equal(fromLog.memcg, cg.path);
    assert.equal(fromLog.constraint, 'CONSTRAINT_MEMCG');
    assert.equal(fromLog.modelVerdict, 'agrees');
    const fromCounter = await d.waitFor((e) => e.event === 'kernel-oom' && e.cgroup === cg.path, 10000);
    assert.equal(fromCounter.count, 1);
    assert.equal(cg.oomKills(), 1);
    assert.deepEqual(d.signalledPids(), [], 'the daemon itself signalled nobody');
    await d.stop();
  });
});
