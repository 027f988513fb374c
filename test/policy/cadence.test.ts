import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextSleep } from '../../src/policy/cadence.js';
import { evaluateFigures } from '../../src/policy/thresholds.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const BOUNDS = { pollMinMs: 100, pollMaxMs: 1000 };

const verdict = (memAvail: number, memTerm: number, swapFree = 0, swapTerm = 0) => ({
  memAvailBytes: memAvail,
  memTermBytes: memTerm,
  swapFreeBytes: swapFree,
  swapTermBytes: swapTerm,
});

describe('cadence: clamp(trunc(mem_headroom_KiB/6000 + swap_headroom_KiB/800), min, max)', () => {
  it('plenty of memory: the longest sleep', () => {
    // 9 GiB headroom = 9437184 KiB / 6000 = 1572.86 → clamped to 1000
    const c = nextSleep(verdict(10 * GiB, 1 * GiB), BOUNDS);
    assert.equal(c.sleepMs, 1000);
    assert.equal(c.memHeadroomBytes, 9 * GiB);
    assert.equal(nextSleep(verdict(10 * GiB, 1 * GiB), { pollMinMs: 50, pollMaxMs: 5000 }).sleepMs, 1572);
  });

  it('memory headroom alone', () => {
    // 1000 MiB = 1024000 KiB / 6000 = 170.67 → 170
    assert.equal(nextSleep(verdict(2000 * MiB, 1000 * MiB), BOUNDS).sleepMs, 170);
    // 600000 KiB / 6000 = 100 exactly
    assert.equal(nextSleep(verdict(700000 * KiB, 100000 * KiB), BOUNDS).sleepMs, 100);
  });

  it('swap headroom counts eight times more per KiB than memory (zram fill rate)', () => {
    // 100 MiB = 102400 KiB / 800 = 128
    assert.equal(nextSleep(verdict(50 * MiB, 100 * MiB, 200 * MiB, 100 * MiB), BOUNDS).sleepMs, 128);
    // 600000/6000 + 80000/800 = 100 + 100
    const both = nextSleep(verdict(700000 * KiB, 100000 * KiB, 180000 * KiB, 100000 * KiB), BOUNDS);
    assert.equal(both.sleepMs, 200);
    assert.equal(
      both.why,
      'sleep 200 ms = clamp(trunc(600000 KiB / 6000 + 80000 KiB / 800) = 200, 100, 1000)',
    );
  });

  it('no headroom (at or below the term level): the shortest sleep', () => {
    assert.equal(nextSleep(verdict(50 * MiB, 100 * MiB), BOUNDS).sleepMs, 100);
    assert.equal(nextSleep(verdict(100 * MiB, 100 * MiB), BOUNDS).memHeadroomBytes, 0);
    assert.equal(nextSleep(verdict(50 * MiB, 100 * MiB), { pollMinMs: 20, pollMaxMs: 1000 }).sleepMs, 20);
  });

  it("matches earlyoom's percent headroom computed by hand", () => {
    // earlyoom: MemTotal 8000000 KiB, 20 % available, term 10 %: (20 − 10) × 8000000/100 = 800000 KiB
    // → 800000/6000 = 133.33 → 133 ms. Swap 4000000 KiB, 15 % free, term 10 %: 200000 KiB/800 = 250.
    const v = evaluateFigures(
      {
        scope: '/',
        memAvailBytes: 1600000 * KiB,
        memBaseBytes: 8000000 * KiB,
        swapTotalBytes: 4000000 * KiB,
        swapFreeBytes: 600000 * KiB,
        source: 'test',
      },
      { term: { percent: 10, bytes: null }, kill: { percent: 5, bytes: null } },
      { term: { percent: 10, bytes: null }, kill: { percent: 5, bytes: null } },
    );
    assert.equal(nextSleep(v, BOUNDS).sleepMs, 383); // trunc(133.33 + 250)
  });
});
