// The two-phase search's arithmetic, against the kernel's own formula written out here (fs/proc/base.c,
// proc_oom_score: C integer division truncates towards zero).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileRules } from '../../src/policy/rules.js';
import {
  badnessBoundForScore,
  groupByScore,
  maxRuleBoostPoints,
  twoPhaseRefusal,
  unreadCannotWin,
} from '../../src/policy/shortlist.js';
import { rule } from '../helpers/rule-config.js';

function kernelOomScore(badness: number, totalPages: number): number {
  return Math.trunc(((1000 + Math.trunc((badness * 1000) / totalPages)) * 2) / 3);
}

test('the bound is exact: every badness with a score lies below it, the first integer at it scores higher', () => {
  // 24 GiB without swap in 4 KiB pages, a small machine, and a T that is not a multiple of 1000.
  for (const total of [6_291_456, 262_144, 1_000_003]) {
    const q = Math.trunc(total / 1000);
    // Around both ends of the range: oom_score_adj -1000..+1000 moves badness by ±T.
    const ranges = [
      [-total - 2 * q, -total + 4 * q],
      [-3 * q, 12 * q],
      [total - 3 * q, total + 3 * q],
      [2 * total - 3 * q, 2 * total],
    ];
    for (const [from, to] of ranges) {
      for (let b = from as number; b <= (to as number); b += 7) {
        const s = kernelOomScore(b, total);
        const bound = badnessBoundForScore(s, total);
        assert.ok(b < bound, `T ${total}: badness ${b} (score ${s}) is not below ${bound}`);
        const first = Math.ceil(bound);
        assert.ok(
          kernelOomScore(first, total) > s,
          `T ${total}: ${first} still scores ${s}: bound not tight`,
        );
      }
    }
  }
});

test('bound vectors: score 666 (the idle small process) and 667 on a 24 GiB machine', () => {
  // score 666: per-mille -1 or 0, so badness < 1 × T / 1000; score 667: per-mille 1 only (2 makes 668).
  assert.equal(badnessBoundForScore(666, 6_291_456), 6291.456);
  assert.equal(badnessBoundForScore(667, 6_291_456), 12582.912);
  assert.equal(badnessBoundForScore(0, 1000), -998);
});

test('groupByScore: highest score first, pids ascending within a group', () => {
  const groups = groupByScore([30, 7, 12, 1, 99], [666, 900, 666, 0, 900]);
  assert.deepEqual(groups, [
    { score: 900, pids: [7, 99] },
    { score: 666, pids: [12, 30] },
    { score: 0, pids: [1] },
  ]);
  assert.throws(() => groupByScore([1, 2], [666]), /^RangeError: groupByScore: 2 pids but 1 scores$/);
});

test('unreadCannotWin: the best key must reach the next group bound plus the rules boost', () => {
  const next = { score: 666, pids: [5] };
  assert.equal(unreadCannotWin(1000, next, 1_000_000, 0), true); // bound 1000: unread < 1000
  assert.equal(unreadCannotWin(999, next, 1_000_000, 0), false);
  assert.equal(unreadCannotWin(1299, next, 1_000_000, 300), false);
  assert.equal(unreadCannotWin(1300, next, 1_000_000, 300), true);
});

test('maxRuleBoostPoints: every prefer rule at once, avoid rules add nothing, clamped at 1000', () => {
  assert.equal(maxRuleBoostPoints([]), 0);
  assert.equal(
    maxRuleBoostPoints(compileRules([rule('prefer', {}), rule('avoid', {}), rule('ignore', {})])),
    300,
  );
  assert.equal(
    maxRuleBoostPoints(compileRules([rule('prefer', { adjust: 700 }), rule('prefer', { adjust: 600 })])),
    1000,
  );
});

test('twoPhaseRefusal: only the kernel ranker, unscoped, per-process kills', () => {
  const base = { ranker: 'kernel', scopeCgroup: null, cgroupPolicy: null, killUnit: 'process' };
  assert.equal(twoPhaseRefusal(base), null);
  assert.equal(twoPhaseRefusal({ ...base, scopeCgroup: '/' }), null);
  assert.equal(twoPhaseRefusal({ ...base, ranker: 'rss' }), 'ranker rss');
  assert.equal(twoPhaseRefusal({ ...base, scopeCgroup: '/jobs' }), 'a scope cgroup');
  assert.equal(twoPhaseRefusal({ ...base, cgroupPolicy: 'oomd-pressure' }), 'cgroup policy oomd-pressure');
  assert.equal(twoPhaseRefusal({ ...base, killUnit: 'process-group' }), 'kill unit process-group');
});
