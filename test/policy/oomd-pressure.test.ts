// systemd-oomd's pressure policy on hand-built snapshots: the limit held for the duration, the pgscan gate, and
// the order by pages scanned per second, then usage.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CgroupInfo, Snapshot } from '../../src/model/snapshot.js';
import { pgscanRate, pressureTrigger, rankByPressure } from '../../src/policy/oomd-pressure.js';
import { buildSnapshot, cgroup, MIB } from '../helpers/snapshot-builder.js';

const SETTINGS = { pressureLimit: 60, pressureDurationMs: 30_000 };

function psi(full: number) {
  const line = (v: number) => ({ avg10: v, avg60: v, avg300: v, totalUs: 0 });
  return { some: line(full), full: line(full) };
}

/** A snapshot at `timeMs` whose scope /s has this full avg10 and pgscan, plus the given cgroups. */
function at(
  timeMs: number,
  fullAvg10: number | null,
  scopePgscan: number,
  cgroups: CgroupInfo[] = [],
): Snapshot {
  const scope = cgroup('/s', {
    usage: 1000 * MIB,
    pressure: fullAvg10 === null ? null : psi(fullAvg10),
    stat: { pgscan: scopePgscan },
  });
  return { ...buildSnapshot({ processes: [], cgroups: [cgroup('/'), scope, ...cgroups] }), timeMs };
}

describe('the pressure trigger', () => {
  test('above the limit in every sample for 30 s, pages scanned 10 s ago: met', () => {
    const history = [at(0, 70, 1000), at(10_000, 65, 1000), at(20_000, 80, 1500)];
    const t = pressureTrigger(at(30_000, 75, 1500), history, '/s', SETTINGS);
    assert.deepEqual(t, {
      met: true,
      why: '/s memory full avg10 75 % above 60 % for 30 s, pages scanned 10 s ago',
    });
  });

  test('a sample at the limit (not above) restarts the run: 10 s, not yet 30 s', () => {
    const history = [at(0, 70, 1000), at(10_000, 60, 1000), at(20_000, 80, 1500)];
    const t = pressureTrigger(at(30_000, 75, 1500), history, '/s', SETTINGS);
    assert.deepEqual(t, {
      met: false,
      why: '/s memory full avg10 75 % above 60 % for 10 s, not yet 30 s',
    });
  });

  test('the gate: the last rise of pgscan 35 s ago is too old; 30 s ago is recent enough', () => {
    const history = [at(0, 90, 1000), at(10_000, 90, 2000), at(20_000, 90, 2000), at(30_000, 90, 2000)];
    assert.deepEqual(pressureTrigger(at(45_000, 90, 2000), history, '/s', SETTINGS), {
      met: false,
      why: '/s memory full avg10 90 % above 60 % for 45 s, but no pages scanned in the last 30 s',
    });
    assert.equal(pressureTrigger(at(40_000, 90, 2000), history, '/s', SETTINGS).met, true);
  });

  test('a pgscan that fell (the scope re-created) is no reclaim; below the limit or no reading: not met', () => {
    const history = [at(0, 90, 5000), at(10_000, 90, 100), at(20_000, 90, 100)];
    assert.equal(pressureTrigger(at(30_000, 90, 100), history, '/s', SETTINGS).met, false);
    assert.deepEqual(pressureTrigger(at(30_000, 59.99, 100), history, '/s', SETTINGS), {
      met: false,
      why: '/s memory full avg10 59.99 % is not above 60 %',
    });
    assert.deepEqual(pressureTrigger(at(30_000, null, 100), history, '/s', SETTINGS), {
      met: false,
      why: '/s memory full avg10: no reading',
    });
  });

  test("the root: /proc/pressure/memory and /proc/vmstat's scans stand in for the root cgroup's files", () => {
    const sys = (timeMs: number, full: number, scans: number): Snapshot => ({
      ...buildSnapshot({ processes: [], cgroups: [cgroup('/')] }),
      timeMs,
      psi: { memory: psi(full), io: null, cpu: null },
      vmstat: {
        pgscanKswapd: scans,
        pgscanDirect: 1,
        pgstealKswapd: 0,
        pgstealDirect: 0,
        oomKill: 0,
        workingsetRefaultAnon: 0,
        workingsetRefaultFile: 0,
        pswpin: 0,
        pswpout: 0,
      },
    });
    const t = pressureTrigger(sys(2000, 70, 11), [sys(0, 65, 10)], '/', {
      pressureLimit: 60,
      pressureDurationMs: 2000,
    });
    assert.deepEqual(t, {
      met: true,
      why: 'system memory full avg10 70 % above 60 % for 2 s, pages scanned 0 s ago',
    });
  });
});

describe('the pressure order: pages scanned per second, then usage', () => {
  const cg = (path: string, pgscan: number | undefined, usage: number, fields: Partial<CgroupInfo> = {}) =>
    cgroup(path, { usage, stat: pgscan === undefined ? {} : { pgscan }, ...fields });

  test('rates against the newest sample at least 1 s old; resets, newcomers, avoid and the empty', () => {
    const t20 = at(20_000, 90, 0, [
      cg('/s/a', 100, 0),
      cg('/s/b', 500, 0),
      cg('/s/c', 0, 0),
      cg('/s/g', 5000, 0, { oomGroup: true }),
      cg('/s/d', 0, 0),
    ]);
    // Too recent to be the reference (0.5 s before now), and an old one that must not be used.
    const t29 = at(29_500, 90, 0, [cg('/s/a', 2000, 0), cg('/s/b', 2000, 0)]);
    const t0 = at(0, 90, 0, [cg('/s/a', 0, 0), cg('/s/b', 0, 0)]);
    const now = at(30_000, 90, 0, [
      cg('/s/a', 2100, 100 * MIB), // (2100 − 100) / 10 s = 200 /s
      cg('/s/b', 2500, 300 * MIB), // (2500 − 500) / 10 s = 200 /s, more usage: first
      cg('/s/c', 0, 0), // nothing scanned, nothing used: skipped
      cg('/s/g', 1000, 50 * MIB, { oomGroup: true }), // fell from 5000: re-created, 1000 / 10 s = 100 /s
      cg('/s/g/x', 7, 10 * MIB), // new: no earlier sample, 0 /s
      cg('/s/d', 10_000, 1, { oomdPreference: 'avoid' }), // 1000 /s but avoided
    ]);
    const r = rankByPressure(now, [t29, t0, t20], '/s', SETTINGS, []);
    assert.deepEqual(
      r.cgroups.map((c) => [c.path, c.position, c.keys, c.excludedBy]),
      [
        ['/s/b', 1, [200, 300 * MIB], null],
        ['/s/a', 2, [200, 100 * MIB], null],
        ['/s/g', 3, [100, 50 * MIB], null],
        ['/s/g/x', 4, [0, 10 * MIB], null],
        ['/s/d', 5, [1000, 1], null],
        ['/s/c', 0, [0, 0], 'no memory and no pages scanned'],
      ],
    );
    assert.equal(r.cgroups[0]?.why, 'pgscan 200 pages/s, usage 300 MiB');
    assert.equal(r.trigger?.met, false, 'the scope pgscan never rose');
  });

  test('only a recent earlier sample: the rate is taken over it; v1 memory.stat has no pgscan: 0', () => {
    const a = cg('/s/a', 600, 1);
    const now = at(30_000, 90, 0, [a]);
    assert.deepEqual(pgscanRate(a, now, [at(29_500, 90, 0, [cg('/s/a', 100, 1)])]), {
      pgscan: 600,
      delta: 500,
      perSecond: 1000,
    });
    const v1 = cgroup('/s/v1', { version: 1, usage: 5, stat: { total_pgpgin: 9 } });
    assert.deepEqual(pgscanRate(v1, now, []), { pgscan: 0, delta: 0, perSecond: 0 });
  });
});
