// The loop's wake-up must never start a second wait on a source that allows one at a time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sharedWake } from '../../src/daemon/clock.js';

test('a wait still running is shared by the next sleep; a new one starts once it ended', async () => {
  const started: number[] = [];
  let finish: (() => void) | null = null;
  let running = false;
  const wake = sharedWake((ms) => {
    // The source refuses a second waiter, as a PSI trigger does.
    if (running) return Promise.reject(new Error('wait() already in progress'));
    running = true;
    started.push(ms);
    return new Promise<void>((resolve) => {
      finish = () => {
        running = false;
        resolve();
      };
    });
  });
  const first = wake(1000);
  const second = wake(500); // the sleep's timer won: the first wait is still running
  assert.equal(second, first);
  assert.deepEqual(started, [1000]);
  (finish as unknown as () => void)();
  await second;
  const third = wake(200);
  assert.notEqual(third, first);
  assert.deepEqual(started, [1000, 200]);
  (finish as unknown as () => void)();
  await third;
});
