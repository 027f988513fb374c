// oomguard postmortem as a user runs it: on a file, on standard input, with --json, and its errors.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO, runCli } from '../helpers/cli.js';

const FIXTURE = join(REPO, 'test/fixtures/oom-reports/linux-4.14-global-dmesg.log');

function runWithStdin(
  args: string[],
  input: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'src/cli/main.ts'), ...args], {
      cwd: REPO,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

test('a file: the victim, the recomputed choice and the oomguard verdict in text', async () => {
  const res = await runCli(['postmortem', FIXTURE]);
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, /^OOM report #1 at 5012\.331020 \(lines 1–46\)$/m);
  assert.match(res.stdout, /^ {2}killed: {5}1502 \(node\), resident 586\.7 MiB/m);
  assert.match(res.stdout, /^ {2}recomputed: AGREES — 1502 \(node\) has the highest badness, 301124 pages/m);
  assert.match(
    res.stdout,
    /^ {2}runner-up: {2}1630 \(stress\) 291705 pages; margin 9419 pages \(36\.8 MiB\)$/m,
  );
  assert.match(res.stdout, /^ {2}oomguard: {3}WOULD ACT \(kill\)/m);
});

test('standard input with --json gives the same reports as the file', async () => {
  const fromFile = await runCli(['postmortem', '--json', FIXTURE]);
  const fromStdin = await runWithStdin(['postmortem', '-', '--json'], readFileSync(FIXTURE, 'utf8'));
  assert.equal(fromStdin.code, 0, fromStdin.stderr);
  const a = JSON.parse(fromFile.stdout);
  const b = JSON.parse(fromStdin.stdout);
  assert.equal(a.source, FIXTURE);
  assert.equal(b.source, 'standard input');
  assert.deepEqual(a.reports, b.reports);
  const r = b.reports[0];
  // The shape docs/postmortem.md documents.
  assert.deepEqual(Object.keys(r), [
    'index',
    'host',
    'stamp',
    'lines',
    'partial',
    'problems',
    'kernelVersion',
    'kind',
    'kindSource',
    'constraint',
    'memcg',
    'taskMemcg',
    'pod',
    'trigger',
    'victim',
    'kernelChoice',
    'pageSize',
    'totalPages',
    'ranking',
    'recomputed',
    'oomguard',
    'report',
  ]);
  assert.equal(r.victim.pid, 1502);
  assert.equal(r.recomputed.winner.pid, 1502);
  assert.equal(r.report.tasks.length, 5);
});

test('an unreadable file: exit 1 with a message naming it', async () => {
  const missing = await runCli(['postmortem', '/nonexistent/kern.log']);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, 'oomguard: cannot read /nonexistent/kern.log: no such file\n');
  const dir = mkdtempSync(join(tmpdir(), 'oomguard-pm-'));
  const isDir = await runCli(['postmortem', dir]);
  assert.equal(isDir.code, 1);
  assert.equal(isDir.stderr, `oomguard: cannot read ${dir}: it is a directory\n`);
});

test('a log without any OOM report: a clear message, exit 0', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'oomguard-pm-'));
  const file = join(dir, 'quiet.log');
  writeFileSync(
    file,
    '[    0.000000] Linux version 6.18.0\n[    1.000000] usb 1-1: new high-speed USB device\n',
  );
  const text = await runCli(['postmortem', file]);
  assert.equal(text.code, 0);
  assert.equal(
    text.stdout,
    `no kernel OOM report in ${file} (no "invoked oom-killer" or "Killed process" line)\n`,
  );
  const json = await runCli(['postmortem', '--json', file]);
  assert.equal(json.code, 0);
  assert.deepEqual(JSON.parse(json.stdout), { source: file, reports: [] });
  assert.match(json.stderr, /no kernel OOM report/);
});

test('a bad --page-size is a usage error', async () => {
  const res = await runCli(['postmortem', '--page-size', 'big', FIXTURE]);
  assert.equal(res.code, 2);
  assert.match(res.stderr, /--page-size: expected a positive whole number, got "big"/);
});
