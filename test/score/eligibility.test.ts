import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { unkillableReason } from '../../src/score/eligibility.js';
import { proc } from '../helpers/snapshot-builder.js';

describe('unkillableReason', () => {
  it('spares the host init only in the host PID namespace', () => {
    assert.equal(unkillableReason(proc({ pid: 1, anonPages: 10 }), true), 'host init');
    assert.equal(unkillableReason(proc({ pid: 1, anonPages: 10 }), false), null);
  });

  it('spares kernel threads', () => {
    assert.equal(unkillableReason(proc({ pid: 2, kthread: true, hasMm: false }), true), 'kernel thread');
  });

  it('spares oom_score_adj −1000 but not −999', () => {
    assert.equal(
      unkillableReason(proc({ pid: 7, anonPages: 10, oomScoreAdj: -1000 }), true),
      'oom_score_adj -1000',
    );
    assert.equal(unkillableReason(proc({ pid: 7, anonPages: 10, oomScoreAdj: -999 }), true), null);
  });

  it('spares tasks without an mm (zombies, exiting)', () => {
    assert.equal(
      unkillableReason(proc({ pid: 9, state: 'Z', hasMm: false }), true),
      'no memory (zombie or exiting)',
    );
  });

  it('an ordinary process is eligible, even with no RSS', () => {
    assert.equal(unkillableReason(proc({ pid: 300 }), true), null);
  });
});
