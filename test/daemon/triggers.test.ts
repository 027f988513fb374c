// When the daemon acts, and how hard: the TERM and KILL levels (memory AND swap), PSI rules with a duration,
// and the sleep between two looks. 1000 MiB of RAM: SIGTERM at ≤ 100 MiB available, SIGKILL at ≤ 50 MiB.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PsiTriggerConfig } from '../../src/config/types.js';
import { MIB, rig } from './harness.js';

const hog = { pid: 100, comm: 'hog', rssAnon: 300 * MIB };

describe('daemon triggers: memory and swap levels', () => {
  it('no action while memory is above the TERM level', async () => {
    const r = rig({ host: { memAvailable: 100 * MIB + 4096 } });
    r.host.add(hog);
    await r.daemon.tick();
    assert.deepEqual(r.actions.calls, []);
    assert.deepEqual(r.named('trigger'), []);
    assert.equal(r.daemon.kills.length, 0);
  });

  it('SIGTERM, not SIGKILL, between the TERM and KILL levels (100 MiB available is at the TERM level)', async () => {
    const r = rig({ host: { memAvailable: 100 * MIB } });
    r.host.add(hog);
    assert.equal(await r.daemon.tick(), 100, 'pollMinMs after acting');
    assert.deepEqual(r.actions.delivered, [{ pid: 100, startTicks: 1000, sig: 'SIGTERM' }]);
    assert.equal(r.daemon.kills[0]?.result, 'exited');
    // The victim's 300 MiB came back.
    assert.equal(r.host.memAvailable, 400 * MIB);
  });

  it('SIGKILL at once below the KILL level, then process_mrelease', async () => {
    const r = rig({ host: { memAvailable: 50 * MIB } });
    r.host.add(hog);
    await r.daemon.tick();
    assert.deepEqual(r.actions.delivered, [{ pid: 100, startTicks: 1000, sig: 'SIGKILL' }]);
    assert.deepEqual(
      r.actions.calls.filter((c) => c.op === 'signal' || c.op === 'release'),
      [
        { op: 'signal', pid: 100, sig: 'SIGKILL', outcome: 'sent' },
        { op: 'release', pid: 100, released: true },
      ],
    );
    assert.deepEqual(r.signals(), [{ at: 0, pid: 100, signal: 'SIGKILL' }]);
  });

  it('with swap, memory AND swap must be short: swap plentiful → nothing', async () => {
    // 40 MiB of RAM (KILL level) but 500 of 1000 MiB swap free (TERM level is 100 MiB).
    const r = rig({ host: { memAvailable: 40 * MIB, swapTotal: 1000 * MIB, swapFree: 500 * MIB } });
    r.host.add(hog);
    await r.daemon.tick();
    assert.deepEqual(r.actions.calls, []);
  });

  it('with swap: memory at KILL, swap at TERM only → SIGTERM', async () => {
    const r = rig({ host: { memAvailable: 40 * MIB, swapTotal: 1000 * MIB, swapFree: 80 * MIB } });
    r.host.add(hog);
    await r.daemon.tick();
    assert.deepEqual(r.actions.delivered, [{ pid: 100, startTicks: 1000, sig: 'SIGTERM' }]);
  });

  it('with swap: both at KILL → SIGKILL; swap short but memory plentiful → nothing', async () => {
    const both = rig({ host: { memAvailable: 40 * MIB, swapTotal: 1000 * MIB, swapFree: 50 * MIB } });
    both.host.add(hog);
    await both.daemon.tick();
    assert.deepEqual(both.actions.delivered, [{ pid: 100, startTicks: 1000, sig: 'SIGKILL' }]);

    const swapOnly = rig({ host: { memAvailable: 500 * MIB, swapTotal: 1000 * MIB, swapFree: 0 } });
    swapOnly.host.add(hog);
    await swapOnly.daemon.tick();
    assert.deepEqual(swapOnly.actions.calls, []);
  });
});

describe('daemon triggers: PSI rules fire after their duration', () => {
  const psi: PsiTriggerConfig = {
    line: 'some',
    window: 'avg10',
    limit: 20,
    durationMs: 3000,
    cgroup: null,
    level: 'term',
  };

  it('fires only once the average has stayed above the limit for the duration', async () => {
    // Plenty of memory: only the PSI rule can act.
    const r = rig({ host: { memAvailable: 900 * MIB }, config: { psi: [psi] } });
    r.host.add(hog);
    r.host.setMemoryPsi(30);
    for (const t of [0, 1000, 2000, 2999]) {
      r.clock.advance(t - r.clock.now());
      await r.daemon.tick();
    }
    assert.deepEqual(r.actions.calls, [], 'not before 3000 ms above the limit');
    r.clock.advance(1);
    await r.daemon.tick();
    assert.deepEqual(r.signals(), [{ at: 3000, pid: 100, signal: 'SIGTERM' }]);
    assert.deepEqual(
      r.named('trigger').map((e) => [e.at, e.message]),
      [[3000, 'memory some avg10 = 30 > 20 for 3000 ms (≥ 3000 ms) → term']],
    );
  });

  it('a dip to the limit resets the duration', async () => {
    const r = rig({ host: { memAvailable: 900 * MIB }, config: { psi: [psi] } });
    r.host.add(hog);
    const readings: [number, number][] = [
      [0, 30],
      [1000, 30],
      [2000, 30],
      [2500, 20], // at the limit: not above, the run ends
      [3000, 30], // a new run starts here
      [4000, 30],
      [5000, 30],
      [5999, 30],
    ];
    for (const [t, v] of readings) {
      r.clock.advance(t - r.clock.now());
      r.host.setMemoryPsi(v);
      await r.daemon.tick();
    }
    assert.deepEqual(r.actions.calls, []);
    r.clock.advance(1);
    await r.daemon.tick();
    assert.deepEqual(r.signals(), [{ at: 6000, pid: 100, signal: 'SIGTERM' }]);
  });

  it('a rule on a cgroup that does not exist (any more) reads nothing and leaves the memory levels working', async () => {
    const r = rig({
      host: { memAvailable: 80 * MIB },
      config: { psi: [{ ...psi, cgroup: '/gone', durationMs: 0 }] },
    });
    r.host.add(hog);
    await r.daemon.tick();
    assert.deepEqual(r.named('error'), []);
    assert.deepEqual(r.actions.delivered, [{ pid: 100, startTicks: 1000, sig: 'SIGTERM' }]);
  });
});

describe('daemon cadence: tick() sleeps clamp(trunc(memKiB/6000 + swapKiB/800), min, max)', () => {
  it('memory headroom only', async () => {
    // 700 − 100 MiB = 614400 KiB; / 6000 = 102.4 → 102 ms.
    const r = rig({ host: { memAvailable: 700 * MIB } });
    assert.equal(await r.daemon.tick(), 102);
    // 400 − 100 MiB = 307200 KiB; / 6000 = 51.2 → 51 ms, raised to pollMinMs 100.
    r.host.setMemAvailable(400 * MIB);
    assert.equal(await r.daemon.tick(), 100);
  });

  it('memory and swap headroom add up; the result is clamped to pollMaxMs', async () => {
    const r = rig({
      host: { memAvailable: 400 * MIB, swapTotal: 1000 * MIB, swapFree: 300 * MIB },
      config: { pollMinMs: 10, pollMaxMs: 1000 },
    });
    // 307200 KiB / 6000 = 51.2; swap 300 − 100 MiB = 204800 KiB / 800 = 256; trunc(307.2) = 307 ms.
    assert.equal(await r.daemon.tick(), 307);
    // Swap at its TERM level: no swap headroom; 51.2 → 51 ms (above pollMinMs 10).
    r.host.setSwapFree(100 * MIB);
    assert.equal(await r.daemon.tick(), 51);
    // 819200 / 6000 = 136.53 + 921600 / 800 = 1152 → 1288, clamped to 1000 ms.
    r.host.setMemAvailable(900 * MIB);
    r.host.setSwapFree(1000 * MIB);
    assert.equal(await r.daemon.tick(), 1000);
  });
});
