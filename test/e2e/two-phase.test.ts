// The two-phase search on the real kernel: phase one reads the kernel's own /proc/PID/oom_score, phase two
// the full records of the top group only. A PID namespace of its own holds hogs of known sizes and a dry-run
// daemon that is always below its threshold (-m 99), so it selects at once; it sees only the namespace.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO } from '../helpers/cli.js';
import { hogPath } from '../helpers/sandbox.js';

const canUnshare = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']).status === 0;

test('a 256 MiB hog among 16, 64 MiB hogs and sleepers: chosen after reading its record alone', {
  skip: canUnshare ? false : 'needs unshare --pid (root) for a PID namespace of its own',
  timeout: 60_000,
}, async () => {
  const hog = hogPath();
  // Each hog prints "ready" once its memory is touched; the script prints the big one's pid, then becomes the daemon.
  const script = [
    `for s in 16 64; do "${hog}" -s $s >/dev/null & done`,
    `for i in 1 2 3 4 5; do sleep 600 & done`,
    `coproc BIG { exec "${hog}" -s 256; }`,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: bash, not a template
    'read -r line <&"${BIG[0]}"',
    'echo "big $BIG_PID"',
    'sleep 1',
    `exec "${process.execPath}" --import tsx "${join(REPO, 'src/cli/main.ts')}" run --json --history none --dry-run -m 99 -s 100 -r 0`,
  ].join('\n');
  const child = spawn('unshare', ['--pid', '--fork', '--kill-child', '--mount-proc', 'bash', '-c', script], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  try {
    const { bigPid, select, signal } = await new Promise<{
      bigPid: number;
      select: Record<string, unknown>;
      signal: Record<string, unknown>;
    }>((resolve, reject) => {
      let out = '';
      let bigPid = 0;
      let select: Record<string, unknown> | null = null;
      const timer = setTimeout(() => reject(new Error(`no select event; stderr: ${stderr}`)), 45_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        for (;;) {
          const nl = out.indexOf('\n');
          if (nl < 0) return;
          const line = out.slice(0, nl);
          out = out.slice(nl + 1);
          const big = /^big (\d+)$/.exec(line);
          if (big) bigPid = Number(big[1]);
          else if (line.startsWith('{')) {
            const e = JSON.parse(line) as Record<string, unknown>;
            if (e.event === 'select' && e.level === 'notice') select = e;
            // The dry run's "would send" carries the explanation.
            if (e.event === 'signal' && select !== null) {
              clearTimeout(timer);
              resolve({ bigPid, select, signal: e });
            }
          }
        }
      });
    });
    assert.ok(bigPid > 1, 'the script named the big hog');
    assert.equal(select.pid, bigPid);
    assert.equal(select.comm, 'hog');
    assert.equal(select.search, 'two-phase');
    // 256 MiB is ten quanta of T/1000 on this machine's RAM: nothing else shares its oom_score.
    assert.equal(select.detailed, 1);
    // Phase one saw every process: 3 hogs, 5 sleepers and the daemon itself (bash became it), plus tsx's
    // esbuild service while it compiles the daemon's sources on a cold cache.
    assert.ok(select.seen === 9 || select.seen === 10, `seen ${select.seen}`);
    assert.equal(signal.pid, bigPid);
    assert.match(
      String(signal.why),
      new RegExp(
        `^ranked among the 1 of ${select.seen} processes read in full; the others had a lower oom_score and could not outrank it\n`,
      ),
    );
  } finally {
    child.kill('SIGKILL');
  }
});
