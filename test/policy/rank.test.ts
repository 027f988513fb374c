import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../src/model/errors.js';
import type { Ranking } from '../../src/model/ranking.js';
import { inScope, rankProcesses, selectVictim } from '../../src/policy/rank.js';
import { buildSnapshot, cgroup, GIB, MIB, PAGE } from '../helpers/snapshot-builder.js';

const pids = (r: Ranking) => r.candidates.map((c) => c.pid);

describe('rankProcesses, kernel ranker, global', () => {
  // 16 GiB, no swap: T = 4194304, trunc(T/1000) = 4194. Vectors K1, K2, K3, K6 plus the unkillable kinds.
  const snap = buildSnapshot({
    processes: [
      { pid: 1, anonPages: 5000 }, // host init
      { pid: 2, kthread: true, hasMm: false, comm: 'kthreadd' },
      { pid: 300, anonPages: 1048576, filePages: 25600, pageTablePages: 2048, kernelOomScore: 837 }, // K1
      { pid: 301, anonPages: 262144, pageTablePages: 128, oomScoreAdj: 500 }, // K2
      { pid: 302, anonPages: 262144, oomScoreAdj: -500 }, // K3
      { pid: 303, anonPages: 4194304, oomScoreAdj: 1000 }, // K6
      { pid: 304, anonPages: 900000, oomScoreAdj: -1000 }, // K7
      { pid: 305, hasMm: false, state: 'Z' },
    ],
  });
  const ranking = rankProcesses(snap, { ranker: 'kernel' });

  it('describes the global scope', () => {
    assert.equal(ranking.ranker, 'kernel');
    assert.equal(ranking.scope, '/');
    assert.equal(ranking.pageSize, PAGE);
    assert.equal(ranking.totalPages, 4194304);
    assert.equal(ranking.globalTotalPages, 4194304);
    assert.match(ranking.totalPagesSource, /^global: MemTotal/);
  });

  it('orders killable by badness, then the unkillable by pid', () => {
    assert.deepEqual(pids(ranking), [303, 301, 300, 302, 1, 2, 304, 305]);
    assert.deepEqual(
      ranking.candidates.map((c) => c.badness),
      [8388304, 2359272, 1076224, -1834856, null, null, null, null],
    );
    assert.deepEqual(
      ranking.candidates.map((c) => c.oomScore),
      [1999, 1041, 837, 375, 0, 0, 0, 0],
    );
    assert.deepEqual(
      ranking.candidates.map((c) => c.position),
      [1, 2, 3, 4, 0, 0, 0, 0],
    );
    assert.deepEqual(
      ranking.candidates.map((c) => c.key),
      [8388304, 2359272, 1076224, -1834856, 0, 0, 0, 0],
    );
    assert.deepEqual(
      ranking.candidates.map((c) => c.reason),
      [
        undefined,
        undefined,
        undefined,
        undefined,
        'host init',
        'kernel thread',
        'oom_score_adj -1000',
        'no memory (zombie or exiting)',
      ],
    );
    assert.ok(ranking.candidates.every((c) => !c.tied));
  });

  it('fills every field of a candidate', () => {
    assert.deepEqual(ranking.candidates[2], {
      pid: 300,
      comm: 'p300',
      uid: 1000,
      pgid: 300,
      startTicks: 3000,
      cgroup: '/',
      rssBytes: (1048576 + 25600) * PAGE,
      rssAnonBytes: 1048576 * PAGE,
      rssFileBytes: 25600 * PAGE,
      rssShmemBytes: 0,
      swapBytes: 0,
      pageTableBytes: 8 * MIB,
      oomScoreAdj: 0,
      totalPages: 4194304,
      badness: 1076224,
      oomScore: 837,
      kernelOomScore: 837,
      killable: true,
      key: 1076224,
      position: 3,
      tied: false,
    });
    const init = ranking.candidates[4];
    assert.equal(init?.killable, false);
    assert.equal(init?.rssBytes, 5000 * PAGE);
  });

  it('selectVictim takes the first killable', () => {
    assert.equal(selectVictim(ranking)?.pid, 303);
  });

  it('a container PID 1 is an ordinary candidate', () => {
    const inside = rankProcesses({ ...snap, hostPidNamespace: false }, { ranker: 'kernel' });
    assert.equal(inside.candidates.find((c) => c.pid === 1)?.badness, 5000);
  });
});

describe('ties (K10)', () => {
  it('kernel: among equal badness the newer goes first, both marked tied', () => {
    const snap = buildSnapshot({
      processes: [
        { pid: 50, anonPages: 1000, startTicks: 900 },
        { pid: 40, anonPages: 1000, startTicks: 1000 }, // newer despite the lower pid
        { pid: 60, anonPages: 999 },
        { pid: 70, anonPages: 2000 },
      ],
    });
    const r = rankProcesses(snap, { ranker: 'kernel' });
    assert.deepEqual(pids(r), [70, 40, 50, 60]);
    assert.deepEqual(
      r.candidates.map((c) => c.tied),
      [false, true, true, false],
    );
    assert.equal(selectVictim(r)?.pid, 70);
    const onlyTied = rankProcesses({ ...snap, processes: snap.processes.slice(0, 2) }, { ranker: 'kernel' });
    assert.equal(selectVictim(onlyTied)?.pid, 40);
  });

  it('kernel: same start tick, the larger pid goes first', () => {
    const snap = buildSnapshot({
      processes: [
        { pid: 7, anonPages: 10, startTicks: 5 },
        { pid: 9, anonPages: 10, startTicks: 5 },
        { pid: 8, anonPages: 10, startTicks: 5 },
      ],
    });
    assert.deepEqual(pids(rankProcesses(snap, { ranker: 'kernel' })), [9, 8, 7]);
  });

  it('legacy: among equal points the older goes first', () => {
    const snap = buildSnapshot({
      uptimeSec: 100,
      processes: [
        { pid: 50, vmPages: 1000, startTicks: 1000 },
        { pid: 40, vmPages: 1000, startTicks: 900 },
      ],
    });
    const r = rankProcesses(snap, { ranker: 'legacy' });
    assert.deepEqual(pids(r), [40, 50]);
    assert.ok(r.candidates.every((c) => c.tied));
  });
});

describe('rss ranker', () => {
  it('orders by RSS + swap bytes, then badness, then newer first', () => {
    const snap = buildSnapshot({
      processes: [
        { pid: 10, anonPages: 100, swapPages: 100 }, // 200 pages
        { pid: 11, anonPages: 150 }, // 150 pages, but adj 1000 would lead the kernel ranker
        { pid: 12, filePages: 200, oomScoreAdj: 1 }, // 200 pages, badness 200 + 4194
        { pid: 13, shmemPages: 200 }, // 200 pages, badness 200, newest of the three
      ],
    });
    const r = rankProcesses(snap, { ranker: 'rss' });
    assert.deepEqual(pids(r), [12, 13, 10, 11]);
    assert.deepEqual(
      r.candidates.map((c) => c.key),
      [200 * PAGE, 200 * PAGE, 200 * PAGE, 150 * PAGE],
    );
    assert.deepEqual(
      r.candidates.map((c) => c.tied),
      [true, true, true, false],
    );
  });
});

describe('legacy ranker', () => {
  it('ranks by 2.6.35 points: children, CPU time, oom_adj', () => {
    // clockTicks 100, uptime 1000 s, everything started at 0: run 1000 s >> 10 = 0.
    const snap = buildSnapshot({
      uptimeSec: 1000,
      processes: [
        // 10000 + (30000/2 + 1) × 2 = 40002 points.
        { pid: 10, vmPages: 10000, startTicks: 0 },
        { pid: 11, ppid: 10, vmPages: 30000, startTicks: 0 },
        { pid: 12, ppid: 10, vmPages: 30000, startTicks: 0 },
        // 80000 ticks = 800000 jiffies → 97 → isqrt 9: 300000 / 9 = 33333.
        { pid: 13, vmPages: 300000, cpuTicks: 80000, startTicks: 0 },
        // oom_score_adj 118 reads as oom_adj 2: 9000 × 4 = 36000.
        { pid: 14, vmPages: 9000, oomScoreAdj: 118, startTicks: 0 },
      ],
    });
    const r = rankProcesses(snap, { ranker: 'legacy' });
    assert.deepEqual(pids(r), [10, 14, 13, 11, 12]);
    assert.deepEqual(
      r.candidates.map((c) => c.key),
      [40002, 36000, 33333, 30000, 30000],
    );
    // badness stays the kernel's: no resident pages, so only 118 × 4194.
    assert.equal(r.candidates[1]?.badness, 494892);
  });
});

describe('cgroup scope', () => {
  const snap = buildSnapshot({
    memTotal: 16 * GIB,
    swapTotal: 2 * GIB,
    processes: [
      { pid: 10, cgroup: '/k9', anonPages: 80000, pageTablePages: 100, oomScoreAdj: 500 },
      { pid: 11, cgroup: '/k9', anonPages: 40000, pageTablePages: 100, oomScoreAdj: 500 },
      { pid: 12, cgroup: '/k9b', anonPages: 900000 },
      { pid: 13, cgroup: '/', anonPages: 800000 },
      { pid: 14, cgroup: '/a/b', anonPages: 1000 },
      { pid: 15, cgroup: '/a/b/c', anonPages: 2000 },
      { pid: 16, cgroup: '/a', anonPages: 3000 },
      { pid: 17, cgroup: '/free/x', anonPages: 4000 },
    ],
    cgroups: [
      cgroup('/'),
      cgroup('/k9', { limit: 512 * MIB, swapLimit: 0 }),
      cgroup('/k9b'),
      cgroup('/a', { limit: 1 * GIB, swapLimit: 256 * MIB }),
      cgroup('/a/b'),
      cgroup('/free'),
      cgroup('/free/x'),
    ],
  });

  it('K9: the memcg T (131072) for badness, the global T for oom_score', () => {
    const r = rankProcesses(snap, { ranker: 'kernel', cgroup: '/k9' });
    assert.equal(r.scope, '/k9');
    assert.deepEqual(pids(r), [10, 11]);
    assert.equal(r.totalPages, 131072);
    assert.equal(r.globalTotalPages, 4194304 + 524288);
    assert.match(r.totalPagesSource, /^memcg \/k9: memory\.max 131072 pages/);
    assert.deepEqual(
      r.candidates.map((c) => c.badness),
      [145600, 105600],
    );
    assert.ok(r.candidates.every((c) => c.totalPages === 131072));
    // Global T here is 4718592 (16 GiB + 2 GiB swap), trunc(T/1000) = 4718:
    // 80100 + 2359000 = 2439100 → 516.9 → 516 → 1010; 40100 + 2359000 = 2399100 → 508.4 → 508 → 1005.
    assert.deepEqual(
      r.candidates.map((c) => c.oomScore),
      [1010, 1005],
    );
  });

  it("'/a' covers '/a/b' and '/a/b/c' but '/k9' does not cover '/k9b'", () => {
    const r = rankProcesses(snap, { ranker: 'kernel', cgroup: '/a' });
    assert.deepEqual(pids(r), [16, 15, 14]);
    assert.equal(inScope('/ab', '/a'), false);
    assert.equal(inScope('/a/b', '/a'), true);
    assert.equal(inScope('/anything', '/'), true);
  });

  it('an unlimited cgroup is measured against its nearest limited ancestor', () => {
    const r = rankProcesses(snap, { ranker: 'kernel', cgroup: '/a/b/' });
    assert.equal(r.scope, '/a/b');
    assert.deepEqual(pids(r), [15, 14]);
    // 1 GiB = 262144 pages + min(256 MiB = 65536, 524288 swap pages).
    assert.equal(r.totalPages, 262144 + 65536);
    assert.match(
      r.totalPagesSource,
      /^cgroup \/a\/b has no memory limit; nearest limited ancestor memcg \/a:/,
    );
  });

  it('with no limit up to the root, the global T, and it says so', () => {
    const r = rankProcesses(snap, { ranker: 'kernel', cgroup: '/free/x' });
    assert.equal(r.totalPages, 4718592);
    assert.match(r.totalPagesSource, /^cgroup \/free\/x and its ancestors have no memory limit, so global:/);
    const unknown = rankProcesses(snap, { ranker: 'kernel', cgroup: '/nowhere' });
    assert.equal(unknown.candidates.length, 0);
    assert.equal(selectVictim(unknown), null);
    assert.match(unknown.totalPagesSource, /^cgroup \/nowhere \(not in the snapshot\)/);
  });

  it('the root cgroup is everything', () => {
    assert.equal(rankProcesses(snap, { ranker: 'kernel', cgroup: '/' }).candidates.length, 8);
    assert.equal(rankProcesses(snap, { ranker: 'kernel', cgroup: null }).scope, '/');
  });

  it('rejects a relative cgroup path', () => {
    assert.throws(() => rankProcesses(snap, { ranker: 'kernel', cgroup: 'a/b' }), UsageError);
  });
});

describe('selectVictim', () => {
  it('is null when nothing is killable', () => {
    const snap = buildSnapshot({
      processes: [
        { pid: 1, anonPages: 10 },
        { pid: 5, oomScoreAdj: -1000 },
      ],
    });
    assert.equal(selectVictim(rankProcesses(snap, { ranker: 'kernel' })), null);
  });
});
