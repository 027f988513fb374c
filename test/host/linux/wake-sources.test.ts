// The daemon's wake-up sources: a source that reports its end is dropped (the loop must not spin on it), and
// a usage threshold that cannot be armed says so once and leaves the daemon polling.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PsiTrigger, PsiWaitResult } from '../../../src/host/linux/psi-trigger.js';
import { WakeSources } from '../../../src/host/linux/wake-sources.js';

function fakePsi(answers: PsiWaitResult[]): PsiTrigger & { waits: number } {
  return {
    file: '/proc/pressure/memory',
    waits: 0,
    async wait() {
      this.waits++;
      return answers.shift() ?? 'timeout';
    },
    close() {},
  };
}

test("a PSI trigger that answers 'gone' is not waited on again", async () => {
  const psi = fakePsi(['gone']);
  const wakes = new WakeSources({ psi, scopeDir: null, onWarning: () => assert.fail('no warning expected') });
  assert.equal(wakes.active, true);
  assert.equal(await wakes.wait(50), 'gone');
  assert.equal(wakes.active, false);
  const started = performance.now();
  await wakes.wait(50); // now only the timeout: it takes the whole 50 ms, not an instant 'gone'
  assert.ok(performance.now() - started >= 45);
  assert.equal(psi.waits, 1);
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
