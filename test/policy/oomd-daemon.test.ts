// The oomd-style policies inside the daemon, on a fake clock and host: the daemon keeps the cgroup history the
// pressure policy needs, fires on the policy's own trigger (memory is plentiful by the thresholds), and kills
// the chosen cgroup whole with SIGKILL; nothing else is touched.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MIB, rig } from '../daemon/harness.js';

function psi(full: number) {
  const line = (v: number) => ({ avg10: v, avg60: v, avg300: v, totalUs: 0 });
  return { some: line(full), full: line(full) };
}

describe('the daemon under cgroup policies', () => {
  test('oomd-pressure: full avg10 80 % for 3 s with rising pgscan → /b (more pages scanned per second) dies whole', async () => {
    const r = rig({
      config: {
        cgroupPolicy: 'oomd-pressure',
        cgroupSettings: {
          measure: 'usage',
          depth: 1,
          pressureLimit: 60,
          pressureDurationMs: 3000,
          swapUsedLimit: 90,
        },
        cooldownMs: 60_000,
      },
    });
    r.host.addCgroup('/', { pressure: psi(80), stat: { pgscan: 0 } });
    r.host.addCgroup('/a', { usage: 200 * MIB, stat: { pgscan: 0 } });
    r.host.addCgroup('/b', { usage: 100 * MIB, stat: { pgscan: 0 } });
    r.host.add({ pid: 10, cgroup: '/a', anonPages: (200 * MIB) / 4096 });
    r.host.add({ pid: 20, cgroup: '/b', anonPages: (60 * MIB) / 4096 });
    r.host.add({ pid: 21, cgroup: '/b', anonPages: (40 * MIB) / 4096 });
    r.host.add({ pid: 30, cgroup: '/', anonPages: (500 * MIB) / 4096 });
    // Each look: the root scans 100 more pages, /a 10 and /b 50.
    let scans = 0;
    r.host.beforeSample = () => {
      scans++;
      r.host.setCgroup('/', { stat: { pgscan: 100 * scans } });
      r.host.setCgroup('/a', { stat: { pgscan: 10 * scans } });
      r.host.setCgroup('/b', { stat: { pgscan: 50 * scans } });
    };
    await r.runFor(10_000);
    const select = r.named('select').filter((e) => e.level === 'notice');
    assert.equal(select.length, 1);
    assert.match(
      select[0]?.message ?? '',
      /oomd-pressure: cgroup \/b is #1 of \/'s candidates \(pgscan [\d.]+ pages\/s/,
    );
    const trigger = r.named('trigger')[0];
    // Under pressure the daemon looks every 153 ms: the first look at least 3 s after the first is the 21st, at
    // 20 × 153 = 3060 ms (the ring kept the looks at 0, 1071 and 2142 ms, one a second at most).
    assert.equal(r.clock.sleeps[0], 153);
    assert.equal(trigger?.at, 3060);
    assert.equal(
      trigger?.message,
      'oomd-pressure: system memory full avg10 80 % above 60 % for 3.1 s, pages scanned 0 s ago',
    );
    // The whole of /b, at once with SIGKILL (cgroup.kill on v2); /a and the root's process live.
    assert.deepEqual(
      r.signals().map((s) => [s.pid, s.signal]),
      [[20, 'SIGKILL']],
    );
    const kill = r.named('signal')[0];
    assert.deepEqual(kill?.fields?.pids, [20, 21]);
    assert.equal(r.host.has(10), true);
    assert.equal(r.host.has(30), true);
  });

  test('oomd-pressure without reclaim (pgscan flat): no kill however long the pressure lasts', async () => {
    const r = rig({ config: { cgroupPolicy: 'oomd-pressure' } });
    r.host.addCgroup('/', { pressure: psi(99), stat: { pgscan: 5 } });
    r.host.addCgroup('/a', { usage: 200 * MIB, stat: { pgscan: 5 } });
    r.host.add({ pid: 10, cgroup: '/a', anonPages: 100 });
    await r.runFor(45_000);
    assert.deepEqual(r.signals(), []);
    assert.equal(r.named('trigger').length, 0);
  });

  test('oomd-swap: memory and swap both above 90 % → the largest swap user dies whole', async () => {
    const r = rig({
      host: { swapTotal: 1000 * MIB, swapFree: 50 * MIB, memAvailable: 60 * MIB },
      config: {
        cgroupPolicy: 'oomd-swap',
        cooldownMs: 60_000,
        memory: { term: { percent: 1, bytes: null }, kill: { percent: 1, bytes: null } },
      },
    });
    r.host.addCgroup('/', {});
    r.host.addCgroup('/a', { usage: 100 * MIB, swapUsage: 600 * MIB });
    r.host.addCgroup('/b', { usage: 400 * MIB, swapUsage: 300 * MIB });
    r.host.add({ pid: 10, cgroup: '/a', anonPages: 100 });
    r.host.add({ pid: 20, cgroup: '/b', anonPages: 1000 });
    await r.runFor(2000);
    assert.match(
      r.named('trigger')[0]?.message ?? '',
      /^oomd-swap: memory used 94 % and swap used 95 %, both above 90 %$/,
    );
    assert.deepEqual(
      r.signals().map((s) => [s.pid, s.signal]),
      [[10, 'SIGKILL']],
    );
  });
});
