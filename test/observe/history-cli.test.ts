// `oomguard history` end to end: the table, JSON, --limit, a missing file (an answer, exit 0), corrupt lines
// (skipped, counted on stderr), rotated files read oldest first.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';

function tempDir(t: import('node:test').TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'oomguard-history-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const SIGTERM_LINE = JSON.stringify({
  pid: 42,
  comm: 'hog\nfake line',
  signal: 'SIGTERM',
  rssBytes: 3 * 1024 ** 3,
  reason: 'memory available 4.0 % <= 10 %',
  dryRun: false,
  time: '2026-11-02T10:11:12.345Z',
  event: 'signal',
  message: 'sent SIGTERM to pid 42',
});
const EXIT_LINE = JSON.stringify({
  pid: 42,
  comm: 'hog\nfake line',
  signal: 'SIGTERM',
  pids: [42],
  afterMs: 120.4,
  time: '2026-11-02T10:11:13.000Z',
  event: 'exit',
  message: 'pid 42 exited',
});
const DRY_LINE = JSON.stringify({
  pid: 7,
  comm: 'java',
  signal: 'SIGKILL',
  rssBytes: 512 * 1024 ** 2,
  reason: 'memory short',
  dryRun: true,
  time: '2026-11-03T00:00:00.000Z',
  event: 'signal',
  message: 'dry run',
});

test('a table, oldest first, names escaped, rotated files included', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'history.jsonl');
  writeFileSync(`${file}.1`, `${SIGTERM_LINE}\n${EXIT_LINE}\n`);
  writeFileSync(file, `${DRY_LINE}\n`);
  const r = await runCli(['history', '--file', file]);
  assert.equal(r.stderr, '');
  assert.equal(r.code, 0);
  assert.equal(
    r.stdout,
    [
      'TIME (UTC)           EVENT   PID  NAME            SIGNAL        RSS  DETAIL',
      '2026-11-02 10:11:12  signal   42  hog\\nfake line  SIGTERM  3.00 GiB  memory available 4.0 % <= 10 %',
      '2026-11-02 10:11:13  exit     42  hog\\nfake line  SIGTERM         -  exited 120 ms after the first signal',
      '2026-11-03 00:00:00  signal    7  java            SIGKILL   512 MiB  dry run: memory short',
      '',
    ].join('\n'),
  );
});

test('--json and --limit: the newest N entries as objects', async (t) => {
  const file = join(tempDir(t), 'history.jsonl');
  writeFileSync(file, `${SIGTERM_LINE}\n${EXIT_LINE}\n${DRY_LINE}\n`);
  const r = await runCli(['history', '--file', file, '--json', '--limit', '2']);
  assert.equal(r.code, 0);
  assert.deepEqual(JSON.parse(r.stdout), [
    {
      time: '2026-11-02T10:11:13.000Z',
      event: 'exit',
      message: 'pid 42 exited',
      fields: { pid: 42, comm: 'hog\nfake line', signal: 'SIGTERM', pids: [42], afterMs: 120.4 },
    },
    {
      time: '2026-11-03T00:00:00.000Z',
      event: 'signal',
      message: 'dry run',
      fields: {
        pid: 7,
        comm: 'java',
        signal: 'SIGKILL',
        rssBytes: 536870912,
        reason: 'memory short',
        dryRun: true,
      },
    },
  ]);
});

test('corrupt lines are skipped and counted on stderr; the rest is printed', async (t) => {
  const file = join(tempDir(t), 'history.jsonl');
  writeFileSync(file, `${SIGTERM_LINE}\n{"time":"2026-11-0\ngarbage\n${EXIT_LINE}\n`);
  const r = await runCli(['history', '--file', file, '--json']);
  assert.equal(r.code, 0);
  assert.equal(r.stderr, `oomguard: skipped 2 corrupt lines in ${file}\n`);
  assert.deepEqual(
    (JSON.parse(r.stdout) as { event: string }[]).map((e) => e.event),
    ['signal', 'exit'],
  );
});

test('no file yet: "no kills recorded", exit 0; [] with --json', async (t) => {
  const file = join(tempDir(t), 'none.jsonl');
  const r = await runCli(['history', '--file', file]);
  assert.deepEqual([r.code, r.stdout, r.stderr], [0, `no kills recorded (${file} does not exist)\n`, '']);
  const j = await runCli(['history', '--file', file, '--json']);
  assert.deepEqual([j.code, j.stdout, j.stderr], [0, '[]\n', '']);
});

test('an empty file says so too', async (t) => {
  const file = join(tempDir(t), 'h.jsonl');
  writeFileSync(file, '');
  const r = await runCli(['history', '--file', file]);
  assert.deepEqual([r.code, r.stdout], [0, `no kills recorded in ${file}\n`]);
});

test('errors: a bad --limit is a usage error (2); a directory is a read error (1)', async (t) => {
  const dir = tempDir(t);
  const bad = await runCli(['history', '--file', join(dir, 'x'), '--limit', '0']);
  assert.deepEqual(
    [bad.code, bad.stderr],
    [2, 'oomguard: --limit: expected a positive whole number, got "0"\n'],
  );
  const isDir = await runCli(['history', '--file', dir]);
  assert.deepEqual([isDir.code, isDir.stderr], [1, `oomguard: history: ${dir} is a directory\n`]);
});
