import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PsiTriggerConfig } from '../../src/config/types.js';
import type { CgroupInfo, Psi, Snapshot } from '../../src/model/snapshot.js';
import {
  PSI_TRIGGER_IDLE,
  type PsiTriggerState,
  psiValue,
  stepPsiTrigger,
  stepPsiTriggers,
} from '../../src/policy/psi-trigger-state.js';

const TRIGGER: PsiTriggerConfig = {
  line: 'full',
  window: 'avg10',
  limit: 60,
  durationMs: 30_000,
  cgroup: null,
  level: 'term',
};

/** Feeds [timeMs, value] readings on a fake clock; returns which fired. */
function run(readings: [number, number | null][], trigger = TRIGGER) {
  let state: PsiTriggerState = PSI_TRIGGER_IDLE;
  return readings.map(([t, value]) => {
    const step = stepPsiTrigger(state, t, value, trigger);
    state = step.state;
    return { t, fired: step.fired, aboveForMs: step.aboveForMs };
  });
}

const psi = (someAvg10: number, fullAvg10: number | null, avg60 = 0): Psi => ({
  some: { avg10: someAvg10, avg60, avg300: 0, totalUs: 0 },
  full: fullAvg10 === null ? null : { avg10: fullAvg10, avg60, avg300: 0, totalUs: 0 },
});

describe('PSI trigger: above the limit for the duration', () => {
  it('fires at exactly the duration, not a millisecond before', () => {
    const out = run([
      [0, 70],
      [10_000, 80],
      [29_999, 61],
      [30_000, 65],
      [31_000, 90],
    ]);
    assert.deepEqual(
      out.map((o) => [o.fired, o.aboveForMs]),
      [
        [false, 0],
        [false, 10_000],
        [false, 29_999],
        [true, 30_000],
        [true, 31_000],
      ],
    );
  });

  it('a dip to the limit (not above) resets the run', () => {
    const out = run([
      [0, 70],
      [20_000, 60],
      [25_000, 70],
      [54_999, 70],
      [55_000, 70],
    ]);
    assert.deepEqual(
      out.map((o) => o.fired),
      [false, false, false, false, true],
    );
    assert.equal(out[3]?.aboveForMs, 29_999);
  });

  it('a missing reading resets the run', () => {
    const out = run([
      [0, 70],
      [15_000, null],
      [20_000, 70],
      [45_000, 70],
      [50_000, 70],
    ]);
    assert.deepEqual(
      out.map((o) => o.fired),
      [false, false, false, false, true],
    );
  });

  it('duration 0 fires at the first reading above; a clock that goes back restarts the run', () => {
    assert.equal(run([[5, 61]], { ...TRIGGER, durationMs: 0 })[0]?.fired, true);
    const out = run([
      [100_000, 70],
      [50_000, 70],
      [79_999, 70],
      [80_000, 70],
    ]);
    assert.deepEqual(
      out.map((o) => o.fired),
      [false, false, false, true],
    );
  });

  it('explains itself', () => {
    const s = stepPsiTrigger({ aboveSinceMs: 0 }, 30_000, 65.5, TRIGGER);
    assert.equal(s.why, 'memory full avg10 = 65.5 > 60 for 30000 ms (≥ 30000 ms) → term');
    const low = stepPsiTrigger({ aboveSinceMs: 0 }, 30_000, 12, { ...TRIGGER, cgroup: '/a' });
    assert.equal(low.why, '/a memory full avg10 = 12 ≤ 60');
  });
});

describe('PSI values from snapshots', () => {
  it('reads the configured line and window; no full line reads as no value', () => {
    assert.equal(psiValue(psi(10, 20, 30), { line: 'some', window: 'avg10' }), 10);
    assert.equal(psiValue(psi(10, 20, 30), { line: 'full', window: 'avg10' }), 20);
    assert.equal(psiValue(psi(10, 20, 30), { line: 'full', window: 'avg60' }), 30);
    assert.equal(psiValue(psi(10, null), { line: 'full', window: 'avg10' }), null);
    assert.equal(psiValue(null, { line: 'some', window: 'avg10' }), null);
  });

  it('steps system and cgroup triggers from one snapshot', () => {
    const cg = { path: '/app', pressure: psi(0, 75) } as unknown as CgroupInfo;
    const snap = (timeMs: number) =>
      ({
        timeMs,
        psi: { memory: psi(50, 5), io: null, cpu: null },
        cgroups: new Map([['/app', cg]]),
      }) as unknown as Snapshot;
    const triggers: PsiTriggerConfig[] = [
      { ...TRIGGER, line: 'some', limit: 40, durationMs: 1000 },
      { ...TRIGGER, cgroup: '/app', durationMs: 1000 },
      { ...TRIGGER, cgroup: '/missing', limit: 0, durationMs: 0 },
    ];
    const first = stepPsiTriggers([], snap(0), triggers);
    const second = stepPsiTriggers(
      first.map((s) => s.state),
      snap(1000),
      triggers,
    );
    assert.deepEqual(
      second.map((s) => [s.value, s.fired]),
      [
        [50, true],
        [75, true],
        [null, false],
      ],
    );
  });
});
