import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { NoSuchProcessError, UsageError } from '../../src/model/errors.js';
import type { RankerName } from '../../src/model/ranking.js';
import type { ProcessInfo, Snapshot } from '../../src/model/snapshot.js';
import { explainProcess, formatExplanation } from '../../src/policy/explain.js';
import { rankProcesses } from '../../src/policy/rank.js';
import { buildSnapshot, cgroup, GIB, MIB, PAGE } from '../helpers/snapshot-builder.js';

/** The snapshot with one process changed. */
function changed(snap: Snapshot, pid: number, change: (p: ProcessInfo) => Partial<ProcessInfo>): Snapshot {
  return { ...snap, processes: snap.processes.map((p) => (p.pid === pid ? { ...p, ...change(p) } : p)) };
}

/** With `pages` more anonymous memory (resident and virtual), as explain's suggestion means it. */
function grown(snap: Snapshot, pid: number, pages: number): Snapshot {
  return changed(snap, pid, (p) => ({ rssAnon: p.rssAnon + pages * PAGE, vmSize: p.vmSize + pages * PAGE }));
}

/** Whether `pid` comes before `other` in a fresh ranking. */
function before(snap: Snapshot, pid: number, other: number, ranker: RankerName, cg?: string): boolean {
  const order = rankProcesses(snap, { ranker, cgroup: cg ?? null }).candidates.map((c) => c.pid);
  return order.indexOf(pid) < order.indexOf(other);
}

/** Checks each suggestion by applying it and re-ranking, and that one less would not do. */
function verifySuggestions(snap: Snapshot, pid: number, ranker: RankerName, cg?: string): void {
  const e = explainProcess(snap, pid, { ranker, cgroup: cg ?? null });
  if (e.ahead !== null && e.toPassAhead !== null) {
    const { pages, oomScoreAdj } = e.toPassAhead;
    const ahead = e.ahead.pid;
    if (pages !== null) {
      assert.ok(before(grown(snap, pid, pages), pid, ahead, ranker, cg), `+${pages} pages passes ${ahead}`);
      assert.ok(!before(grown(snap, pid, pages - 1), pid, ahead, ranker, cg), `+${pages - 1} pages does not`);
    }
    if (oomScoreAdj !== null) {
      assert.ok(
        before(
          changed(snap, pid, () => ({ oomScoreAdj })),
          pid,
          ahead,
          ranker,
          cg,
        ),
      );
      assert.ok(
        !before(
          changed(snap, pid, () => ({ oomScoreAdj: oomScoreAdj - 1 })),
          pid,
          ahead,
          ranker,
          cg,
        ),
      );
    }
  }
  if (e.behind !== null && e.toFallBehind !== null) {
    const { oomScoreAdj } = e.toFallBehind;
    const behind = e.behind.pid;
    assert.ok(
      !before(
        changed(snap, pid, () => ({ oomScoreAdj })),
        pid,
        behind,
        ranker,
        cg,
      ),
    );
    assert.ok(
      before(
        changed(snap, pid, () => ({ oomScoreAdj: oomScoreAdj + 1 })),
        pid,
        behind,
        ranker,
        cg,
      ),
    );
  }
}

// 16 GiB, no swap: trunc(T/1000) = 4194.
const snap = buildSnapshot({
  processes: [
    { pid: 1, anonPages: 5000 },
    { pid: 10, anonPages: 300000 },
    { pid: 20, anonPages: 100000, pageTables: 10 * 1024, kernelOomScore: 682 },
    { pid: 5, anonPages: 50000 },
    { pid: 6, anonPages: 50000, oomScoreAdj: -1000 },
    {
      pid: 7,
      anonPages: 262144,
      filePages: 3,
      shmemPages: 7,
      swapPages: 11,
      pageTablePages: 128,
      oomScoreAdj: 500,
    },
  ],
});
// Kernel order: 7 (2359293), 10 (300000), 20 (100002), 5 (50000); then 1, 6.

describe('explainProcess: factors and oom_score', () => {
  it('lists every badness term, the adj term with T and trunc(T/1000), and the total', () => {
    const e = explainProcess(snap, 7, { ranker: 'kernel' });
    assert.deepEqual(
      e.factors.map((f) => [f.name, f.pages, f.bytes]),
      [
        ['anon RSS', 262144, 262144 * PAGE],
        ['file RSS', 3, 3 * PAGE],
        ['shmem RSS', 7, 7 * PAGE],
        ['swap', 11, 11 * PAGE],
        ['page tables', 128, 128 * PAGE],
        ['oom_score_adj', 2097000, 2097000 * PAGE],
        ['badness', 2359293, 2359293 * PAGE],
      ],
    );
    assert.equal(e.factors[5]?.note, '500 × trunc(T/1000) = 500 × 4194, T = 4194304 pages');
    assert.equal(e.candidate.badness, 2359293);
    // 2359293000 / 4194304 = 562.50 → 562; 1562 × 2 / 3 = 1041.
    assert.deepEqual(e.oomScore, {
      globalTotalPages: 4194304,
      badness: 2359293,
      perMille: 562,
      score: 1041,
      kernelOomScore: null,
    });
    assert.equal(e.ahead, null);
    assert.equal(e.toPassAhead, null);
    assert.equal(e.behind?.pid, 10);
  });

  it('page tables follow the floor rule: VmPTE 10 kB is 2 pages', () => {
    const e = explainProcess(snap, 20, { ranker: 'kernel' });
    assert.deepEqual(e.factors[4], {
      name: 'page tables',
      pages: 2,
      bytes: 8192,
      note: '⌊VmPTE 10 kB / 4096 B⌋',
    });
    assert.equal(e.factors[6]?.pages, 100002);
  });

  it('K9 in a memcg: badness against the memcg T, oom_score against the global T', () => {
    const k9 = buildSnapshot({
      processes: [
        { pid: 10, cgroup: '/k9', anonPages: 80000, pageTablePages: 100, oomScoreAdj: 500 },
        { pid: 11, cgroup: '/k9/w', anonPages: 40000, pageTablePages: 100, oomScoreAdj: 500 },
      ],
      cgroups: [cgroup('/k9', { limit: 512 * MIB, swapLimit: 0 }), cgroup('/k9/w')],
    });
    const e = explainProcess(k9, 11, { ranker: 'kernel', cgroup: '/k9' });
    assert.equal(e.totalPages, 131072);
    assert.equal(e.factors[5]?.pages, 65500);
    assert.equal(e.factors[6]?.pages, 105600);
    assert.equal(e.candidate.position, 2);
    assert.equal(e.ahead?.pid, 10);
    // Global: 40100 + 500 × 4194 = 2137100 → 509.5 → 509 → 1006.
    assert.equal(e.oomScore.badness, 2137100);
    assert.equal(e.oomScore.perMille, 509);
    assert.equal(e.oomScore.score, 1006);
    // To pass P1 (145600, older): 105600 + d ≥ 145600 since P2 is newer and wins a tie: 40000 pages.
    // adj: 40100 + adj × 131 ≥ 145600 → adj ≥ 805.3 → 806.
    assert.deepEqual(e.toPassAhead, { pages: 40000, bytes: 40000 * PAGE, oomScoreAdj: 806 });
    verifySuggestions(k9, 11, 'kernel', '/k9');
    verifySuggestions(k9, 10, 'kernel', '/k9');
  });
});

describe('explainProcess: what would move it (kernel ranker, hand-computed)', () => {
  it('pid 20 (newer than pid 10) passes it at equal badness: 199998 more pages or adj 48', () => {
    const e = explainProcess(snap, 20, { ranker: 'kernel' });
    assert.equal(e.candidate.position, 3);
    assert.equal(e.killableCount, 4);
    assert.equal(e.ahead?.pid, 10);
    assert.equal(e.behind?.pid, 5);
    // 100002 + adj × 4194 ≥ 300000 → adj ≥ 47.69.
    assert.deepEqual(e.toPassAhead, { pages: 199998, bytes: 199998 * PAGE, oomScoreAdj: 48 });
    // Behind pid 5 (older, 50000): 100002 + adj × 4194 < 50000 → adj ≤ −11.92 → −12.
    assert.deepEqual(e.toFallBehind, { oomScoreAdj: -12 });
    verifySuggestions(snap, 20, 'kernel');
  });

  it('pid 5 (older than pid 20) must exceed it: 50003 more pages or adj 12', () => {
    const e = explainProcess(snap, 5, { ranker: 'kernel' });
    // 50000 + d > 100002; 50000 + adj × 4194 > 100002 → adj > 11.92.
    assert.deepEqual(e.toPassAhead, { pages: 50003, bytes: 50003 * PAGE, oomScoreAdj: 12 });
    assert.equal(e.toFallBehind, null);
    verifySuggestions(snap, 5, 'kernel');
  });

  it('no oom_score_adj ≤ 1000 passes when memory alone outweighs it', () => {
    const big = buildSnapshot({
      memTotal: 1 * GIB, // T = 262144, trunc(T/1000) = 262: adj adds at most 262000 − current
      processes: [
        { pid: 10, anonPages: 250000, oomScoreAdj: 1000 },
        { pid: 20, anonPages: 1000, oomScoreAdj: 900 },
      ],
    });
    const e = explainProcess(big, 20, { ranker: 'kernel' });
    // pid 10: 250000 + 262000 = 512000; pid 20 at adj 1000: 1000 + 262000 = 263000, short.
    // In memory: 236800 + d ≥ 512000 (pid 20 is newer and wins a tie): 275200 pages.
    assert.equal(e.toPassAhead?.oomScoreAdj, null);
    assert.equal(e.toPassAhead?.pages, 275200);
    verifySuggestions(big, 20, 'kernel');
  });
});

describe('explainProcess: other rankers', () => {
  it('rss: memory moves it, oom_score_adj only breaks ties', () => {
    const e = explainProcess(snap, 20, { ranker: 'rss' });
    // RSS+swap keys: 10 → 300000 pages, 7 → 262165, 20 → 100000 (page tables are not RSS).
    assert.equal(e.ahead?.pid, 7);
    // At +162165 pages the keys tie, but pid 7's badness (2359293) beats 262167: one page more.
    // No oom_score_adj helps: it only breaks ties of equal RSS+swap.
    assert.deepEqual(e.toPassAhead, { pages: 162166, bytes: 162166 * PAGE, oomScoreAdj: null });
    assert.deepEqual(e.toFallBehind, { oomScoreAdj: -1000 });
    verifySuggestions(snap, 20, 'rss');
  });

  it('legacy: 2.6.35 points, ties to the older, adj through the oom_adj read mapping', () => {
    // uptime 100000 s, all started ~0 s: run 97 → ÷ isqrt(isqrt(97)) = 3. No CPU time.
    const e = explainProcess(snap, 20, { ranker: 'legacy' });
    assert.equal(e.candidate.key, 33333);
    assert.equal(e.ahead?.pid, 10);
    assert.equal(e.ahead?.key, 100000);
    // (100000 + d) / 3 > 100000 → d ≥ 200003. oom_adj 2 (×4 = 133332) first passes: adj 118 reads as 2.
    assert.deepEqual(e.toPassAhead, { pages: 200003, bytes: 200003 * PAGE, oomScoreAdj: 118 });
    verifySuggestions(snap, 20, 'legacy');
  });
});

describe('explainProcess: unkillable, unknown, out of scope', () => {
  it('oom_score_adj −1000: says where −999 would put it', () => {
    const e = explainProcess(snap, 6, { ranker: 'kernel' });
    assert.equal(e.candidate.killable, false);
    assert.equal(e.candidate.position, 0);
    assert.deepEqual(e.unkillable, {
      reason: 'oom_score_adj -1000',
      // 50000 − 999 × 4194 = −4139806: last of 5.
      remedy: 'raise oom_score_adj above -1000: at -999 it would rank #5 of 5 (badness -4139806 pages)',
    });
    assert.equal(e.factors.length, 5);
    assert.equal(e.oomScore.score, 0);
    assert.equal(e.ahead, null);
    assert.equal(e.toFallBehind, null);
  });

  it('host init: nothing makes it killable', () => {
    assert.deepEqual(explainProcess(snap, 1, { ranker: 'kernel' }).unkillable, {
      reason: 'host init',
      remedy: null,
    });
  });

  it('an unknown pid throws NoSuchProcessError', () => {
    assert.throws(() => explainProcess(snap, 4242, { ranker: 'kernel' }), NoSuchProcessError);
  });

  it('a pid outside the cgroup scope is a usage error', () => {
    assert.throws(() => explainProcess(snap, 20, { ranker: 'kernel', cgroup: '/elsewhere' }), UsageError);
  });
});

describe('formatExplanation', () => {
  it('prints the factors, the oom_score steps and the moves', () => {
    const text = formatExplanation(explainProcess(snap, 20, { ranker: 'kernel' }));
    const lines = text.split('\n');
    assert.equal(lines[0], 'pid 20 (p20), uid 1000, cgroup /, oom_score_adj 0');
    assert.equal(lines[1], 'ranker kernel, scope /: #3 of 4 killable');
    assert.ok(lines.includes('  page tables              2 pages        0.01 MiB  ⌊VmPTE 10 kB / 4096 B⌋'));
    assert.ok(
      lines.includes('  badness             100002 pages      390.63 MiB  the sum: the kernel oom_badness'),
    );
    assert.ok(
      lines.includes(
        'oom_score = trunc((1000 + trunc(100002 × 1000 / 4194304)) × 2 / 3) = trunc((1000 + 23) × 2 / 3) = 682; the kernel reads 682',
      ),
    );
    assert.ok(lines.includes('ahead:  #2 pid 10 (p10), badness 300000 pages'));
    assert.ok(lines.includes('behind: #4 pid 5 (p5), badness 50000 pages'));
    assert.ok(lines.includes('to pass ahead: 199998 more pages (781.24 MiB) of memory, or oom_score_adj 48'));
    assert.ok(lines.includes('to fall behind: oom_score_adj -12 or lower'));
  });

  it('says why an unkillable process stays out', () => {
    const text = formatExplanation(explainProcess(snap, 1, { ranker: 'kernel' }));
    assert.match(text, /not killable \(host init\)/);
    assert.match(text, /oom_score = 0 \(not eligible\)/);
    assert.match(text, /nothing makes it killable/);
  });
});

describe('explain suggestions hold on random snapshots (re-ranked)', () => {
  const processSpec = fc.record({
    anonPages: fc.integer({ min: 0, max: 400000 }),
    oomScoreAdj: fc.integer({ min: -999, max: 1000 }),
    startTicks: fc.integer({ min: 0, max: 5 }),
    vmExtra: fc.integer({ min: 0, max: 100000 }),
    parent: fc.nat(),
  });
  for (const ranker of ['kernel', 'rss', 'legacy'] as const) {
    it(ranker, () => {
      fc.assert(
        fc.property(fc.array(processSpec, { minLength: 2, maxLength: 6 }), (specs) => {
          const random = buildSnapshot({
            uptimeSec: 3000,
            processes: specs.map((s, i) => ({
              pid: 100 + i,
              anonPages: s.anonPages,
              vmPages: s.anonPages + s.vmExtra,
              oomScoreAdj: s.oomScoreAdj,
              startTicks: s.startTicks,
              // Some are children of earlier ones: the legacy children term then links their scores.
              ppid: s.parent % (i + 1) === 0 ? 1 : 100 + (s.parent % i),
            })),
          });
          for (const p of random.processes) verifySuggestions(random, p.pid, ranker);
        }),
        { numRuns: 60 },
      );
    });
  }
});
