// oomguard's model against the running kernel: for every process alive throughout, the oom_score oomguard
// computes from raw /proc inputs equals the kernel's own /proc/PID/oom_score.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { type Hog, memcgUnavailableReason, Sandbox } from '../helpers/sandbox.js';

interface Row {
  pid: number;
  startTicks: number;
  oomScore: number;
  kernelOomScore: number | null;
  oomScoreAdj: number;
  rssBytes: number;
  swapBytes: number;
  pageTableBytes: number;
  badness: number | null;
  killable: boolean;
}

const key = (r: Row) =>
  `${r.pid}:${r.startTicks}:${r.rssBytes}:${r.swapBytes}:${r.pageTableBytes}:${r.oomScoreAdj}`;

test('oomScore from the model equals the kernel oom_score for every quiet process', {
  skip: process.getuid?.() !== 0 ? 'needs root to raise oom_score_adj of test processes' : false,
}, async () => {
  const sandbox = new Sandbox();
  after(() => sandbox.cleanup());
  // Quiet processes of known size across the adj range this machine allows (negative values need CAP_SYS_RESOURCE).
  const adjs = [0, 1, 100, 333, 500, 999, 1000];
  const hogs: Hog[] = [];
  for (const [i, adj] of adjs.entries())
    hogs.push(await sandbox.startHog({ cgroup: null, adj, sizeMiB: 8 + 7 * i }));

  const first = await runCli(['rank', '--json']);
  const second = await runCli(['rank', '--json']);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(second.code, 0, second.stderr);
  const a = JSON.parse(first.stdout) as Row[];
  const b = new Set((JSON.parse(second.stdout) as Row[]).map(key));

  // A process whose inputs were identical in two samples was alive and quiet throughout.
  const quiet = a.filter((r) => b.has(key(r)));
  assert.ok(quiet.length >= hogs.length, `at least our ${hogs.length} hogs are quiet (got ${quiet.length})`);
  for (const h of hogs)
    assert.ok(
      quiet.some((r) => r.pid === h.pid),
      `hog ${h.pid} is in the ranking`,
    );
  const mismatches = quiet.filter((r) => r.kernelOomScore !== r.oomScore);
  assert.deepEqual(mismatches, [], 'model and kernel disagree');
  // Independently of the model: adj 1000 adds about T to badness, so the score is at least trunc(1999·2/3) = 1332.
  const top = a.find((r) => r.pid === hogs[hogs.length - 1]?.pid);
  assert.ok(
    top && top.kernelOomScore !== null && top.kernelOomScore >= 1332,
    'adj 1000 scores at least 1332',
  );
});

test('real memcg subtree: kernel oom_score agrees inside a cgroup too', {
  skip: memcgUnavailableReason() ?? false,
}, async () => {
  const sandbox = new Sandbox();
  after(() => sandbox.cleanup());
  const cg = sandbox.createMemcg('live', 256 * 1024 * 1024);
  const hogs = [
    await sandbox.startHog({ cgroup: cg, adj: 0, sizeMiB: 20 }),
    await sandbox.startHog({ cgroup: cg, adj: 250, sizeMiB: 10 }),
  ];
  const res = await runCli(['rank', '--cgroup', cg.path, '--json']);
  assert.equal(res.code, 0, res.stderr);
  const rows = JSON.parse(res.stdout) as Row[];
  assert.deepEqual(rows.map((r) => r.pid).sort(), hogs.map((h) => h.pid).sort());
  for (const r of rows) assert.equal(r.oomScore, r.kernelOomScore, `pid ${r.pid}`);
  // Inside the memcg, the adj term uses the memcg's totalpages: 256 MiB = 65536 pages → 65 per adj unit.
  const withAdj = rows.find((r) => r.oomScoreAdj === 250);
  assert.ok(withAdj && withAdj.badness !== null);
  const base = withAdj.rssBytes / 4096 + withAdj.swapBytes / 4096 + Math.floor(withAdj.pageTableBytes / 4096);
  assert.equal(withAdj.badness, base + 250 * 65);
});
