// The fake HostActions keeps the promises of the real one that the daemon's tests rely on.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OomguardError } from '../../src/model/errors.js';
import { FakeActions } from '../helpers/fake-actions.js';

function clocked() {
  let now = 1000;
  return { advance: (ms: number) => (now += ms), now: () => now };
}

test('fake: SIGTERM honoured after the scripted delay; every call recorded', () => {
  const clock = clocked();
  const actions = new FakeActions({ now: clock.now });
  actions.spawn(100, 5000, { exitsAfterMs: 300 });
  const pin = actions.pin(100, 5000);
  assert.ok(pin);
  assert.equal(actions.signal(pin, 'SIGTERM'), 'sent');
  clock.advance(299);
  assert.equal(actions.alive(pin), true);
  clock.advance(1);
  assert.equal(actions.alive(pin), false);
  actions.unpin(pin);
  assert.deepEqual(actions.calls, [
    { op: 'pin', pid: 100, startTicks: 5000, pinned: true },
    { op: 'signal', pid: 100, sig: 'SIGTERM', outcome: 'sent' },
    { op: 'alive', pid: 100, alive: true },
    { op: 'alive', pid: 100, alive: false },
    { op: 'unpin', pid: 100 },
  ]);
  assert.deepEqual(actions.delivered, [{ pid: 100, startTicks: 5000, sig: 'SIGTERM' }]);
});

test('fake: a process ignoring SIGTERM survives it and dies on SIGKILL; release only after SIGKILL', () => {
  const clock = clocked();
  const actions = new FakeActions({ now: clock.now });
  actions.spawn(200, 7, { ignoresSigterm: true });
  const pin = actions.pin(200, 7);
  assert.ok(pin);
  assert.equal(actions.signal(pin, 'SIGTERM'), 'sent');
  clock.advance(10_000);
  assert.equal(actions.alive(pin), true);
  assert.equal(actions.release(pin), false);
  assert.equal(actions.signal(pin, 'SIGKILL'), 'sent');
  assert.equal(actions.release(pin), true);
  assert.equal(actions.alive(pin), false);
  assert.equal(actions.signal(pin, 'SIGKILL'), 'gone');
});

test('fake: wrong start time pins nothing; PID reused before the signal reaches nobody', () => {
  const actions = new FakeActions({ now: () => 0 });
  actions.spawn(300, 40, { reusedBeforeSignal: true });
  assert.equal(actions.pin(300, 41), null);
  const pin = actions.pin(300, 40);
  assert.ok(pin);
  assert.equal(actions.signal(pin, 'SIGKILL'), 'gone');
  assert.deepEqual(actions.delivered, []);
  assert.equal(actions.isRunning(300, 41), true, 'the new owner of PID 300 runs on');

  const fallback = new FakeActions({ now: () => 0, pidfd: false });
  fallback.spawn(300, 40, { reusedBeforeSignal: true });
  const stale = fallback.pin(300, 40);
  assert.ok(stale);
  assert.equal(fallback.signal(stale, 'SIGTERM'), 'identity-changed');
  assert.deepEqual(fallback.delivered, []);
});

test('fake: EPERM, unpinned pins, cgroups and self-protection', () => {
  const actions = new FakeActions({ now: () => 0 });
  actions.spawn(400, 1, { denied: true });
  actions.spawn(401, 2);
  actions.spawn(402, 3);
  actions.spawn(403, 4);
  const pin = actions.pin(400, 1);
  assert.ok(pin);
  assert.equal(actions.signal(pin, 'SIGKILL'), 'denied');
  actions.unpin(pin);
  assert.throws(() => actions.signal(pin, 'SIGKILL'), OomguardError);
  assert.throws(() => actions.pin(0, 1), OomguardError);

  actions.exit(402);
  actions.addCgroup('/sys/fs/cgroup/memory/job', [401, 402]);
  assert.deepEqual(actions.killCgroup('/sys/fs/cgroup/memory/job'), {
    signalled: [401],
    method: 'signal-each',
  });
  assert.equal(actions.isRunning(401), false);
  assert.equal(actions.isRunning(403), true);
  assert.throws(() => actions.killCgroup('/nope'), /no cgroup\.procs/);

  assert.match(actions.protectSelf().oomScoreAdj, /EPERM/);
});
