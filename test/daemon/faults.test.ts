// Faults on fake time: victims that never exit (uninterruptible sleep), zombies, EPERM and ESRCH on signals,
// the watched cgroup removed mid-scan, /proc reads that fail, PSI absent, kernels without pidfd or
// process_mrelease. In each the daemon reports what happened and carries on; it never signals anyone else.
// 1000 MiB of RAM: TERM at 100 MiB available, KILL at 50 MiB.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { describe, it } from 'node:test';
import { DEFAULT_CONFIG } from '../../src/config/defaults.js';
import type { DaemonConfig } from '../../src/config/types.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { LinuxActions } from '../../src/host/linux/linux-actions.js';
import type { NativeCalls } from '../../src/host/linux/native.js';
import { parseProcStat } from '../../src/host/linux/parse/proc-stat.js';
import { HostReadError } from '../../src/model/errors.js';
import type { DaemonEvent } from '../../src/observe/events.js';
import { FakeActions } from '../helpers/fake-actions.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { FakeHost } from '../helpers/fake-host.js';
import { HOOK_OK, MIB, rig } from './harness.js';

const TIMING = { graceMs: 1000, recoveryWaitMs: 2000, cooldownMs: 5000 };

describe('victims that do not die', () => {
  it('uninterruptible sleep: SIGTERM, SIGKILL, "still-alive", and the daemon carries on', async () => {
    const r = rig({ host: { memAvailable: 80 * MIB }, config: TIMING });
    r.host.add({
      pid: 100,
      comm: 'stuck-in-D',
      rssAnon: 300 * MIB,
      script: { ignoresSigterm: true, killExitsAfterMs: Number.POSITIVE_INFINITY },
    });
    r.host.add({ pid: 200, comm: 'bystander', rssAnon: 10 * MIB });
    await r.daemon.tick();
    assert.deepEqual(r.signals(), [
      { at: 0, pid: 100, signal: 'SIGTERM' },
      { at: 1000, pid: 100, signal: 'SIGKILL' },
    ]);
    assert.deepEqual(
      r.named('still-alive').map((e) => [e.at, e.message]),
      [
        [1000, 'pid 100 (stuck-in-D) still alive after 1000 ms: escalating to SIGKILL'],
        [3000, 'pid 100 (stuck-in-D) did not exit within 2000 ms of SIGKILL'],
      ],
    );
    assert.deepEqual(r.daemon.kills, [
      { result: 'still-alive', signal: 'SIGKILL', signalled: [100], elapsedMs: 3000 },
    ]);
    // It goes on looking: after the 5 s cooldown the same shortage is acted on again, still only on pid 100.
    await r.runFor(10_000);
    assert.equal(r.named('error').length, 0);
    assert.equal(r.named('stop').length, 1);
    assert.ok(r.daemon.kills.length >= 2, `${r.daemon.kills.length} kill attempts`);
    assert.ok(r.actions.delivered.every((d) => d.pid === 100));
    const attempts = r.named('trigger').map((e) => e.at);
    for (let i = 1; i < r.daemon.kills.length; i++) {
      assert.ok((attempts[i] ?? 0) - (attempts[i - 1] ?? 0) >= 5000, 'a new attempt only after the cooldown');
    }
  });

  it('zombies are never chosen; with only zombies left there is no victim', async () => {
    const r = rig({ host: { memAvailable: 80 * MIB }, config: TIMING });
    r.host.add({ pid: 300, comm: 'zombie', state: 'Z', hasMm: false });
    await r.daemon.tick();
    assert.deepEqual(r.signals(), []);
    assert.equal(r.named('no-victim').length, 1);
    r.host.add({ pid: 100, comm: 'alive', rssAnon: 50 * MIB, script: { exitsAfterMs: 10 } });
    await r.daemon.tick();
    assert.deepEqual(
      r.signals().map((s) => s.pid),
      [100],
    );
    assert.ok(r.actions.delivered.every((d) => d.pid !== 300));
  });
});

describe('signals that fail', () => {
  it('EPERM: each signal is reported as denied, none reaches anyone, the daemon carries on', async () => {
    const r = rig({ host: { memAvailable: 80 * MIB }, config: TIMING });
    r.host.add({ pid: 100, comm: 'not-mine', rssAnon: 300 * MIB, script: { denied: true } });
    await r.daemon.tick();
    assert.deepEqual(r.actions.delivered, []);
    assert.deepEqual(
      r.named('warning').map((e) => [e.at, e.message]),
      [
        [0, 'SIGTERM to pid 100 (not-mine) not sent: denied'],
        [1000, 'SIGKILL to pid 100 (not-mine) not sent: denied'],
      ],
    );
    assert.deepEqual(r.daemon.kills, [
      { result: 'still-alive', signal: 'SIGKILL', signalled: [], elapsedMs: 3000 },
    ]);
    await r.runFor(2000);
    assert.equal(r.named('error').length, 0);
  });

  it('ESRCH: the victim exits and its PID is reused before the signal; nobody is signalled', async () => {
    const r = rig({ host: { memAvailable: 80 * MIB }, config: TIMING });
    r.host.add({ pid: 100, comm: 'leaver', rssAnon: 300 * MIB, script: { reusedBeforeSignal: true } });
    await r.daemon.tick();
    assert.deepEqual(r.actions.delivered, []);
    assert.deepEqual(
      r.events.filter((e) => e.event === 'warning' || e.event === 'stand-down').map((e) => e.message),
      [
        'SIGTERM to pid 100 (leaver) not sent: gone',
        'pid 100 (leaver) exited before the signal: nobody signalled',
      ],
    );
    assert.deepEqual(r.daemon.kills, [{ result: 'gone', signal: null, signalled: [], elapsedMs: 0 }]);
  });
});

describe('reads that fail', () => {
  it('the watched cgroup removed: an error each look, no signal, and it resumes when the cgroup is back', async () => {
    const r = rig({ config: { ...TIMING, scopeCgroup: '/job' } });
    r.host.addCgroup('/job', { usage: 100 * MIB, limit: 1000 * MIB });
    r.host.add({ pid: 100, comm: 'worker', rssAnon: 100 * MIB, cgroup: '/job' });
    r.clock.at(2500, () => r.host.removeCgroup('/job'));
    r.clock.at(6000, () => r.host.addCgroup('/job', { usage: 100 * MIB, limit: 1000 * MIB }));
    await r.runFor(12_000);
    const errors = r.named('error');
    assert.ok(errors.length >= 2, `${errors.length} errors`);
    for (const e of errors) {
      assert.equal(e.message, 'cannot read memory: no such memory cgroup: /job');
      assert.ok(e.at >= 2500 && e.at <= 6000, `error at ${e.at}`);
    }
    assert.deepEqual(r.signals(), []);
    assert.equal(r.named('stop').length, 1);
  });

  it('the watched cgroup removed between the look and the scan: an error, no signal', async () => {
    const r = rig({ config: { ...TIMING, scopeCgroup: '/job' } });
    r.host.addCgroup('/job', { usage: 950 * MIB, limit: 1000 * MIB });
    r.host.add({ pid: 100, comm: 'worker', rssAnon: 900 * MIB, cgroup: '/job' });
    r.host.beforeSample = (options) => {
      if (options.processes !== false) r.host.removeCgroup('/job');
    };
    await r.daemon.tick();
    assert.deepEqual(
      r.named('error').map((e) => e.message),
      ['cannot read the process table: no such memory cgroup: /job'],
    );
    assert.deepEqual(r.signals(), []);
  });

  it('/proc files that fail to read: HostReadError from sample() becomes an error event, then it recovers', async () => {
    const r = rig({ host: { memAvailable: 80 * MIB }, config: TIMING });
    r.host.add({ pid: 100, comm: 'big', rssAnon: 300 * MIB });
    let failures = 3;
    r.host.beforeSample = () => {
      if (failures-- > 0) throw new HostReadError('cannot read /proc/meminfo: EIO', '/proc/meminfo');
    };
    await r.runFor(4000);
    // A failed look is retried after a second, not after poll.max (3 s): it learnt nothing about the headroom.
    assert.deepEqual(
      r.named('error').map((e) => [e.at, e.message]),
      [0, 1000, 2000].map((at) => [at, 'cannot read memory: cannot read /proc/meminfo: EIO']),
    );
    assert.deepEqual(r.signals(), [{ at: 3000, pid: 100, signal: 'SIGTERM' }]);
  });

  it('PSI absent: a PSI rule has no reading, the memory levels still act', async () => {
    const r = rig({
      host: { memAvailable: 80 * MIB },
      config: {
        ...TIMING,
        psi: [{ line: 'full', window: 'avg10', limit: 10, durationMs: 0, cgroup: null, level: 'kill' }],
      },
    });
    r.host.setMemoryPsi(null);
    r.host.add({ pid: 100, comm: 'big', rssAnon: 300 * MIB, script: { exitsAfterMs: 10 } });
    await r.daemon.tick();
    // SIGTERM from the TERM level, not SIGKILL from the PSI rule.
    assert.deepEqual(r.signals(), [{ at: 0, pid: 100, signal: 'SIGTERM' }]);
    assert.equal(r.named('error').length, 0);
  });
});

describe('kernels without pidfd or process_mrelease', () => {
  function oldKernelRig() {
    const clock = new FakeClock(0);
    const now = () => clock.now();
    const host = new FakeHost({ memTotal: 1000 * MIB, memAvailable: 80 * MIB, now });
    const actions = new FakeActions({ now, pidfd: false, releaseWorks: false });
    host.linkActions(actions);
    const events: DaemonEvent[] = [];
    const config: DaemonConfig = { ...DEFAULT_CONFIG, reportIntervalMs: 0, ...TIMING };
    const daemon = new Daemon({
      host,
      actions,
      clock,
      emit: (e) => events.push(e),
      config,
      runHook: async () => HOOK_OK,
      users: new Map(),
    });
    return { host, actions, daemon, events };
  }

  it('kills through the kill(2) fallback, without reaping; a reused PID is not hit', async () => {
    const a = oldKernelRig();
    a.host.add({ pid: 100, comm: 'big', rssAnon: 300 * MIB, script: { ignoresSigterm: true } });
    await a.daemon.tick();
    assert.deepEqual(a.actions.delivered, [
      { pid: 100, startTicks: 1000, sig: 'SIGTERM' },
      { pid: 100, startTicks: 1000, sig: 'SIGKILL' },
    ]);
    assert.equal(a.events.filter((e) => e.event === 'release').length, 0);
    assert.equal(a.daemon.kills[0]?.result, 'exited');

    const b = oldKernelRig();
    b.host.add({ pid: 100, comm: 'leaver', rssAnon: 300 * MIB, script: { reusedBeforeSignal: true } });
    await b.daemon.tick();
    assert.deepEqual(b.actions.delivered, []);
    assert.ok(b.events.some((e) => e.message === 'SIGTERM to pid 100 (leaver) not sent: identity-changed'));
  });

  it('LinuxActions says once that process_mrelease is missing (ENOSYS), however many victims', async (t) => {
    // Our own child, pinned through a stand-in for the native calls whose process_mrelease answers ENOSYS.
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    t.after(() => child.kill('SIGKILL'));
    await new Promise((res) => child.once('spawn', res));
    const native: NativeCalls = {
      pidfdOpen: () => openSync('/dev/null', 'r'),
      pidfdSendSignal: () => 0,
      processMrelease: () => -constants.errno.ENOSYS,
      poll: () => 0,
      pollAsync: async () => 0,
      getxattr: () => -constants.errno.ENODATA,
    };
    const warnings: string[] = [];
    const actions = new LinuxActions({ native, onWarning: (m) => warnings.push(m) });
    const start = parseProcStat(readFileSync(`/proc/${child.pid}/stat`))?.startTime ?? -1;
    for (let i = 0; i < 3; i++) {
      const pin = actions.pin(child.pid as number, start);
      assert.ok(pin);
      assert.equal(actions.release(pin), false);
      actions.unpin(pin);
    }
    assert.deepEqual(warnings, [
      'process_mrelease unavailable (Linux < 5.15): the kernel reaps victims itself, more slowly',
    ]);
  });
});
