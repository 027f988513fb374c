// cgroup v1 usage thresholds on the real kernel: a hog of known size in a sandbox memcg crosses the threshold,
// and memory.usage_in_bytes, read when the event arrives, says it really was crossed just then.
import assert from 'node:assert/strict';
import { existsSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FdWaiter, waitTogether } from '../../../src/host/linux/fd-waiter.js';
import { armUsageThreshold } from '../../../src/host/linux/memcg-threshold.js';
import { openPsiTrigger } from '../../../src/host/linux/psi-trigger.js';
import { HostReadError, OomguardError, UsageError } from '../../../src/model/errors.js';
import { openEventfds } from '../../helpers/fds.js';
import { memcgUnavailableReason, memcgUsageBytes, Sandbox, V1_MEMORY_MOUNT } from '../../helpers/sandbox.js';

const MiB = 1024 * 1024;
const skip = memcgUnavailableReason() ?? false;

test('usage crossing 128 MiB wakes the wait as it happens, upwards and then downwards', {
  skip,
}, async (t) => {
  const sandbox = new Sandbox();
  t.after(() => sandbox.cleanup());
  const cg = sandbox.createMemcg('threshold', 256 * MiB);
  const thresholdBytes = 128 * MiB;
  const threshold = armUsageThreshold(cg.dir, thresholdBytes);
  t.after(() => threshold.close());
  assert.equal(threshold.cgroupDir, cg.dir);
  assert.equal(threshold.thresholdBytes, thresholdBytes);

  // 64 MiB now; 96 MiB more at 100 MiB/s after push(): the crossing comes about 0.6 s into the growth.
  const hog = await sandbox.startHog({ cgroup: cg, sizeMiB: 64, pushMiB: 96, rateMiBPerSec: 100 });
  const before = memcgUsageBytes(cg.dir);
  assert.ok(before >= 64 * MiB && before < 80 * MiB, `usage ${before} with 64 MiB held`);
  assert.equal(await threshold.wait(300), 'timeout', 'no event below the threshold');

  const waiting = threshold.wait(10_000);
  const pushedAt = performance.now();
  hog.push();
  assert.equal(await waiting, 'event');
  const at = memcgUsageBytes(cg.dir);
  const after = performance.now() - pushedAt;
  // At 100 MiB/s the hog adds about 1 MiB per 10 ms: an event within ~100 ms of the crossing finds usage
  // within 12 MiB above it, and certainly short of the 160 MiB the hog ends at.
  assert.ok(at >= thresholdBytes && at < thresholdBytes + 12 * MiB, `usage ${at / MiB} MiB at the event`);
  const crossingMs = ((thresholdBytes - before) / MiB) * 10;
  t.diagnostic(
    `event ${after.toFixed(0)} ms after push (crossing due at ${crossingMs.toFixed(0)}), usage ${(at / MiB).toFixed(1)} MiB`,
  );
  assert.ok(
    after >= crossingMs * 0.8,
    `event ${after} ms after push, the crossing is due at ${crossingMs} ms`,
  );
  await hog.waitFor('pushed');
  assert.ok(memcgUsageBytes(cg.dir) >= 160 * MiB);

  // Already above: a second threshold armed now stays quiet (arming reports nothing about the present).
  const second = armUsageThreshold(cg.dir, thresholdBytes);
  t.after(() => second.close());
  assert.equal(await second.wait(300), 'timeout');
  assert.equal(await threshold.wait(300), 'timeout', 'the event counter was reset by the first wait');

  // Down again: the hog's 160 MiB are uncharged when it dies, and both thresholds see usage fall through.
  const both = Promise.all([threshold.wait(10_000), second.wait(10_000)]);
  hog.child.kill('SIGKILL');
  assert.deepEqual(await both, ['event', 'event']);
  assert.ok(memcgUsageBytes(cg.dir) < thresholdBytes);
});

test('a PSI trigger and a usage threshold in one poll: the crossing wakes it, and both have left it', {
  skip: skip || (existsSync('/proc/pressure/memory') ? false : 'no /proc/pressure/memory'),
}, async (t) => {
  const sandbox = new Sandbox();
  t.after(() => sandbox.cleanup());
  const cg = sandbox.createMemcg('threshold-psi', 256 * MiB);
  const usageThreshold = armUsageThreshold(cg.dir, 32 * MiB);
  t.after(() => usageThreshold.close());
  // A full stall of the whole 2 s window: cannot happen while this test runs, so PSI stays quiet.
  const psi = openPsiTrigger('/proc/pressure/memory', 'full', 2_000_000, 2_000_000);
  t.after(() => psi.close());
  const hog = await sandbox.startHog({ cgroup: cg, sizeMiB: 16, pushMiB: 32 });
  const waiter = new FdWaiter();
  t.after(() => waiter.close());
  const both = waitTogether([psi, usageThreshold], waiter, 10_000);
  const pushedAt = performance.now();
  hog.push();
  assert.deepEqual(await both, ['timeout', 'event']);
  assert.ok(performance.now() - pushedAt < 1000);
  assert.ok(memcgUsageBytes(cg.dir) >= 32 * MiB);
  // Neither is still waiting: a new round starts without "already in progress".
  assert.deepEqual(await Promise.all([psi.wait(50), usageThreshold.wait(50)]), ['timeout', 'timeout']);
});

test('close() ends a long wait with gone at once and unregisters the threshold', { skip }, async (t) => {
  const sandbox = new Sandbox();
  t.after(() => sandbox.cleanup());
  const cg = sandbox.createMemcg('threshold-close', 256 * MiB);
  const before = openEventfds();
  const threshold = armUsageThreshold(cg.dir, 128 * MiB);
  assert.equal(openEventfds(), before + 2, 'the threshold and its waiter');
  const waiting = threshold.wait(60_000);
  await assert.rejects(threshold.wait(10), /already in progress/);
  await new Promise((r) => setTimeout(r, 50));
  const closedAt = performance.now();
  threshold.close();
  assert.equal(await waiting, 'gone');
  assert.ok(performance.now() - closedAt < 100, `gone ${performance.now() - closedAt} ms after close()`);
  assert.equal(openEventfds(), before);
  assert.equal(await threshold.wait(10), 'gone');
  threshold.close();
});

test('removing the cgroup wakes the wait with gone', { skip }, async (t) => {
  const sandbox = new Sandbox();
  t.after(() => sandbox.cleanup());
  const cg = sandbox.createMemcg('threshold-rmdir', 256 * MiB);
  const threshold = armUsageThreshold(cg.dir, 128 * MiB);
  t.after(() => threshold.close());
  const waiting = threshold.wait(10_000);
  await new Promise((r) => setTimeout(r, 100));
  const removedAt = performance.now();
  rmdirSync(cg.dir);
  assert.equal(await waiting, 'gone');
  assert.ok(performance.now() - removedAt < 1000, `gone ${performance.now() - removedAt} ms after rmdir`);
  assert.equal(await threshold.wait(10), 'gone');
});

test('arming errors name the file, the errno and the reason', { skip }, async () => {
  const missing = join(V1_MEMORY_MOUNT, `oomguard-test-missing-${process.pid}`);
  assert.throws(
    () => armUsageThreshold(missing, 128 * MiB),
    (e: unknown) =>
      e instanceof HostReadError &&
      e.path === join(missing, 'memory.usage_in_bytes') &&
      e.message ===
        `cannot arm a usage threshold: opening ${missing}/memory.usage_in_bytes failed (ENOENT): no such cgroup`,
  );
  assert.throws(
    () => armUsageThreshold('/sys/fs/cgroup/pids', 128 * MiB),
    /opening \/sys\/fs\/cgroup\/pids\/memory.usage_in_bytes failed \(ENOENT\): \/sys\/fs\/cgroup\/pids is not in the cgroup v1 memory hierarchy$/,
  );
  for (const bad of [0, -1, 1.5, Number.NaN, 2 ** 53]) {
    assert.throws(
      () => armUsageThreshold(missing, bad),
      (e: unknown) =>
        e instanceof UsageError &&
        e.message === `usage threshold on ${missing}: must be a whole number of bytes > 0, not ${bad}`,
    );
  }
  assert.throws(
    () => armUsageThreshold(V1_MEMORY_MOUNT, 128 * MiB, { native: null }),
    (e: unknown) => e instanceof OomguardError && /native calls disabled/.test(e.message),
  );
});

const UNIFIED = '/sys/fs/cgroup/unified';
test('a cgroup v2 directory is refused, pointing at memory.events and memory.high', {
  skip: existsSync(join(UNIFIED, 'cgroup.controllers')) ? false : 'no cgroup v2 hierarchy mounted',
}, () => {
  assert.throws(
    () => armUsageThreshold(UNIFIED, 128 * MiB),
    (e: unknown) =>
      e instanceof HostReadError &&
      e.message.startsWith(
        `cannot arm a usage threshold: opening ${UNIFIED}/memory.usage_in_bytes failed (ENOENT): ` +
          `${UNIFIED} is a cgroup v2 directory`,
      ) &&
      /cgroup v1 only; on v2 poll memory.events .* memory.high/.test(e.message),
  );
});
