// Runs inside `unshare --pid --fork --mount-proc` (see pid-reuse.test.ts): a fresh PID namespace where this
// script may steer PID allocation through /proc/sys/kernel/ns_last_pid. The executor is handed a plan for
// process A; before it acts, A exits and a new process B takes A's PID. B must not be signalled.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { realClock } from '../../src/daemon/clock.js';
import { Executor } from '../../src/daemon/executor.js';
import { runHook } from '../../src/host/hook-runner.js';
import { LinuxActions } from '../../src/host/linux/linux-actions.js';
import type { DaemonEvent } from '../../src/observe/events.js';

function startTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
}

const a = spawn('sleep', ['600'], { stdio: 'ignore' });
const pidA = a.pid as number;
const ticksA = startTicks(pidA);
// The daemon ranked A; now A exits and is reaped before the executor gets to it.
a.kill('SIGKILL');
await new Promise((r) => a.once('exit', r));
// Start times have clock-tick (10 ms) resolution: let a few ticks pass so B's differs from A's.
await new Promise((r) => setTimeout(r, 50));
writeFileSync('/proc/sys/kernel/ns_last_pid', String(pidA - 1));
const b = spawn('sleep', ['600'], { stdio: 'ignore' });
const events: DaemonEvent[] = [];
const executor = new Executor({
  actions: new LinuxActions({ onWarning: () => undefined }),
  clock: realClock,
  emit: (e) => events.push(e),
  config: {
    graceMs: 500,
    recoveryWaitMs: 500,
    processMrelease: true,
    preKillHook: null,
    postKillHook: null,
    dryRun: false,
  },
  recheck: () => 'kill',
  cmdline: () => null,
  cgroupDir: () => '/nonexistent',
  runHook,
  refuse: () => null,
});
const target = { pid: pidA, startTicks: ticksA, comm: 'sleep', uid: 0, cgroup: '/', rssBytes: 0 };
const report = await executor.execute(
  { unit: 'process', victim: target, targets: [target], cgroup: null, wholeCgroup: false, spared: [] },
  'kill',
  'test',
  () => 'why',
);
await new Promise((r) => setTimeout(r, 300));
const bAlive = b.exitCode === null && b.signalCode === null;
b.kill('SIGKILL');
process.stdout.write(
  `${JSON.stringify({ pidA, pidB: b.pid, ticksA, ticksB: startTicks(b.pid as number), result: report.result, signalled: report.signalled, bAlive, events: events.map((e) => e.message) })}\n`,
);
