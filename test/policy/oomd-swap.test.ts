// systemd-oomd's swap policy on hand-built snapshots: both limits, integer thresholds as oomd-util.c computes
// them, and the largest swap user among cgroups above 5 % of the swap.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CgroupInfo, MemInfo, Snapshot } from '../../src/model/snapshot.js';
import { compileCgroupRules } from '../../src/policy/cgroup-prefs.js';
import { rankBySwap, swapTrigger } from '../../src/policy/oomd-swap.js';
import { buildSnapshot, cgroup } from '../helpers/snapshot-builder.js';

function snap(mem: Partial<MemInfo>, cgroups: CgroupInfo[] = []): Snapshot {
  const base = buildSnapshot({
    processes: [],
    memTotal: 10_000,
    swapTotal: 10_000,
    cgroups: [cgroup('/'), ...cgroups],
  });
  return { ...base, meminfo: { ...base.meminfo, ...mem } };
}

describe('the swap trigger', () => {
  test('limit 90 %: left must be below trunc(10000 × 1000 / 10000) = 1000, for memory and swap both', () => {
    assert.deepEqual(swapTrigger(snap({ memAvailable: 999, swapFree: 999 }), { swapUsedLimit: 90 }), {
      met: true,
      why: 'memory used 90 % and swap used 90 %, both above 90 %',
    });
    // Exactly 1000 left is 90.0 % used: not above.
    assert.deepEqual(swapTrigger(snap({ memAvailable: 1000, swapFree: 999 }), { swapUsedLimit: 90 }), {
      met: false,
      why: 'memory used 90 %, swap used 90 %: memory is not above 90 %',
    });
    assert.deepEqual(swapTrigger(snap({ memAvailable: 10, swapFree: 5000 }), { swapUsedLimit: 90 }), {
      met: false,
      why: 'memory used 99.9 %, swap used 50 %: swap is not above 90 %',
    });
  });

  test('a fractional limit in hundredths of a percent; MemFree without MemAvailable; no swap', () => {
    // 62.5 % → 6250 ‱ → threshold trunc(10000 × 3750 / 10000) = 3750.
    assert.equal(
      swapTrigger(snap({ memAvailable: 3749, swapFree: 3749 }), { swapUsedLimit: 62.5 }).met,
      true,
    );
    assert.equal(
      swapTrigger(snap({ memAvailable: 3750, swapFree: 3749 }), { swapUsedLimit: 62.5 }).met,
      false,
    );
    assert.equal(
      swapTrigger(snap({ memAvailable: null, memFree: 100, swapFree: 100 }), { swapUsedLimit: 90 }).met,
      true,
    );
    assert.deepEqual(swapTrigger(snap({ swapTotal: 0, swapFree: 0 }), { swapUsedLimit: 90 }), {
      met: false,
      why: 'no swap',
    });
  });
});

describe('the swap order', () => {
  test('more than trunc(10000 × 5 / 100) = 500 bytes of swap to be a candidate, the largest first, avoid last', () => {
    const s = snap({ memAvailable: 1, swapFree: 1 }, [
      cgroup('/a', { swapUsage: 500 }),
      cgroup('/b', { swapUsage: 501 }),
      cgroup('/c', { swapUsage: 2000 }),
      cgroup('/d', { swapUsage: 3000, oomdPreference: 'avoid' }),
      cgroup('/e', { swapUsage: 4000 }),
      cgroup('/p', { swapUsage: 9000 }),
      cgroup('/p/q', { swapUsage: 9000 }),
    ]);
    const r = rankBySwap(
      s,
      '/',
      { swapUsedLimit: 90 },
      compileCgroupRules([{ action: 'omit', path: '^/e$', source: 'o' }]),
    );
    assert.equal(r.trigger?.met, true);
    assert.deepEqual(
      r.cgroups.map((c) => [c.path, c.position, c.keys[0], c.excludedBy]),
      [
        // /p is no candidate: neither a leaf nor an oom.group cgroup.
        ['/p/q', 1, 9000, null],
        ['/c', 2, 2000, null],
        ['/b', 3, 501, null],
        ['/d', 4, 3000, null],
        ['/a', 0, 500, 'swap 0 MiB is not above 5 % of the swap (0 MiB)'],
        ['/e', 0, 4000, 'omitted by o'],
      ],
    );
  });
});
