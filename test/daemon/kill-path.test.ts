// The kill path on fake time: SIGTERM → grace → SIGKILL, standing down when memory comes back, the cooldown,
// one victim per shortage, PID reuse, dry run and hooks. 1000 MiB of RAM: TERM at 100 MiB, KILL at 50 MiB.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MIB, rig } from './harness.js';

describe('escalation: SIGTERM, grace, SIGKILL', () => {
  it('a victim that ignores SIGTERM gets SIGKILL exactly graceMs later', async () => {
    const r = rig({ host: { memAvailable: 80 * MIB }, config: { graceMs: 1234 } });
    r.host.add({ pid: 100, comm: 'stubborn', rssAnon: 300 * MIB, script: { ignoresSigterm: true } });
    await r.daemon.tick();
    assert.deepEqual(r.signals(), [
      { at: 0, pid: 100, signal: 'SIGTERM' },
      { at: 1234, pid: 100, signal: 'SIGKILL' },
    ]);
    assert.deepEqual(r.actions.delivered, [
      { pid: 100, startTicks: 1000, sig: 'SIGTERM' },
      { pid: 100, startTicks: 1000, sig: 'SIGKILL' },
    ]);
    assert.deepEqual(
      r.named('still-alive').map((e) => [e.at, e.message]),
      [[1234, 'pid 100 (stubborn) still alive after 1234 ms: escalating to SIGKILL']],
    );
    assert.deepEqual(r.daemon.kills, [
      { result: 'exited', signal: 'SIGKILL', signalled: [100], elapsedMs: 1234 },
    ]);
  });

  it('a victim that exits on SIGTERM gets no SIGKILL', async () => {
    const r = rig({ host: { memAvailable: 80 * MIB } });
    r.host.add({ pid: 100, comm: 'polite', rssAnon: 300 * MIB, script: { exitsAfterMs: 300 } });
    await r.daemon.tick();
    assert.deepEqual(r.signals(), [{ at: 0, pid: 100, signal: 'SIGTERM' }]);
    assert.deepEqual(
      r.named('exit').map((e) => [e.at, e.message]),
      [[300, 'pid 100 (polite) exited 300 ms after the first signal']],
    );
    assert.deepEqual(r.daemon.kills, [
      { result: 'exited', signal: 'SIGTERM', signalled: [100], elapsedMs: 300 },
    ]);
  });

  it('memory reaching the KILL level during the grace brings SIGKILL at once', async () => {
    const r = rig({ host: { memAvailable: 80 * MIB }, config: { graceMs: 5000 } });
    r.host.add({ pid: 100, comm: 'stubborn', rssAnon: 300 * MIB, script: { ignoresSigterm: true } });
    r.clock.at(700, () => r.host.setMemAvailable(40 * MIB));
    await r.daemon.tick();
    assert.deepEqual(r.signals(), [
      { at: 0, pid: 100, signal: 'SIGTERM' },
      { at: 700, pid: 100, signal: 'SIGKILL' },
    ]);
    assert.match(r.named('still-alive')[0]?.message ?? '', /still alive and memory is critically short/);
  });

  it('memory recovering during the grace spares the victim: no SIGKILL', async () => {
    const r = rig({ host: { memAvailable: 80 * MIB }, config: { graceMs: 5000 } });
    r.host.add({ pid: 100, comm: 'stubborn', rssAnon: 300 * MIB, script: { ignoresSigterm: true } });
    r.clock.at(700, () => r.host.setMemAvailable(500 * MIB));
    await r.daemon.tick();
    assert.deepEqual(r.signals(), [{ at: 0, pid: 100, signal: 'SIGTERM' }]);
    assert.deepEqual(r.actions.delivered, [{ pid: 100, startTicks: 1000, sig: 'SIGTERM' }]);
    assert.deepEqual(r.daemon.kills, [
      { result: 'spared', signal: 'SIGTERM', signalled: [100], elapsedMs: 5000 },
    ]);
    assert.deepEqual(
      r.named('recovered').map((e) => e.at),
      [5000],
    );
    assert.equal(r.actions.isRunning(100, 1000), true);
  });
});

describe('one shortage, one victim', () => {
  it('stand-down: memory back between the look and the re-check → no signal at all', async () => {
    const r = rig({ host: { memAvailable: 80 * MIB } });
    r.host.add({ pid: 100, comm: 'hog', rssAnon: 300 * MIB });
    // The ranking sample (the one with processes) is taken between the look and the executor's re-check.
    r.host.beforeSample = (o) => {
      if (o.processes !== false) r.host.setMemAvailable(500 * MIB);
    };
    await r.daemon.tick();
    assert.deepEqual(r.actions.calls, []);
    assert.deepEqual(
      r.named('stand-down').map((e) => e.message),
      ['memory recovered before acting; pid 100 (hog) spared'],
    );
    assert.equal(r.daemon.kills[0]?.result, 'stood-down');
  });

  it('cooldown: no second victim within cooldownMs although memory stays short; the next one after it', async () => {
    const r = rig({ host: { memAvailable: 80 * MIB }, config: { cooldownMs: 5000, recoveryWaitMs: 2000 } });
    // Their exits give nothing back: memory stays at the TERM level.
    r.host.add({ pid: 100, comm: 'first', rssAnon: 300 * MIB, freesBytes: 0 });
    r.host.add({ pid: 200, comm: 'second', rssAnon: 200 * MIB, freesBytes: 0 });
    await r.runFor(10_000);
    // Exit at 0, then 2000 ms waiting for memory to return, then 5000 ms of cooldown: the next kill at 7000.
    assert.deepEqual(r.signals(), [
      { at: 0, pid: 100, signal: 'SIGTERM' },
      { at: 7000, pid: 200, signal: 'SIGTERM' },
    ]);
    assert.deepEqual(
      r.named('trigger').map((e) => e.at),
      [0, 7000],
    );
  });

  it('the memory returns after the exit → exactly one kill, however long the daemon runs', async () => {
    const r = rig({ host: { memAvailable: 80 * MIB } });
    r.host.add({ pid: 100, comm: 'first', rssAnon: 300 * MIB, script: { exitsAfterMs: 200 } });
    r.host.add({ pid: 200, comm: 'second', rssAnon: 200 * MIB });
    await r.runFor(60_000);
    assert.deepEqual(r.actions.delivered, [{ pid: 100, startTicks: 1000, sig: 'SIGTERM' }]);
    assert.deepEqual(r.named('trigger').length, 1);
    assert.equal(r.host.has(200), true);
    assert.equal(r.host.memAvailable, 380 * MIB);
  });

  it('PID reused between the pin and the signal: the new process is not signalled; stand-down, no cooldown', async () => {
    const r = rig({ host: { memAvailable: 40 * MIB } });
    r.host.add({ pid: 100, comm: 'hog', rssAnon: 300 * MIB, script: { reusedBeforeSignal: true } });
    await r.daemon.tick();
    assert.deepEqual(r.actions.delivered, []);
    assert.equal(r.actions.isRunning(100, 1001), true, 'the new owner of PID 100 runs on');
    assert.deepEqual(
      r.actions.calls.filter((c) => c.op === 'signal'),
      [{ op: 'signal', pid: 100, sig: 'SIGKILL', outcome: 'gone' }],
    );
    assert.deepEqual(r.named('signal'), []);
    assert.deepEqual(
      r.named('stand-down').map((e) => e.message),
      ['pid 100 (hog) exited before the signal: nobody signalled'],
    );
    assert.deepEqual(r.daemon.kills, [{ result: 'gone', signal: null, signalled: [], elapsedMs: 0 }]);
    assert.deepEqual(r.named('cooldown'), []);
  });
});

describe('dry run and hooks', () => {
  const pre = { path: '/usr/local/bin/pre', args: ['--x'], timeoutMs: 200 };
  const post = { path: '/usr/local/bin/post', args: [], timeoutMs: 10_000 };

  it('dry run: no signal, a "would send" event with dryRun true, hooks run with OOMGUARD_DRY_RUN=1', async () => {
    const r = rig({
      host: { memAvailable: 80 * MIB },
      config: { dryRun: true, preKillHook: pre, postKillHook: post },
    });
    r.host.add({ pid: 100, comm: 'hog', rssAnon: 300 * MIB });
    await r.daemon.tick();
    assert.deepEqual(r.actions.calls, [], 'not even a pin');
    assert.deepEqual(r.actions.delivered, []);
    const sig = r.named('signal');
    assert.equal(sig.length, 1);
    assert.equal(sig[0]?.fields?.dryRun, true);
    assert.equal(sig[0]?.fields?.signal, 'SIGTERM');
    assert.match(sig[0]?.message ?? '', /^dry run: would send SIGTERM to pid 100 \(hog\): /);
    assert.deepEqual(
      r.hookCalls.map((h) => [h.path, h.env.OOMGUARD_EVENT, h.env.OOMGUARD_DRY_RUN]),
      [
        ['/usr/local/bin/pre', 'pre-kill', '1'],
        ['/usr/local/bin/post', 'post-kill', '1'],
      ],
    );
    assert.equal(r.daemon.kills[0]?.result, 'dry-run');
    assert.equal(r.host.has(100), true);
  });

  it('pre and post hooks get the victim facts with exact values, pre before the signal and post after it', async () => {
    const r = rig({ host: { memAvailable: 80 * MIB }, config: { preKillHook: pre, postKillHook: post } });
    r.host.add({
      pid: 4321,
      comm: 'hog; rm -rf',
      uid: 1234,
      cgroup: '/user.slice/hog',
      rssAnon: 200 * MIB,
      rssFile: 60 * MIB,
      rssShmem: 40 * MIB,
      argv: ['hog', '--size', '300 M', '$(reboot)'],
      script: { exitsAfterMs: 100 },
    });
    await r.daemon.tick();
    const reason =
      'memory available 80 MiB = 8 % (MemAvailable of MemTotal; term ≤ 10 %, kill ≤ 5 %); ' +
      'no swap: memory alone decides → term: memory at the term level';
    const env = (event: string) => ({
      OOMGUARD_EVENT: event,
      OOMGUARD_PID: '4321',
      OOMGUARD_NAME: 'hog; rm -rf',
      OOMGUARD_CMDLINE: 'hog --size 300 M $(reboot)',
      OOMGUARD_UID: '1234',
      OOMGUARD_CGROUP: '/user.slice/hog',
      OOMGUARD_RSS_BYTES: '314572800',
      OOMGUARD_SIGNAL: 'SIGTERM',
      OOMGUARD_REASON: reason,
      OOMGUARD_DRY_RUN: '0',
      EARLYOOM_PID: '4321',
      EARLYOOM_NAME: 'hog; rm -rf',
      EARLYOOM_CMDLINE: 'hog --size 300 M $(reboot)',
      EARLYOOM_UID: '1234',
    });
    assert.deepEqual(r.hookCalls, [
      { at: 0, path: '/usr/local/bin/pre', env: env('pre-kill'), deliveredBefore: 0 },
      { at: 100, path: '/usr/local/bin/post', env: env('post-kill'), deliveredBefore: 1 },
    ]);
    assert.deepEqual(
      r.named('hook').map((e) => e.message),
      ['pre-kill hook /usr/local/bin/pre exited 0', 'post-kill hook /usr/local/bin/post exited 0'],
    );
  });

  it('a hook that times out is logged as a warning and the kill goes on', async () => {
    const r = rig({
      host: { memAvailable: 80 * MIB },
      config: { preKillHook: pre },
      hookResult: { code: null, signal: 'SIGKILL', timedOut: true, output: '' },
    });
    r.host.add({ pid: 100, comm: 'hog', rssAnon: 300 * MIB });
    await r.daemon.tick();
    assert.deepEqual(
      r.named('hook').map((e) => [e.level, e.message]),
      [['warning', 'pre-kill hook /usr/local/bin/pre timed out after 200 ms']],
    );
    assert.deepEqual(r.actions.delivered, [{ pid: 100, startTicks: 1000, sig: 'SIGTERM' }]);
  });
});
