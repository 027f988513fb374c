// The hook runner against real executables: scripts written to a temporary directory, run as this test's own
// children (and killed, on timeout, as their own process group). Nothing else on the machine is touched.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { OUTPUT_LIMIT, runHook } from '../../src/host/hook-runner.js';

const dir = mkdtempSync(join(tmpdir(), 'oomguard-hook-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Writes an executable script; `body` follows the shebang line. */
function script(name: string, shebang: string, body: string, mode = 0o755): string {
  const path = join(dir, name);
  writeFileSync(path, `#!${shebang}\n${body}\n`);
  chmodSync(path, mode);
  return path;
}

/** A Node script (no shell, which would add variables of its own) that prints its environment and arguments. */
const reporter = script(
  'report',
  process.execPath,
  'process.stdout.write(JSON.stringify({ env: process.env, argv: process.argv.slice(2) }));',
);

/** Whether the process is gone (or a zombie waiting for its reaper). */
function ended(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

describe('runHook', () => {
  it('gives the hook exactly the given environment, and nothing inherited but PATH', async () => {
    process.env.OOMGUARD_HOOK_TEST_LEAK = 'must not reach the hook';
    try {
      const env = { OOMGUARD_PID: '4321', OOMGUARD_NAME: 'hog; rm -rf', OOMGUARD_REASON: 'memory $(short)' };
      const res = await runHook({ path: reporter, args: [], timeoutMs: 10_000 }, env);
      assert.equal(res.code, 0);
      assert.equal(res.timedOut, false);
      assert.equal(res.error, undefined);
      assert.deepEqual(JSON.parse(res.output).env, { PATH, ...env });
    } finally {
      delete process.env.OOMGUARD_HOOK_TEST_LEAK;
    }
  });

  it('passes arguments verbatim, without a shell: spaces, ;, $(…), backquotes, quotes, empty', async () => {
    const args = ['two words', 'a; touch /tmp/pwned', '$(id)', '`id`', "'single'", '"double"', '', '*'];
    const res = await runHook({ path: reporter, args, timeoutMs: 10_000 }, {});
    assert.equal(res.code, 0);
    assert.deepEqual(JSON.parse(res.output).argv, args);
  });

  it('bounds the output to OUTPUT_LIMIT (4096) characters of stdout and stderr', async () => {
    assert.equal(OUTPUT_LIMIT, 4096);
    const loud = script('loud', '/bin/sh', "head -c 10000 /dev/zero | tr '\\0' a\nexit 3");
    const res = await runHook({ path: loud, args: [], timeoutMs: 10_000 }, {});
    assert.equal(res.code, 3);
    assert.equal(res.output, 'a'.repeat(4096));

    const err = script('stderr', '/bin/sh', 'echo oops >&2');
    const res2 = await runHook({ path: err, args: [], timeoutMs: 10_000 }, {});
    assert.deepEqual(res2, { code: 0, signal: null, timedOut: false, output: 'oops\n' });
  });

  it('kills a hook that outlives its timeout, with what it started (timedOut true)', async () => {
    // The shell starts a sleep of its own and reports its pid: the whole process group must go.
    const slow = script('slow', '/bin/sh', 'sleep 30 &\necho $!\nwait');
    const started = performance.now();
    const res = await runHook({ path: slow, args: [], timeoutMs: 300 }, {});
    const elapsed = performance.now() - started;
    assert.equal(res.timedOut, true);
    assert.equal(res.code, null);
    assert.equal(res.signal, 'SIGKILL');
    assert.ok(elapsed >= 300 && elapsed < 5000, `ended after ${elapsed} ms`);
    const sleeper = Number(res.output.trim());
    assert.ok(Number.isSafeInteger(sleeper) && sleeper > 1, `sleep pid ${res.output}`);
    for (let i = 0; i < 40 && !ended(sleeper); i++) await delay(50);
    assert.equal(ended(sleeper), true, 'the sleep the hook started was killed with it');
  });

  it('a missing executable gives `error`, not a throw', async () => {
    const res = await runHook({ path: join(dir, 'no-such-hook'), args: [], timeoutMs: 1000 }, {});
    assert.equal(res.code, null);
    assert.equal(res.timedOut, false);
    assert.match(res.error ?? '', /ENOENT/);
  });

  it('a file that is not executable gives `error` (EACCES)', async () => {
    const plain = script('plain', '/bin/sh', 'exit 0', 0o644);
    const res = await runHook({ path: plain, args: [], timeoutMs: 1000 }, {});
    assert.equal(res.code, null);
    assert.match(res.error ?? '', /EACCES/);
  });
});
