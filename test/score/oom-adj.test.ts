import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../src/model/errors.js';
import { oomAdjToScoreAdj, scoreAdjToOomAdj } from '../../src/score/oom-adj.js';

describe('legacy oom_adj ⇄ oom_score_adj (reference table)', () => {
  const table: Array<[number, number, number]> = [
    [-17, -1000, -17],
    [-16, -941, -15],
    [1, 58, 0],
    [15, 1000, 15],
  ];
  for (const [written, stored, readBack] of table) {
    it(`oom_adj ${written} stores ${stored} and reads back ${readBack}`, () => {
      assert.equal(oomAdjToScoreAdj(written), stored);
      assert.equal(scoreAdjToOomAdj(stored), readBack);
    });
  }

  it('oom_score_adj 500 written directly reads as oom_adj 8', () => {
    assert.equal(scoreAdjToOomAdj(500), 8);
  });

  it('more values by hand', () => {
    assert.equal(oomAdjToScoreAdj(0), 0);
    assert.equal(oomAdjToScoreAdj(-1), -58); // −1000/17 = −58.8 → −58
    assert.equal(oomAdjToScoreAdj(14), 823); // 14000/17 = 823.5 → 823
    assert.equal(scoreAdjToOomAdj(59), 1); // 59 × 17 / 1000 = 1.003
    assert.equal(scoreAdjToOomAdj(-58), 0); // −0.986 → 0
    assert.equal(scoreAdjToOomAdj(999), 15); // 16.98 → 16, capped at 15
    assert.equal(scoreAdjToOomAdj(-999), -16); // −16.98 → −16
  });

  it('rejects values outside the interfaces', () => {
    assert.throws(() => oomAdjToScoreAdj(16), UsageError);
    assert.throws(() => oomAdjToScoreAdj(-18), UsageError);
    assert.throws(() => oomAdjToScoreAdj(1.5), UsageError);
    assert.throws(() => scoreAdjToOomAdj(1001), UsageError);
    assert.throws(() => scoreAdjToOomAdj(-1001), UsageError);
  });
});
