// LinuxHost against the running kernel. Expected values come from the kernel itself (this process's
// own identity) and from what the test writes into a memory cgroup it creates and removes.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { LinuxHost } from '../../../src/host/linux/linux-host.js';

const MEMORY_V1 = '/sys/fs/cgroup/memory';

test('the real host shows this very process', (t) => {
  const host = new LinuxHost();
  t.after(() => host.close());
  const snap = host.sample();
  assert.equal(snap.selfPid, process.pid);
  assert.equal(snap.hostPidNamespace, true);
  assert.equal(snap.pageSize, 4096);
  assert.equal(snap.clockTicks, 100);
  const me = snap.processes.find((p) => p.pid === process.pid);
  assert.ok(me, 'this process is listed');
  assert.equal(me.ppid, process.ppid);
  assert.equal(me.uid, process.getuid?.());
  assert.equal(me.uid, 0);
  assert.equal(me.comm, readFileSync('/proc/self/comm', 'utf8').replace(/\n$/, ''));
  assert.equal(me.state, 'R', 'it is running while it reads its own stat');
  assert.equal(me.kthread, false);
  assert.equal(me.hasMm, true);
  assert.ok(me.rssAnon > 0 && me.pageTables > 0);
  const cmdline = readFileSync('/proc/self/cmdline', 'utf8').split('\0').slice(0, -1);
  assert.deepEqual(host.readCmdline(process.pid), cmdline);
  assert.ok(cmdline.includes(process.argv[1] ?? ''), 'the command line names this test file');
  assert.equal(host.readExe(process.pid), process.execPath);
  const kthreadd = snap.processes.find((p) => p.pid === 2);
  assert.deepEqual([kthreadd?.comm, kthreadd?.kthread, kthreadd?.hasMm], ['kthreadd', true, false]);
});

test('a memory cgroup this test creates reads back its limit and member', {
  skip: !existsSync(`${MEMORY_V1}/memory.limit_in_bytes`) && 'no v1 memory hierarchy here',
}, async (t) => {
  const name = `oomguard-test-host-${process.pid}`;
  const dir = `${MEMORY_V1}/${name}`;
  let child: ChildProcess | null = null;
  t.after(async () => {
    if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    // rmdir fails with EBUSY while the dead child is still being uncharged: retry briefly.
    for (let i = 0; i < 50 && existsSync(dir); i++) {
      try {
        rmdirSync(dir);
      } catch {
        await sleep(20);
      }
    }
  });
  mkdirSync(dir);
  writeFileSync(`${dir}/memory.limit_in_bytes`, '67108864');
  child = spawn('sleep', ['1000'], { stdio: 'ignore' });
  const pid = child.pid;
  assert.ok(pid !== undefined);
  writeFileSync(`${dir}/cgroup.procs`, String(pid));

  const host = new LinuxHost();
  t.after(() => host.close());
  assert.equal(host.cgroupLayout, 'hybrid', 'v1 memory controller plus cgroup2 at /sys/fs/cgroup/unified');
  const info = host.readCgroup(`/${name}`);
  assert.equal(info.version, 1);
  assert.equal(info.limit, 67108864);
  assert.deepEqual(info.procs, [pid]);
  assert.equal(info.memswLimit, null, 'memsw left unlimited');
  assert.equal(info.swapLimit, null);
  // v1 does not move a task's earlier charges along with it, so usage may well be 0 here.
  assert.equal(typeof info.usage, 'number');

  const snap = host.sample({ cgroupSubtree: `/${name}`, processScope: `/${name}` });
  assert.deepEqual([...snap.cgroups.keys()], [`/${name}`]);
  assert.deepEqual(
    snap.processes.map((p) => [p.pid, p.comm, p.cgroup, p.ppid]),
    [[pid, 'sleep', `/${name}`, process.pid]],
  );
});

test('readOomScores: the kernel oom_score of every process; a sample of chosen pids reads only those', (t) => {
  const host = new LinuxHost();
  t.after(() => host.close());
  const { pids, scores } = host.readOomScores();
  assert.equal(scores.length, pids.length);
  const scoreOf = (pid: number) => {
    const i = pids.indexOf(pid);
    return i < 0 ? undefined : scores[i];
  };
  // PID 2 (kthreadd) is a kernel thread: the kernel reports 0 for it.
  assert.equal(scoreOf(2), 0);
  const mine = scoreOf(process.pid);
  // Read again by hand right after: this process's size barely moves between the two reads.
  const byHand = Number(readFileSync('/proc/self/oom_score', 'utf8'));
  assert.ok(mine !== undefined && Math.abs(mine - byHand) <= 1, `${mine} vs ${byHand}`);
  const listed = readdirSync('/proc').filter((n) => /^\d+$/.test(n)).length;
  assert.ok(Math.abs(pids.length - listed) <= 5, `${pids.length} scores for ${listed} processes`);

  const gone = 4_194_304; // PID_MAX_LIMIT: every pid is below it
  const snap = host.sample({ processes: true, pids: [1, process.pid, gone] });
  assert.deepEqual(
    snap.processes.map((p) => p.pid),
    [1, process.pid],
  );
  assert.equal(snap.processes[1]?.comm, readFileSync('/proc/self/comm', 'utf8').replace(/\n$/, ''));
  assert.equal(snap.processes[1]?.oomScoreAdj, Number(readFileSync('/proc/self/oom_score_adj', 'utf8')));
});
