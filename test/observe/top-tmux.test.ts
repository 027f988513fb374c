// `oomguard top` in a real terminal: tmux (a private server, a fixed 120×32 pane) runs it on the v2 fixture
// tree; the test reads the screen back with capture-pane. It draws the header and the victims, re-sorts on a
// key, and on `q` (or SIGTERM) leaves the terminal as it found it: main screen, cursor visible, the shell's
// lines untouched. Expected orders come from the fixture files (see test/cli/rank-fixtures.test.ts):
//   kill order  python3 11, p1 13, p2 14, java 10, sh 2, redis-server 12, tini 1
//   by RSS      java 10 (4.10 GiB), python3 11 and sh 2 (1 GiB each; kill order decides), p1 13, p2 14, redis 12, tini 1
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPO } from '../helpers/cli.js';

const SERVER = `oomguard-test-${process.pid}`;
const PANE = 'top';

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SERVER, ...args], { encoding: 'utf8' });
}

function screen(): string[] {
  return tmux('capture-pane', '-p', '-t', PANE).split('\n');
}

function paneFlag(name: string): string {
  return tmux('display-message', '-p', '-t', PANE, `#{${name}}`).trim();
}

async function waitFor<T>(what: string, probe: () => T | null | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== null && v !== false) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; screen:\n${screen().join('\n')}`);
    await sleep(100);
  }
}

/** The PID column of the victims table, top to bottom. */
function victimPids(lines: readonly string[]): number[] {
  const head = lines.findIndex((l) => /^#\s+PID\s+USER/.test(l));
  assert.ok(head >= 0, `no victims table on screen:\n${lines.join('\n')}`);
  const pids: number[] = [];
  for (const l of lines.slice(head + 1)) {
    const m = /^\s*\d+\s+(\d+)\s/.exec(l);
    if (!m) break;
    pids.push(Number(m[1]));
  }
  return pids;
}

/** The shell's own lines: everything up to the last non-empty line. */
function shellLines(): string[] {
  const lines = screen();
  while (lines.length > 0 && lines.at(-1)?.trim() === '') lines.pop();
  return lines;
}

function setUp(t: import('node:test').TestContext) {
  try {
    execFileSync('tmux', ['-V']);
  } catch {
    assert.fail('tmux is needed for this test (apt-get install tmux; .ci/run installs it)');
  }
  const dir = mkdtempSync(join(tmpdir(), 'oomguard-top-tmux-'));
  const history = join(dir, 'history.jsonl');
  writeFileSync(
    history,
    `${JSON.stringify({ time: '2026-11-02T10:11:12.000Z', event: 'signal', message: 'sent SIGKILL', pid: 4321, comm: 'leaky', signal: 'SIGKILL', rssBytes: 3 * 1024 ** 3, reason: 'memory short' })}\n`,
  );
  // A short wrapper keeps the typed command inside the pane's width.
  const script = join(dir, 'top.sh');
  writeFileSync(
    script,
    `cd ${REPO} && exec ${process.execPath} --import tsx src/cli/main.ts --root test/fixtures/v2 top --interval 0.2 --history ${history}\n`,
  );
  t.after(() => {
    try {
      tmux('kill-server');
    } catch {
      // Already gone.
    }
    rmSync(dir, { recursive: true, force: true });
  });
  tmux(
    '-f',
    '/dev/null',
    'new-session',
    '-d',
    '-s',
    PANE,
    '-x',
    '120',
    '-y',
    '32',
    'env -i PATH=/usr/bin:/bin TERM=xterm-256color bash --norc --noprofile',
  );
  tmux('send-keys', '-t', PANE, "PS1='ready$ '; clear; echo before-top", 'Enter');
  return { script };
}

test('top draws, sorts on a key and quits on q leaving the terminal as it was', async (t) => {
  const { script } = setUp(t);
  const baseline = await waitFor('the prompt', () => {
    const l = shellLines();
    return l.at(-1) === 'ready$' && l.includes('before-top') ? l : null;
  });
  assert.equal(paneFlag('alternate_on'), '0');

  tmux('send-keys', '-t', PANE, `sh ${script}`, 'Enter');
  let lines = await waitFor('the first screen', () => {
    const s = screen();
    return s.some((l) => l.startsWith('Next victims')) ? s : null;
  });
  assert.equal(paneFlag('alternate_on'), '1', 'drawn on the alternate screen');
  assert.equal(paneFlag('cursor_flag'), '0', 'cursor hidden');
  assert.match(
    lines[0] ?? '',
    /^oomguard top {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC {2}ranker kernel {2}scope \/$/,
  );
  assert.match(lines[1] ?? '', /^Mem {2}\[#{15}\.{15}\] 8\.00 GiB available of 16\.0 GiB \(50\.0 %\)$/);
  assert.equal(lines[2], 'Swap none');
  assert.equal(lines[3], 'PSI  memory some avg10 0.00 %  full avg10 0.00 %');
  assert.match(lines[5] ?? '', /^Next victims: 7 killable of 8, sorted by score/);
  assert.deepEqual(victimPids(lines), [11, 13, 14, 10, 2, 12, 1]);
  assert.ok(
    lines.some((l) =>
      /^2026-11-02 10:11:12\s+signal\s+4321\s+leaky\s+SIGKILL\s+3\.00 GiB\s+memory short$/.test(l),
    ),
    'the recorded kill is listed',
  );

  tmux('send-keys', '-t', PANE, 'r');
  lines = await waitFor('the RSS order', () => {
    const s = screen();
    return s.some((l) => l.includes('sorted by rss')) ? s : null;
  });
  assert.deepEqual(victimPids(lines), [10, 11, 2, 13, 14, 12, 1]);

  tmux('send-keys', '-t', PANE, 'p');
  lines = await waitFor('the pid order', () => {
    const s = screen();
    return s.some((l) => l.includes('sorted by pid')) ? s : null;
  });
  assert.deepEqual(victimPids(lines), [1, 2, 10, 11, 12, 13, 14]);

  tmux('send-keys', '-t', PANE, 'q');
  await waitFor('the main screen', () => paneFlag('alternate_on') === '0');
  // Type only once the shell prompts again: keys typed while top is still exiting are echoed early.
  await waitFor(
    'the prompt after top',
    () => shellLines().at(-1) === 'ready$' && shellLines().length > baseline.length,
  );
  tmux('send-keys', '-t', PANE, 'echo "rc=$?"', 'Enter');
  const after = await waitFor('the exit status', () => {
    const l = shellLines();
    return l.at(-1) === 'ready$' && l.some((x) => x.startsWith('rc=')) ? l : null;
  });
  assert.deepEqual(after, [
    ...baseline.slice(0, -1),
    `ready$ sh ${script}`,
    'ready$ echo "rc=$?"',
    'rc=0',
    'ready$',
  ]);
  assert.equal(paneFlag('cursor_flag'), '1', 'cursor shown again');
  assert.ok(!after.some((l) => l.includes('Next victims')), 'nothing of the view is left');
});

test('SIGTERM from outside: the terminal is restored and top dies of the signal', async (t) => {
  const { script } = setUp(t);
  await waitFor('the prompt', () => shellLines().at(-1) === 'ready$');
  tmux('send-keys', '-t', PANE, `sh ${script}`, 'Enter');
  await waitFor('the first screen', () => screen().some((l) => l.startsWith('Next victims')));
  // The pane's shell started `sh`, which exec'd node: the shell's only child is this test's top.
  const shell = Number(paneFlag('pane_pid'));
  const children = readFileSync(`/proc/${shell}/task/${shell}/children`, 'utf8').trim().split(/\s+/);
  assert.equal(children.length, 1);
  const top = Number(children[0]);
  assert.match(
    readFileSync(`/proc/${top}/cmdline`, 'utf8'),
    /src\/cli\/main\.ts\0--root\0test\/fixtures\/v2\0top\0/,
  );
  process.kill(top, 'SIGTERM');
  await waitFor('the main screen', () => paneFlag('alternate_on') === '0');
  tmux('send-keys', '-t', PANE, 'echo "rc=$?"', 'Enter');
  const after = await waitFor('the exit status', () => {
    const l = shellLines();
    return l.some((x) => x.startsWith('rc=')) ? l : null;
  });
  // 128 + 15: killed by SIGTERM, as a shell reports it.
  assert.ok(after.includes('rc=143'), after.join('\n'));
  assert.equal(paneFlag('cursor_flag'), '1');
  assert.ok(!after.some((l) => l.includes('Next victims')));
});
