// The daemon's wake-up sources: a source that reports its end is dropped (the loop must not spin on it), and
// a usage threshold that cannot be armed says so once and leaves the daemon polling; on the real kernel, the
// PSI trigger and a usage threshold wait in one poll.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { FdWaiter } from '../../../src/host/linux/fd-waiter.js';
import { openPsiTrigger, type PsiTrigger } from '../../../src/host/linux/psi-trigger.js';
import { WakeSources } from '../../../src/host/linux/wake-sources.js';
import { openEventfds } from '../../helpers/fds.js';
import { countingNative } from '../../helpers/native-calls.js';
import { memcgUnavailableReason, memcgUsageBytes, Sandbox } from '../../helpers/sandbox.js';

const MiB = 1024 * 1024;
const skip = memcgUnavailableReason() ?? false;

/** A PSI trigger whose source is gone: it answers 'gone' as it is asked to join a poll. */
function gonePsi(): PsiTrigger & { joins: number } {
  return {
    file: '/proc/pressure/memory',
    joins: 0,
    async wait() {
      return 'gone';
    },
    joinPoll() {
      this.joins++;
      return null;
    },
    leavePoll() {
      return assert.fail('a source that joined no poll does not leave one');
    },
    close() {},
  };
}

test("a PSI trigger that answers 'gone' is not waited on again", async () => {
  const psi = gonePsi();
  const wakes = new WakeSources({ psi, scopeDir: null, onWarning: () => assert.fail('no warning expected') });
  assert.equal(wakes.active, true);
  assert.equal(await wakes.wait(50), 'gone');
  assert.equal(wakes.active, false);
  const started = performance.now();
  assert.equal(await wakes.wait(50), 'timeout'); // now only the timeout: the whole 50 ms, not an instant 'gone'
  assert.ok(performance.now() - started >= 45);
  assert.equal(psi.joins, 1);
  wakes.close();
});

test('PSI and the usage threshold are one poll: a crossing wakes it at once; close() leaves no fd', {
  skip: skip || (existsSync('/proc/pressure/memory') ? false : 'no /proc/pressure/memory'),
}, async (t) => {
  const sandbox = new Sandbox();
  t.after(() => sandbox.cleanup());
  const cg = sandbox.createMemcg('wake-sources', 256 * MiB);
  const { native, polls, eventfdsOpen } = countingNative();
  // A full stall of the whole 2 s window: cannot happen while this test runs, so PSI stays quiet.
  const psi = openPsiTrigger('/proc/pressure/memory', 'full', 2_000_000, 2_000_000);
  const wakes = new WakeSources({
    psi,
    scopeDir: cg.dir,
    onWarning: (m) => assert.fail(`no warning expected: ${m}`),
    waiter: new FdWaiter(native),
  });
  t.after(() => wakes.close());
  wakes.setUsageThreshold(32 * MiB);
  const before = openEventfds();
  assert.equal(await wakes.wait(100), 'timeout');
  assert.equal(polls(), 1, 'both sources in one poll');

  const hog = await sandbox.startHog({ cgroup: cg, sizeMiB: 16, pushMiB: 32 });
  const woken = wakes.wait(10_000);
  const pushedAt = performance.now();
  hog.push();
  assert.equal(await woken, 'event');
  assert.ok(performance.now() - pushedAt < 1000, 'woken as usage crossed, not at the timeout');
  assert.ok(memcgUsageBytes(cg.dir) >= 32 * MiB);
  assert.equal(polls(), 2);

  // Closing during a wait ends it, and every eventfd (the sources' and the shared waiter's) is closed.
  const closing = wakes.wait(60_000);
  await new Promise((resolve) => setTimeout(resolve, 50));
  wakes.close();
  assert.equal(await closing, 'gone');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(eventfdsOpen(), 0);
  assert.equal(
    openEventfds(),
    before - 4,
    "the threshold's eventfd and three waiters' (the trigger's, the threshold's, the shared one)",
  );
});

test('a usage threshold that cannot be armed warns once; the daemon polls', () => {
  const warnings: string[] = [];
  const wakes = new WakeSources({
    psi: null,
    scopeDir: '/sys/fs/cgroup/memory/oomguard-test-no-such-cgroup',
    onWarning: (m) => warnings.push(m),
  });
  assert.equal(wakes.active, true);
  wakes.setUsageThreshold(100 * 1024 * 1024);
  wakes.setUsageThreshold(90 * 1024 * 1024);
  assert.equal(warnings.length, 1);
  assert.match(
    warnings[0] as string,
    /^no usage-threshold wake-ups, polling only: cannot arm a usage threshold: .*no such cgroup$/,
  );
  assert.equal(wakes.active, false);
  wakes.close();
});
