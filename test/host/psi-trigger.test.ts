// PSI triggers on the real kernel: this machine lacks CAP_SYS_RESOURCE, so windows must be multiples of 2 s.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openPsiTrigger } from '../../src/host/linux/psi-trigger.js';
import { OomguardError, UsageError } from '../../src/model/errors.js';

const MEMORY = '/proc/pressure/memory';
const psiSkip = existsSync(MEMORY) ? false : 'no /proc/pressure/memory';

test('some 150000 2000000 arms; an idle wait(100) times out while the event loop runs', {
  skip: psiSkip,
}, async (t) => {
  const trigger = openPsiTrigger(MEMORY, 'some', 150_000, 2_000_000);
  t.after(() => trigger.close());
  assert.equal(trigger.file, MEMORY);
  let ticks = 0;
  const timer = setInterval(() => ticks++, 10);
  const started = performance.now();
  const result = await trigger.wait(100);
  const elapsed = performance.now() - started;
  clearInterval(timer);
  assert.equal(result, 'timeout');
  assert.ok(elapsed >= 99 && elapsed < 1000, `waited ${elapsed} ms`);
  assert.ok(ticks >= 3, `only ${ticks} timer ticks while waiting: the event loop was blocked`);
});

test('a 1 s window is refused with the 2 s rule spelled out', { skip: psiSkip }, () => {
  assert.throws(
    () => openPsiTrigger(MEMORY, 'some', 150_000, 1_000_000),
    (error: unknown) =>
      error instanceof UsageError &&
      error.message ===
        `PSI trigger "some 150000 1000000" on ${MEMORY} refused (EINVAL): without CAP_SYS_RESOURCE the window ` +
          'must be a multiple of 2 s (2000000 µs), e.g. "some 150000 2000000"',
  );
});

test('bad trigger values are usage errors before any file is touched', () => {
  const missing = '/nonexistent/pressure';
  assert.throws(() => openPsiTrigger(missing, 'some', 100_000, 400_000), /window must be 500000\.\.10000000/);
  assert.throws(() => openPsiTrigger(missing, 'some', 100_000, 12_000_000), UsageError);
  assert.throws(
    () => openPsiTrigger(missing, 'full', 2_500_000, 2_000_000),
    /stall must be 1 µs up to the window/,
  );
  assert.throws(() => openPsiTrigger(missing, 'full', 0, 2_000_000), UsageError);
  assert.throws(() => openPsiTrigger(missing, 'half' as 'some', 1, 2_000_000), /kind must be some or full/);
  assert.throws(
    () => openPsiTrigger(missing, 'some', 100_000, 2_000_000),
    /cannot open \/nonexistent\/pressure/,
  );
  assert.throws(
    () => openPsiTrigger(MEMORY, 'some', 100_000, 2_000_000, { native: null }),
    (error: unknown) => error instanceof OomguardError && /need the native layer/.test(error.message),
  );
});

test('close() ends a wait in progress with gone; waits after close are gone too', {
  skip: psiSkip,
}, async () => {
  const trigger = openPsiTrigger(MEMORY, 'full', 150_000, 2_000_000);
  const waiting = trigger.wait(5000);
  await assert.rejects(trigger.wait(10), /already in progress/);
  setTimeout(() => trigger.close(), 50);
  const started = performance.now();
  assert.equal(await waiting, 'gone');
  // Bounded poll slices: the close is noticed within one slice (1 s), not after the 5 s wait.
  assert.ok(performance.now() - started < 2000);
  assert.equal(await trigger.wait(10), 'gone');
  trigger.close();
});

const UNIFIED = '/sys/fs/cgroup/unified';
const cgroupSkip =
  process.getuid?.() === 0 && existsSync(join(UNIFIED, 'memory.pressure'))
    ? false
    : 'needs root and cgroup2 PSI files';

test('removing the cgroup under a trigger makes wait() answer gone (POLLERR)', {
  skip: cgroupSkip,
}, async (t) => {
  const dir = join(UNIFIED, `oomguard-test-psi-${process.pid}`);
  mkdirSync(dir);
  t.after(() => {
    if (existsSync(dir)) rmdirSync(dir);
  });
  const trigger = openPsiTrigger(join(dir, 'memory.pressure'), 'some', 150_000, 2_000_000);
  t.after(() => trigger.close());
  const waiting = trigger.wait(5000);
  setTimeout(() => rmdirSync(dir), 1200); // after the first 1 s slice, so the loop is exercised too
  const started = performance.now();
  assert.equal(await waiting, 'gone');
  const elapsed = performance.now() - started;
  assert.ok(elapsed >= 1100 && elapsed < 4000, `gone after ${elapsed} ms`);
});
