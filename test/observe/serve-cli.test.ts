// `oomguard serve` as a user runs it: the dashboard and /metrics of the real machine, with the kills of the
// daemon's history file, on a loopback port; SIGTERM ends it cleanly.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { REPO, runCli } from '../helpers/cli.js';
import { metricValue } from './promtool.js';

function startServe(args: readonly string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(REPO, 'src/cli/main.ts'), 'serve', ...args],
    {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`serve said nothing in 20 s: ${out}${err}`)), 20_000);
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      err += d;
    });
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /dashboard on (http:\/\/127\.0\.0\.1:\d+\/), metrics on \1metrics\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1] as string });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited ${code}: ${out}${err}`));
    });
  });
}

describe('oomguard serve', () => {
  const children: ChildProcess[] = [];
  after(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  test('serves the machine and the recorded kills on loopback, and stops on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oomguard-serve-'));
    const history = join(dir, 'history.jsonl');
    writeFileSync(
      history,
      `${JSON.stringify({ pid: 4242, comm: 'hog', signal: 'SIGKILL', unit: 'process', reason: 'short', time: '2024-05-01T10:00:00.000Z', event: 'signal', message: 'sent SIGKILL to pid 4242 (hog)' })}\n`,
    );
    const { child, url } = await startServe(['--listen', '127.0.0.1:0', '--history', history]);
    children.push(child);
    const state = await (await fetch(`${url}api/state`)).json();
    assert.deepEqual(
      state.kills.map((k: { timeMs: number; pid: number; comm: string; signal: string }) => [
        k.timeMs,
        k.pid,
        k.comm,
        k.signal,
      ]),
      [[Date.UTC(2024, 4, 1, 10), 4242, 'hog', 'SIGKILL']],
    );
    assert.ok(state.candidates.length > 0, 'the machine has killable processes');
    const metrics = await (await fetch(`${url}metrics`)).text();
    const avail = metricValue(metrics, 'oomguard_memory_available_bytes') ?? 0;
    const meminfo =
      Number(/^MemAvailable:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1]) * 1024;
    assert.ok(Math.abs(avail - meminfo) < meminfo * 0.1, `${avail} vs MemAvailable ${meminfo}`);
    const post = await fetch(`${url}metrics`, { method: 'POST' });
    assert.equal(post.status, 405);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });

  test('a bad listen address is a usage error', async () => {
    const r = await runCli(['serve', '--listen', 'nowhere']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--listen: expected HOST:PORT .*got "nowhere"/);
  });
});
