// PSI triggers on the real kernel: this machine lacks CAP_SYS_RESOURCE, so windows must be multiples of 2 s.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readlinkSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openPsiTrigger } from '../../src/host/linux/psi-trigger.js';
import { OomguardError, UsageError } from '../../src/model/errors.js';
import { countingNative } from '../helpers/native-calls.js';

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
  let closedAt = 0;
  setTimeout(() => {
    closedAt = performance.now();
    trigger.close();
  }, 50);
  assert.equal(await waiting, 'gone');
  // The close wakes the poll through the eventfd: no waiting for a poll slice or for the 5 s to pass.
  const late = performance.now() - closedAt;
  assert.ok(closedAt > 0 && late < 100, `gone ${late} ms after close()`);
  assert.equal(await trigger.wait(10), 'gone');
  trigger.close();
});

/** How many of our fds are the pressure file and how many are eventfds. */
function openFds(): { pressure: number; eventfds: number } {
  const links = readdirSync('/proc/self/fd').map((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      return ''; // the fd readdir itself used, closed by now
    }
  });
  return {
    pressure: links.filter((l) => l === MEMORY).length,
    eventfds: links.filter((l) => l === 'anon_inode:[eventfd]').length,
  };
}

test('an idle wait(3000) is one poll: no wake-up before the timeout', { skip: psiSkip }, async (t) => {
  const { native, polls } = countingNative();
  // 2 s of stall in a 2 s window cannot happen on a machine that is still running this test.
  const trigger = openPsiTrigger(MEMORY, 'full', 2_000_000, 2_000_000, { native });
  t.after(() => trigger.close());
  const started = performance.now();
  assert.equal(await trigger.wait(3000), 'timeout');
  const elapsed = performance.now() - started;
  assert.equal(polls(), 1, 'polls started during one idle wait');
  assert.ok(elapsed >= 2999 && elapsed < 3500, `waited ${elapsed} ms`);
});

test('close() ends a 60 s wait within 100 ms, then both fds are closed', { skip: psiSkip }, async () => {
  const before = openFds();
  const { native, polls } = countingNative();
  const trigger = openPsiTrigger(MEMORY, 'full', 2_000_000, 2_000_000, { native });
  assert.deepEqual(openFds(), { pressure: before.pressure + 1, eventfds: before.eventfds + 1 });
  const waiting = trigger.wait(60_000);
  await new Promise((r) => setTimeout(r, 100));
  const closedAt = performance.now();
  trigger.close();
  // Closing under the worker's poll would be unsafe: the fds stay open until the poll returned.
  assert.deepEqual(openFds(), { pressure: before.pressure + 1, eventfds: before.eventfds + 1 });
  assert.equal(await waiting, 'gone');
  const late = performance.now() - closedAt;
  assert.ok(late < 100, `gone ${late} ms after close()`);
  assert.deepEqual(openFds(), before);
  assert.equal(polls(), 1);
});

test('aborting the signal ends a wait with timeout; the trigger waits again afterwards', {
  skip: psiSkip,
}, async (t) => {
  const trigger = openPsiTrigger(MEMORY, 'full', 2_000_000, 2_000_000);
  t.after(() => trigger.close());
  const controller = new AbortController();
  const waiting = trigger.wait(60_000, controller.signal);
  setTimeout(() => controller.abort(), 50);
  const started = performance.now();
  assert.equal(await waiting, 'timeout');
  const elapsed = performance.now() - started;
  assert.ok(elapsed >= 40 && elapsed < 150, `aborted after ${elapsed} ms`);
  // The abort left no count in the eventfd behind: the next wait runs its full timeout.
  const again = performance.now();
  assert.equal(await trigger.wait(200), 'timeout');
  assert.ok(performance.now() - again >= 199);
  assert.equal(await trigger.wait(10, controller.signal), 'timeout', 'an aborted signal: no wait');
});

test('bad timeouts are usage errors', { skip: psiSkip }, async (t) => {
  const trigger = openPsiTrigger(MEMORY, 'full', 2_000_000, 2_000_000);
  t.after(() => trigger.close());
  for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31]) {
    await assert.rejects(
      trigger.wait(bad),
      (e: unknown) => e instanceof UsageError && /timeout must be/.test(e.message),
    );
  }
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
  setTimeout(() => rmdirSync(dir), 1200); // well into the one poll, which must notice the removal itself
  const started = performance.now();
  assert.equal(await waiting, 'gone');
  const elapsed = performance.now() - started;
  assert.ok(elapsed >= 1100 && elapsed < 4000, `gone after ${elapsed} ms`);
});
