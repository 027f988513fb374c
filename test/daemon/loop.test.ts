// The watch loop itself: start and stop, the sleeps between looks, and failures that must not end it.
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { MIB, rig } from './harness.js';

describe('daemon loop', () => {
  it('sleeps the cadence between looks and stops on abort, leaving no listener behind on the signal', async () => {
    // 900 − 100 MiB = 819200 KiB of headroom / 6000 = 136.53 → 136 ms between looks.
    const r = rig({ host: { memAvailable: 900 * MIB } });
    const stop = new AbortController();
    let listeners = -1;
    r.clock.at(10_000, () => {
      listeners = getEventListeners(stop.signal, 'abort').length;
      stop.abort();
    });
    await r.daemon.run(stop.signal);
    // Sleeps end at 136 × k; the one that passes 10 000 ms is the 74th (136 × 74 = 10064).
    assert.equal(r.clock.sleeps.length, 74);
    assert.ok(r.clock.sleeps.every((ms) => ms === 136));
    assert.equal(listeners, 1, 'one listener for the whole run');
    assert.equal(getEventListeners(stop.signal, 'abort').length, 0);
    assert.deepEqual(
      r.events.map((e) => e.event),
      ['start', 'stop'],
    );
  });

  it('a look reads memory PSI only when a PSI rule or a cgroup policy will read it', async () => {
    const plain = rig({ host: { memAvailable: 900 * MIB } });
    await plain.daemon.tick();
    assert.deepEqual(
      plain.host.samples.map((s) => [s.processes, s.counters, s.pressure]),
      [[false, false, false]],
    );
    const withRule = rig({
      host: { memAvailable: 900 * MIB },
      config: {
        psi: [{ line: 'some', window: 'avg10', limit: 50, durationMs: 5000, cgroup: null, level: 'term' }],
      },
    });
    await withRule.daemon.tick();
    assert.deepEqual(
      withRule.host.samples.map((s) => s.pressure),
      [true],
    );
  });

  it('a watched cgroup removed in the middle of a kill: an error event, the loop goes on', async () => {
    const r = rig({ config: { scopeCgroup: '/job', graceMs: 5000 } });
    // 500 − 460 = 40 MiB left in the scope: 8 %, the TERM level.
    r.host.addCgroup('/job', { limit: 500 * MIB, usage: 460 * MIB });
    r.host.add({
      pid: 20,
      comm: 'inside',
      cgroup: '/job',
      rssAnon: 300 * MIB,
      script: { ignoresSigterm: true },
    });
    r.clock.at(500, () => r.host.removeCgroup('/job'));
    assert.equal(await r.daemon.tick(), 100);
    assert.deepEqual(r.actions.delivered, [{ pid: 20, startTicks: 200, sig: 'SIGTERM' }]);
    assert.deepEqual(
      r.named('error').map((e) => [e.at, e.message]),
      [[500, 'kill of pid 20 (inside) broke off: no such memory cgroup: /job']],
    );
    assert.deepEqual(
      r.actions.calls.filter((c) => c.op === 'unpin'),
      [{ op: 'unpin', pid: 20 }],
    );
    // The next look reports the missing scope and tries again after a second (not poll.max, 3 s).
    assert.equal(await r.daemon.tick(), 1000);
    assert.deepEqual(
      r.named('error').map((e) => e.message)[1],
      'cannot read memory: no such memory cgroup: /job',
    );
  });
});
