// Whom the daemon signals: rules, the processes it never touches, the --cgroup scope, the kill units, and
// the executor's last word on safety. 1000 MiB of RAM, 40 MiB available: the KILL level, so one SIGKILL each.
// On 1000 MiB (256000 pages) one oom_score_adj point is worth trunc(256000 / 1000) = 256 pages = 1 MiB, so a
// ±300 rule weighs like 300 MiB of memory.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Executor } from '../../src/daemon/executor.js';
import { type KillPlan, toTarget } from '../../src/policy/kill-plan.js';
import { MIB, type Rig, rig, rule } from './harness.js';

const SHORT = { memAvailable: 40 * MIB };

/** big 300 MiB (uid 1000), mid 250 MiB (uid 1001, user bob), small 100 MiB (runs `worker --batch`). */
function three(r: Rig): void {
  r.host.add({ pid: 100, comm: 'big', rssAnon: 300 * MIB });
  r.host.add({ pid: 200, comm: 'mid', uid: 1001, rssAnon: 250 * MIB });
  r.host.add({ pid: 300, comm: 'small', rssAnon: 100 * MIB, argv: ['worker', '--batch'] });
}

async function victimWith(rules: Parameters<typeof rule>[] = []): Promise<number[]> {
  const r = rig({
    host: SHORT,
    config: { rules: rules.map((a) => rule(...a)) },
    users: new Map([[1001, 'bob']]),
  });
  three(r);
  await r.daemon.tick();
  return r.actions.delivered.map((d) => d.pid);
}

describe('rules change the victim', () => {
  it('no rule: the largest (badness 76800 pages)', async () => {
    assert.deepEqual(await victimWith(), [100]);
  });

  it('prefer small: 25600 + 300 × 256 = 102400 pages beats 76800', async () => {
    assert.deepEqual(await victimWith([['prefer', { comm: '^small$' }]]), [300]);
  });

  it('prefer by command line (a fact read from the host)', async () => {
    assert.deepEqual(await victimWith([['prefer', { cmdline: '--batch' }]]), [300]);
  });

  it('avoid big: 76800 − 76800 = 0 pages, mid (64000) goes first', async () => {
    assert.deepEqual(await victimWith([['avoid', { comm: '^big$' }]]), [200]);
  });

  it('ignore big, protect big: mid instead', async () => {
    assert.deepEqual(await victimWith([['ignore', { comm: '^big$' }]]), [200]);
    assert.deepEqual(await victimWith([['protect', { comm: '^big$' }]]), [200]);
  });

  it('protect by user name and by uid', async () => {
    assert.deepEqual(
      await victimWith([
        ['protect', { comm: '^big$' }],
        ['protect', { user: '^bob$' }],
      ]),
      [300],
    );
    assert.deepEqual(
      await victimWith([
        ['ignore', { uid: 1000, comm: '^big$' }],
        ['ignore', { uid: 1001 }],
      ]),
      [300],
    );
  });
});

describe('never signalled: oomguard itself, host init, kernel threads, oom_score_adj -1000', () => {
  function world(withEligible: boolean): Rig {
    const r = rig({ host: { ...SHORT, selfPid: 4 } });
    r.host.add({ pid: 1, comm: 'init', rssAnon: 900 * MIB });
    r.host.add({ pid: 2, comm: 'kworker', kthread: true, rssAnon: 800 * MIB });
    r.host.add({ pid: 3, comm: 'sshd', oomScoreAdj: -1000, rssAnon: 700 * MIB });
    r.host.add({ pid: 4, comm: 'oomguard', rssAnon: 600 * MIB });
    if (withEligible) r.host.add({ pid: 5, comm: 'tiny', rssAnon: 1 * MIB });
    return r;
  }

  it('the 1 MiB process is chosen over four far larger ones that may not be touched', async () => {
    const r = world(true);
    await r.daemon.tick();
    assert.deepEqual(r.actions.delivered, [{ pid: 5, startTicks: 50, sig: 'SIGKILL' }]);
  });

  it('when only those are left: no victim, no pin, a warning', async () => {
    const r = world(false);
    assert.equal(await r.daemon.tick(), 1000);
    assert.deepEqual(r.actions.calls, []);
    assert.deepEqual(
      r.named('no-victim').map((e) => e.message),
      ['no eligible process in / (4 candidates, all excluded)'],
    );
  });
});

describe('--cgroup scope', () => {
  it('judges the scope by its limit and signals nothing outside it, not even a member of the victim’s process group', async () => {
    const r = rig({
      // The system has plenty; the scope has 500 − 480 = 20 MiB left (4 %, the KILL level).
      host: { memAvailable: 900 * MIB },
      config: { scopeCgroup: '/oomguard-test-a', killUnit: 'process-group' },
    });
    r.host.addCgroup('/oomguard-test-a', { limit: 500 * MIB, usage: 480 * MIB });
    r.host.addCgroup('/other');
    r.host.add({ pid: 10, comm: 'outsider', cgroup: '/other', rssAnon: 900 * MIB });
    r.host.add({ pid: 20, comm: 'inside', cgroup: '/oomguard-test-a', pgid: 20, rssAnon: 300 * MIB });
    r.host.add({ pid: 21, comm: 'groupmate', cgroup: '/other', pgid: 20, rssAnon: 50 * MIB });
    await r.daemon.tick();
    assert.deepEqual(r.actions.delivered, [{ pid: 20, startTicks: 200, sig: 'SIGKILL' }]);
    assert.deepEqual(
      r.actions.calls.filter((c) => c.op === 'pin').map((c) => c.pid),
      [20],
    );
  });
});

describe('kill units', () => {
  it('process group: exactly the processes with the victim’s pgid, protected ones spared and listed', async () => {
    const r = rig({
      host: SHORT,
      config: { killUnit: 'process-group', rules: [rule('protect', { comm: '^keeper$' })] },
    });
    r.host.add({ pid: 30, comm: 'leader', pgid: 30, rssAnon: 400 * MIB });
    r.host.add({ pid: 31, comm: 'helper', pgid: 30, rssAnon: 50 * MIB });
    r.host.add({ pid: 32, comm: 'keeper', pgid: 30, rssAnon: 20 * MIB });
    r.host.add({ pid: 33, comm: 'stranger', pgid: 33, rssAnon: 10 * MIB });
    r.host.add({ pid: 34, comm: 'zombie', pgid: 30, hasMm: false });
    await r.daemon.tick();
    assert.deepEqual(r.actions.delivered, [
      { pid: 30, startTicks: 300, sig: 'SIGKILL' },
      { pid: 31, startTicks: 310, sig: 'SIGKILL' },
    ]);
    assert.deepEqual(
      r.named('warning').map((e) => e.message),
      ['sparing pid 32 (keeper) of the process-group: protected by rules[0]'],
    );
    assert.deepEqual(r.daemon.kills[0]?.signalled, [30, 31]);
  });

  it('cgroup: nobody protected → one killCgroup of its directory, subtree included', async () => {
    const r = rig({ host: SHORT, config: { killUnit: 'cgroup' } });
    r.host.addCgroup('/job');
    r.host.addCgroup('/job/sub');
    r.host.add({ pid: 40, comm: 'main', cgroup: '/job', rssAnon: 400 * MIB });
    r.host.add({ pid: 41, comm: 'side', cgroup: '/job', rssAnon: 100 * MIB });
    r.host.add({ pid: 42, comm: 'deep', cgroup: '/job/sub', rssAnon: 50 * MIB });
    r.host.add({ pid: 50, comm: 'elsewhere', rssAnon: 10 * MIB });
    await r.daemon.tick();
    assert.deepEqual(
      r.actions.calls.filter((c) => c.op === 'killCgroup' || c.op === 'signal'),
      [{ op: 'killCgroup', dir: '/fake/job', result: { signalled: [40, 41, 42], method: 'cgroup.kill' } }],
    );
    assert.deepEqual(
      r.actions.delivered.map((d) => d.pid),
      [40, 41, 42],
    );
    assert.equal(r.host.has(50), true);
  });

  it('cgroup with a protected member: each allowed member is signalled, the protected one is not', async () => {
    const r = rig({
      host: SHORT,
      config: { killUnit: 'cgroup', rules: [rule('protect', { comm: '^side$' })] },
    });
    r.host.addCgroup('/job');
    r.host.addCgroup('/job/sub');
    r.host.add({ pid: 40, comm: 'main', cgroup: '/job', rssAnon: 400 * MIB });
    r.host.add({ pid: 41, comm: 'side', cgroup: '/job', rssAnon: 100 * MIB });
    r.host.add({ pid: 42, comm: 'deep', cgroup: '/job/sub', rssAnon: 50 * MIB });
    await r.daemon.tick();
    assert.deepEqual(
      r.actions.calls.filter((c) => c.op === 'killCgroup'),
      [],
    );
    assert.deepEqual(
      r.actions.delivered.map((d) => [d.pid, d.sig]),
      [
        [40, 'SIGKILL'],
        [42, 'SIGKILL'],
      ],
    );
    assert.equal(r.host.has(41), true);
  });

  it('cgroup unit for a victim in the root cgroup: the victim alone, never the whole machine', async () => {
    const r = rig({ host: SHORT, config: { killUnit: 'cgroup' } });
    r.host.add({ pid: 60, comm: 'hog', rssAnon: 400 * MIB });
    r.host.add({ pid: 61, comm: 'bystander', rssAnon: 100 * MIB });
    await r.daemon.tick();
    assert.deepEqual(r.actions.delivered, [{ pid: 60, startTicks: 600, sig: 'SIGKILL' }]);
    assert.deepEqual(
      r.actions.calls.filter((c) => c.op === 'killCgroup'),
      [],
    );
  });
});

describe('the executor’s last word', () => {
  /** A plan made by hand, past the selection and planKill, which would never produce it. */
  function handPlan(r: Rig, pids: number[]): KillPlan {
    const snap = r.host.sample({ processes: true });
    const targets = pids.map((pid) =>
      toTarget(snap.processes.find((p) => p.pid === pid) ?? assert.fail(`no ${pid}`)),
    );
    const victim = targets[0] ?? assert.fail('no target');
    return { unit: 'process-group', victim, targets, cgroup: null, wholeCgroup: false, spared: [] };
  }
  const executorOf = (r: Rig) => (r.daemon as unknown as { executor: Executor }).executor;

  it('refuses oomguard itself, host init and a protected process, and signals the rest', async () => {
    const r = rig({
      host: { ...SHORT, selfPid: 4242 },
      config: { rules: [rule('protect', { comm: '^keeper$' })] },
    });
    r.host.add({ pid: 1, comm: 'init', rssAnon: 10 * MIB });
    r.host.add({ pid: 4242, comm: 'oomguard', rssAnon: 900 * MIB });
    r.host.add({ pid: 500, comm: 'keeper', rssAnon: 800 * MIB });
    r.host.add({ pid: 600, comm: 'hog', rssAnon: 10 * MIB, script: { ignoresSigterm: true } });
    r.host.add({ pid: 700, comm: 'lesser', rssAnon: 5 * MIB, script: { ignoresSigterm: true } });
    // A first tick kills the largest eligible process and leaves the daemon its latest process table.
    await r.daemon.tick();
    assert.deepEqual(r.actions.delivered, [{ pid: 600, startTicks: 6000, sig: 'SIGKILL' }]);
    const report = await executorOf(r).execute(handPlan(r, [4242, 1, 500, 700]), 'kill', 'test', () => 'why');
    assert.deepEqual(
      r.named('warning').map((e) => e.message),
      [
        'refused to signal pid 4242 (oomguard): oomguard itself',
        'refused to signal pid 1 (init): host init',
        'refused to signal pid 500 (keeper): protected by rules[0]',
      ],
    );
    assert.deepEqual(
      r.actions.calls.filter((c) => c.op === 'pin').map((c) => c.pid),
      [600, 700],
    );
    assert.deepEqual(
      r.actions.delivered.map((d) => d.pid),
      [600, 700],
    );
    assert.equal(report.result, 'exited');
  });

  it('a plan of oomguard alone: nothing pinned, nothing signalled, result gone — also in dry run', async () => {
    for (const dryRun of [false, true]) {
      const r = rig({ host: { ...SHORT, selfPid: 4242 }, config: { dryRun } });
      r.host.add({ pid: 4242, comm: 'oomguard', rssAnon: 900 * MIB });
      r.host.add({ pid: 600, comm: 'hog', rssAnon: 10 * MIB });
      await r.daemon.tick();
      r.events.length = 0;
      const report = await executorOf(r).execute(handPlan(r, [4242]), 'kill', 'test', () => 'why');
      assert.deepEqual(
        r.named('warning').map((e) => e.message),
        ['refused to signal pid 4242 (oomguard): oomguard itself'],
      );
      assert.deepEqual(r.named('signal'), [], `dry run ${dryRun}: no "would send" either`);
      assert.equal(r.actions.isRunning(4242), true);
      assert.equal(report.result, dryRun ? 'dry-run' : 'gone');
    }
  });
});
