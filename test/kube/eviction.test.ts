// The memory.available signal and thresholds: every vector of reference §7 "Eviction thresholds", and the
// MemoryPressure state machine on a fake clock (times in ms, chosen by the test).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  checkThreshold,
  DEFAULT_EVICTION_HARD,
  type EvictionThreshold,
  memoryAvailable,
  parseMinReclaim,
  parseThresholdValue,
  podEvictionGraceSeconds,
  thresholdBytes,
  workingSet,
} from '../../src/kube/eviction.js';
import {
  DEFAULT_PRESSURE_TRANSITION_PERIOD_MS,
  INITIAL_MEMORY_PRESSURE_STATE,
  type MemoryPressureConfig,
  type MemoryPressureState,
  stepMemoryPressure,
} from '../../src/kube/memory-pressure.js';
import { MI } from './helpers.js';

describe('working set and memory.available', () => {
  test('usage 1073741824, inactive_file 268435456 → 805306368', () => {
    assert.equal(workingSet(1073741824, 268435456), 805306368);
  });
  test('inactive_file above usage → 0', () => {
    assert.equal(workingSet(268435456, 1073741824), 0);
  });
  test('capacity 16384Mi, usage 16320Mi, inactive_file 10Mi → working set 16310Mi, available 74Mi', () => {
    const ws = workingSet(16320 * MI, 10 * MI);
    assert.equal(ws, 16310 * MI);
    assert.equal(memoryAvailable(16384 * MI, ws), 74 * MI);
  });
});

describe('thresholds', () => {
  test('memory.available<10% of 17179869184 is 1717986944 (float32), not 1717986918', () => {
    const t = parseThresholdValue('10%');
    assert.ok(t !== null);
    assert.equal(thresholdBytes(t, 17179869184), 1717986944);
    assert.equal(thresholdBytes(parseThresholdValue('memory.available<10%') ?? t, 17179869184), 1717986944);
  });
  test('float32 percentages: 7.5% of 16 GiB', () => {
    // f32(7.5) = 7.5 exactly; f32(0.075) = 0.07500000298023224 (10066330 × 2^-27); × 2^34 = 10066330 × 128.
    const t = parseThresholdValue('7.5%');
    assert.ok(t !== null);
    assert.equal(thresholdBytes(t, 17179869184), 1288490240);
  });
  test('74Mi available < 100Mi: met; with min reclaim 500Mi, eviction continues until 600Mi', () => {
    const c = checkThreshold(
      { capacityBytes: 16384 * MI, availableBytes: 74 * MI },
      parseThresholdValue('100Mi') ?? DEFAULT_EVICTION_HARD.value,
      parseMinReclaim('500Mi'),
    );
    assert.equal(c.met, true);
    assert.equal(c.thresholdBytes, 100 * MI);
    assert.equal(c.reclaimTargetBytes, 600 * MI);
    assert.equal(c.toReclaimBytes, 526 * MI);
    assert.equal(c.workingSetBytes, 16310 * MI);
    assert.equal(
      c.reason,
      'memory.available 74Mi < 100Mi: met; eviction continues until available ≥ 600Mi (min reclaim 500Mi)',
    );
  });
  test('met only when available is strictly below: 100Mi available is not below 100Mi', () => {
    const at = checkThreshold(
      { capacityBytes: 16384 * MI, availableBytes: 100 * MI },
      DEFAULT_EVICTION_HARD.value,
    );
    assert.equal(at.met, false);
    const below = checkThreshold(
      { capacityBytes: 16384 * MI, availableBytes: 100 * MI - 1 },
      DEFAULT_EVICTION_HARD.value,
    );
    assert.equal(below.met, true);
  });
  test('a percentage minimum reclaim is a share of capacity too', () => {
    const c = checkThreshold(
      { capacityBytes: 17179869184, availableBytes: 1717986944 },
      parseThresholdValue('10%') ?? DEFAULT_EVICTION_HARD.value,
      parseMinReclaim('10%'),
    );
    assert.equal(c.met, false); // equal to the threshold
    assert.equal(c.metWithMinReclaim, true);
    assert.equal(c.reclaimTargetBytes, 3435973888);
  });
  test('0% and 100% disable the threshold, as the kubelet ignores them', () => {
    assert.equal(parseThresholdValue('0%'), null);
    assert.equal(parseThresholdValue('100%'), null);
  });
  test('bad thresholds are usage errors', () => {
    assert.throws(
      () => parseThresholdValue('150%'),
      /--threshold: a percentage must be at most 100%, got "150%"/,
    );
    assert.throws(() => parseThresholdValue('-5%'), /--threshold: a percentage must not be negative/);
    assert.throws(
      () => parseThresholdValue('ten%'),
      /--threshold: expected a percentage such as 10%, got "ten%"/,
    );
    assert.throws(() => parseThresholdValue('0'), /--threshold: the threshold must be positive/);
    assert.throws(() => parseThresholdValue('100MB'), /--threshold: unknown suffix "MB"/);
    assert.throws(() => parseMinReclaim('-1%'), /--min-reclaim: a percentage must not be negative/);
  });
  test('pod grace period: 0 for hard thresholds, min(termination grace, max pod grace) for soft ones', () => {
    const soft: EvictionThreshold = { ...DEFAULT_EVICTION_HARD, gracePeriodMs: 90_000 };
    assert.equal(podEvictionGraceSeconds(DEFAULT_EVICTION_HARD, 30, 60), 0);
    assert.equal(podEvictionGraceSeconds(soft, 30, 60), 30);
    assert.equal(podEvictionGraceSeconds(soft, 120, 60), 60);
  });
});

describe('MemoryPressure state machine', () => {
  const cap = 16384 * MI;
  const obs = (availableMi: number) => ({ capacityBytes: cap, availableBytes: availableMi * MI });
  const hard: EvictionThreshold = { ...DEFAULT_EVICTION_HARD, minReclaim: parseMinReclaim('500Mi') };

  /** Runs the steps in order, returning [memoryPressure, evict] after each. */
  function run(config: MemoryPressureConfig, steps: [number, number][]): [boolean, boolean][] {
    let state: MemoryPressureState = INITIAL_MEMORY_PRESSURE_STATE;
    return steps.map(([t, availableMi]) => {
      const s = stepMemoryPressure(config, state, obs(availableMi), t);
      state = s.state;
      return [s.memoryPressure, s.evict];
    });
  }

  test('hard threshold with min reclaim: evicts at once, keeps evicting below 600Mi, condition clears 5 min after', () => {
    assert.equal(DEFAULT_PRESSURE_TRANSITION_PERIOD_MS, 300_000);
    const config = { thresholds: [hard], pressureTransitionPeriodMs: DEFAULT_PRESSURE_TRANSITION_PERIOD_MS };
    assert.deepEqual(
      run(config, [
        [0, 2000], // quiet
        [10_000, 74], // met: pressure, evict
        [20_000, 550], // above 100Mi but below 100Mi + 500Mi: still evicting
        [30_000, 600], // reached 600Mi: done evicting, condition stays
        [40_000, 550], // not met again from scratch (550Mi ≥ 100Mi, and no longer evicting)
        [319_999, 2000], // 299 999 ms after the last observation (20 000, held by min reclaim): still on
        [320_000, 2000], // 300 000 ms: cleared
      ]),
      [
        [false, false],
        [true, true],
        [true, true],
        [true, false],
        [true, false],
        [true, false],
        [false, false],
      ],
    );
  });

  test('soft threshold: pressure at once, eviction only after the grace period held unbroken', () => {
    const soft: EvictionThreshold = {
      value: parseThresholdValue('1Gi') ?? DEFAULT_EVICTION_HARD.value,
      minReclaim: null,
      gracePeriodMs: 90_000,
    };
    const config = { thresholds: [soft], pressureTransitionPeriodMs: 60_000 };
    assert.deepEqual(
      run(config, [
        [0, 900], // met, grace starts
        [50_000, 2000], // cleared: the grace clock resets
        [60_000, 900], // met again: grace from 60 000
        [149_999, 900], // 89 999 ms: not yet
        [150_000, 900], // 90 000 ms: evicts
        [160_000, 2000], // cleared, the condition holds for the transition period
        [209_999, 2000], // 59 999 ms after the last observation (150 000): still on
        [210_000, 2000], // 60 000 ms: off
      ]),
      [
        [true, false],
        [true, false],
        [true, false],
        [true, false],
        [true, true],
        [true, false],
        [true, false],
        [false, false],
      ],
    );
  });

  test('hard and soft together: the step names which thresholds are observed and which evict', () => {
    const soft: EvictionThreshold = {
      value: parseThresholdValue('1Gi') ?? DEFAULT_EVICTION_HARD.value,
      minReclaim: null,
      gracePeriodMs: 90_000,
    };
    const config = { thresholds: [DEFAULT_EVICTION_HARD, soft], pressureTransitionPeriodMs: 300_000 };
    const s = stepMemoryPressure(config, INITIAL_MEMORY_PRESSURE_STATE, obs(50), 0);
    assert.deepEqual([s.observed, s.active, s.evict], [[0, 1], [0], true]);
  });
});
