// PID reuse, for real: the process chosen exits and its PID goes to a new process before the signal.
// The executor pins by pidfd + start time, so the newcomer is never signalled.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO } from '../helpers/cli.js';

const canUnshare = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']).status === 0;

test('a reused PID is not signalled', {
  skip: canUnshare ? false : 'needs unshare --pid (root) for a PID namespace of its own',
}, () => {
  const res = spawnSync(
    'unshare',
    [
      '--pid',
      '--fork',
      '--mount-proc',
      process.execPath,
      '--import',
      'tsx',
      join(REPO, 'test/e2e/pid-reuse-scenario.ts'),
    ],
    { cwd: REPO, encoding: 'utf8', timeout: 30000 },
  );
  assert.equal(res.status, 0, res.stderr);
  const out = JSON.parse(res.stdout) as {
    pidA: number;
    pidB: number;
    ticksA: number;
    ticksB: number;
    result: string;
    signalled: number[];
    bAlive: boolean;
    events: string[];
  };
  assert.equal(out.pidB, out.pidA, 'the new process took the old PID');
  assert.notEqual(out.ticksB, out.ticksA);
  assert.equal(out.result, 'gone');
  assert.deepEqual(out.signalled, []);
  assert.equal(out.bAlive, true, 'the process that reused the PID was not signalled');
  assert.deepEqual(out.events, [
    `pid ${out.pidA} (sleep) exited or its PID was reused: not signalled`,
    `pid ${out.pidA} (sleep) exited before the signal`,
  ]);
});
