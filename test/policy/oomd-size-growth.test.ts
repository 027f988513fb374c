// Facebook oomd's size-or-growth order on hand-built snapshots: the size phase (≥ 50 % of the candidates' usage),
// the growth phase (ratio ≥ 1.25 among the largest by effective usage) and the rest.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CgroupInfo, Snapshot } from '../../src/model/snapshot.js';
import { growthRatio, rankBySizeOrGrowth } from '../../src/policy/oomd-size-growth.js';
import { buildSnapshot, cgroup } from '../helpers/snapshot-builder.js';

function at(
  timeMs: number,
  usages: Record<string, number>,
  extra: Record<string, Partial<CgroupInfo>> = {},
): Snapshot {
  const cgroups = [
    cgroup('/'),
    ...Object.entries(usages).map(([p, usage]) => cgroup(p, { usage, ...extra[p] })),
  ];
  return { ...buildSnapshot({ processes: [], cgroups }), timeMs };
}

const order = (s: Snapshot, history: Snapshot[] = []) =>
  rankBySizeOrGrowth(s, history, '/', { depth: 1 }, []).cgroups.map((c) => [c.path, c.keys]);

describe('size or growth', () => {
  test('size phase: usage 600 ≥ 50 % of 1000, ranked by effective usage 600 − low 100', () => {
    const s = at(0, { '/a': 600, '/b': 300, '/c': 100 }, { '/a': { low: 100 } });
    assert.deepEqual(order(s), [
      ['/a', [500, 0, 500]],
      ['/b', [0, 0, 300]],
      ['/c', [0, 0, 100]],
    ]);
  });

  test('two at exactly 50 %: both in the size phase, the larger effective usage first', () => {
    const s = at(0, { '/a': 500, '/b': 500 }, { '/a': { low: 200 } });
    assert.deepEqual(order(s), [
      ['/b', [500, 0, 500]],
      ['/a', [300, 0, 300]],
    ]);
  });

  test('growth phase, 5 candidates: only the largest (nth = ceil(5 × 20 / 100) − 1 = 0) may win by growth', () => {
    const now = at(10_000, { '/a': 300, '/b': 250, '/c': 200, '/d': 150, '/e': 100 });
    // Means of the earlier samples: /a (100 + 300) / 2 = 200 → 1.5; /b 100 → 2.5, but 250 < 300.
    const history = [
      at(0, { '/a': 100, '/b': 100, '/c': 200, '/d': 150, '/e': 100 }),
      at(5000, { '/a': 300, '/b': 100, '/c': 200, '/d': 150, '/e': 100 }),
    ];
    assert.deepEqual(order(now, history), [
      ['/a', [0, 1.5, 300]],
      ['/b', [0, 0, 250]],
      ['/c', [0, 0, 200]],
      ['/d', [0, 0, 150]],
      ['/e', [0, 0, 100]],
    ]);
  });

  test('growth phase, 10 candidates: the two largest (nth = 1, floor 180); 1.25 exactly qualifies', () => {
    const usages: Record<string, number> = {};
    for (let i = 0; i < 10; i++) usages[`/c${i}`] = 190 - 10 * i; // c0 190 … c9 100, total 1450
    const before = { ...usages, '/c0': 160, '/c1': 144, '/c2': 100 };
    // c0: 190 / 160 = 1.1875; c1: 180 / 144 = 1.25; c2: 170 / 100 = 1.7 but 170 < 180.
    const r = order(at(1000, usages), [at(0, before)]);
    assert.deepEqual(r.slice(0, 4), [
      ['/c1', [0, 1.25, 180]],
      ['/c0', [0, 0, 190]],
      ['/c2', [0, 0, 170]],
      ['/c3', [0, 0, 160]],
    ]);
    assert.equal(r.length, 10);
  });

  test('growth ratio: against the mean of earlier samples only; 1 without any; effective usage floored at 0', () => {
    const now = at(3000, { '/a': 240 }, { '/a': { low: 500 } });
    assert.equal(
      growthRatio('/a', 240, now, [at(0, { '/a': 100 }), at(1000, { '/a': 140 }), at(3000, { '/a': 1 })]),
      2,
    );
    assert.equal(growthRatio('/a', 240, now, []), 1);
    assert.deepEqual(order(now), [['/a', [0, 0, 0]]]);
  });

  test('an avoided size-phase cgroup goes after every other', () => {
    const s = at(0, { '/a': 600, '/b': 300, '/c': 100 }, { '/a': { oomdPreference: 'avoid' } });
    assert.deepEqual(
      order(s).map(([p]) => p),
      ['/b', '/c', '/a'],
    );
  });
});
