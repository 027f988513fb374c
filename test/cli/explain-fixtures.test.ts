// `oomguard explain PID` end to end on the fixture trees. Expected numbers are computed by hand from the fixture
// files (kernel-and-kubernetes.md §2.1, §7; PAGE 4096, so kB ÷ 4 = pages, pages ÷ 256 = MiB). In the global kill
// order a tie goes to the newer process (larger start time): the kernel's `>=` lets the last iterated win.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { REPO, runCli } from '../helpers/cli.js';

const V1 = join(REPO, 'test/fixtures/v1');
const V2 = join(REPO, 'test/fixtures/v2');

type Json = Record<string, unknown>;

async function explainJson(args: readonly string[]): Promise<Json> {
  const r = await runCli(['explain', ...args, '--json']);
  assert.equal(r.stderr, '');
  assert.equal(r.code, 0);
  return JSON.parse(r.stdout) as Json;
}

async function explainText(args: readonly string[]): Promise<string> {
  const r = await runCli(['explain', ...args]);
  assert.equal(r.stderr, '');
  assert.equal(r.code, 0);
  return r.stdout;
}

function factor(name: string, pages: number, note: string): Json {
  return { name, pages, bytes: pages * 4096, note };
}

/** anon, file, shmem, swap and page-table factors, in pages. */
function memoryFactors(
  anon: number,
  file: number,
  shmem: number,
  swap: number,
  pte: number,
  pteKb: number,
): Json[] {
  return [
    factor('anon RSS', anon, 'RssAnon'),
    factor('file RSS', file, 'RssFile'),
    factor('shmem RSS', shmem, 'RssShmem, counted in every process that maps it'),
    factor('swap', swap, 'VmSwap, swapped-out shmem excluded'),
    factor('page tables', pte, `⌊VmPTE ${pteKb} kB / 4096 B⌋`),
  ];
}

// p2 (pid 14, v2): RssAnon 160000 kB = 40000 pages, VmPTE 400 kB = 100 pages, adj 500, start 310 (newer than p1's 300).
const P2_MEMORY = memoryFactors(40000, 0, 0, 0, 100, 400);

describe('explain on the fixture trees', { concurrency: true }, () => {
  test('v2 pid 14 (p2), global: #3 of 7 between p1 and java', async () => {
    const e = await explainJson(['14', '--root', V2]);
    const candidate = e.candidate as Json;
    assert.deepEqual(
      [e.ranker, e.scope, e.pageSize, e.totalPages, e.globalTotalPages, e.killableCount],
      ['kernel', '/', 4096, 4194304, 4194304, 7],
    );
    assert.deepEqual(
      [candidate.pid, candidate.position, candidate.badness, candidate.oomScore, candidate.killable],
      [14, 3, 2137100, 1006, true],
    );
    // T = 16777216 kB / 4 = 4194304, trunc(T/1000) = 4194: adj 500 → 2097000 pages; 40000 + 100 + 2097000 = 2137100.
    assert.deepEqual(e.factors, [
      ...P2_MEMORY,
      factor('oom_score_adj', 2097000, '500 × trunc(T/1000) = 500 × 4194, T = 4194304 pages'),
      factor('badness', 2137100, 'the sum: the kernel oom_badness'),
    ]);
    // 2137100000 / 4194304 = 509.5 → 509; (1000 + 509) × 2 / 3 = 1006.
    assert.deepEqual(e.oomScore, {
      globalTotalPages: 4194304,
      badness: 2137100,
      perMille: 509,
      score: 1006,
      kernelOomScore: 1006,
    });
    assert.deepEqual(
      [(e.ahead as Json).pid, (e.ahead as Json).badness, (e.behind as Json).pid, (e.behind as Json).badness],
      [13, 2177100, 10, 1076224],
    );
    // Ahead, p1 (2177100, older): a tie is enough, so 2177100 − 2137100 = 40000 more pages;
    // or 40100 + adj × 4194 ≥ 2177100 → adj ≥ 509.5 → 510 (509: 2174846 < 2177100; 510: 2179040).
    assert.deepEqual(e.toPassAhead, { pages: 40000, bytes: 163840000, oomScoreAdj: 510 });
    // Behind, java (1076224, older): p2 drops behind once 40100 + adj × 4194 < 1076224 → adj < 247.05 → 247.
    assert.deepEqual(e.toFallBehind, { oomScoreAdj: 247 });
    assert.equal(e.unkillable, null);
  });

  test('v2 pid 14 --cgroup /oomguard-test-2: the K9 memcg, last of 2, behind p1', async () => {
    const e = await explainJson(['14', '--root', V2, '--cgroup', '/oomguard-test-2']);
    assert.deepEqual(
      [e.scope, e.totalPages, e.globalTotalPages, e.killableCount, (e.candidate as Json).position],
      ['/oomguard-test-2', 131072, 4194304, 2, 2],
    );
    // T = 536870912 B / 4096 = 131072, trunc = 131: 40100 + 500 × 131 = 105600.
    assert.deepEqual(e.factors, [
      ...P2_MEMORY,
      factor('oom_score_adj', 65500, '500 × trunc(T/1000) = 500 × 131, T = 131072 pages'),
      factor('badness', 105600, 'the sum: the kernel oom_badness'),
    ]);
    // oom_score is always against the global T, so it stays 1006.
    assert.deepEqual(e.oomScore, {
      globalTotalPages: 4194304,
      badness: 2137100,
      perMille: 509,
      score: 1006,
      kernelOomScore: 1006,
    });
    assert.deepEqual([(e.ahead as Json).pid, (e.ahead as Json).badness, e.behind], [13, 145600, null]);
    // 145600 − 105600 = 40000 pages (tie wins); adj: 40100 + adj × 131 ≥ 145600 → adj ≥ 805.3 → 806.
    assert.deepEqual(e.toPassAhead, { pages: 40000, bytes: 163840000, oomScoreAdj: 806 });
    assert.equal(e.toFallBehind, null);
  });

  test('v2 pid 14 as text', async () => {
    const text = await explainText(['14', '--root', V2]);
    assert.equal(
      text,
      [
        'pid 14 (p2), uid 0, cgroup /oomguard-test-2/a, oom_score_adj 500',
        'ranker kernel, scope /: #3 of 7 killable',
        'T = 4194304 pages (16384 MiB): global: MemTotal 4194304 pages (16384 MiB) + SwapTotal 0 pages (0 MiB) = 4194304 pages',
        'badness factors:',
        '  anon RSS             40000 pages      156.25 MiB  RssAnon',
        '  file RSS                 0 pages           0 MiB  RssFile',
        '  shmem RSS                0 pages           0 MiB  RssShmem, counted in every process that maps it',
        '  swap                     0 pages           0 MiB  VmSwap, swapped-out shmem excluded',
        '  page tables            100 pages        0.39 MiB  ⌊VmPTE 400 kB / 4096 B⌋',
        '  oom_score_adj      2097000 pages     8191.41 MiB  500 × trunc(T/1000) = 500 × 4194, T = 4194304 pages',
        '  badness            2137100 pages     8348.05 MiB  the sum: the kernel oom_badness',
        'sort key: badness 2137100 pages',
        'oom_score = trunc((1000 + trunc(2137100 × 1000 / 4194304)) × 2 / 3) = trunc((1000 + 509) × 2 / 3) = 1006; the kernel reads 1006',
        'ahead:  #2 pid 13 (p1), badness 2177100 pages',
        'behind: #4 pid 10 (java), badness 1076224 pages',
        'to pass ahead: 40000 more pages (156.25 MiB) of memory, or oom_score_adj 510',
        'to fall behind: oom_score_adj 247 or lower',
        '',
      ].join('\n'),
    );
  });

  test('v1 pid 201 as text: the newline in its name is escaped, also in a neighbour line', async () => {
    const [self, first] = await Promise.all([
      explainText(['201', '--root', V1]),
      explainText(['300', '--root', V1]),
    ]);
    // 201: 27136 + 128 = 27264 pages + 200 × 2621 = 524200 → 551464. Ahead: 300 (611796, newer): strictly more
    // needed, 611796 − 551464 + 1 = 60333 pages (247123968 B = 235.68 MiB); 27264 + adj × 2621 > 611796 → adj ≥ 224.
    // Behind: 4242 (20736, newer): 27264 + adj × 2621 ≤ 20736 → adj ≤ −2.49 → −3.
    assert.deepEqual(self.split('\n'), [
      'pid 201 (x\\ny z), uid 1000, cgroup /, oom_score_adj 200',
      'ranker kernel, scope /: #2 of 5 killable',
      'T = 2621440 pages (10240 MiB): global: MemTotal 2097152 pages (8192 MiB) + SwapTotal 524288 pages (2048 MiB) = 2621440 pages',
      'badness factors:',
      '  anon RSS             25600 pages         100 MiB  RssAnon',
      '  file RSS               512 pages           2 MiB  RssFile',
      '  shmem RSS             1024 pages           4 MiB  RssShmem, counted in every process that maps it',
      '  swap                     0 pages           0 MiB  VmSwap, swapped-out shmem excluded',
      '  page tables            128 pages         0.5 MiB  ⌊VmPTE 512 kB / 4096 B⌋',
      '  oom_score_adj       524200 pages     2047.66 MiB  200 × trunc(T/1000) = 200 × 2621, T = 2621440 pages',
      '  badness             551464 pages     2154.16 MiB  the sum: the kernel oom_badness',
      'sort key: badness 551464 pages',
      'oom_score = trunc((1000 + trunc(551464 × 1000 / 2621440)) × 2 / 3) = trunc((1000 + 210) × 2 / 3) = 806; the kernel reads 806',
      'ahead:  #1 pid 300 (k8-proc), badness 611796 pages',
      'behind: #3 pid 4242 (oomguard), badness 20736 pages',
      'to pass ahead: 60333 more pages (235.68 MiB) of memory, or oom_score_adj 224',
      'to fall behind: oom_score_adj -3 or lower',
      '',
    ]);
    // 300 is first. Behind it 201 (551464, older), which a tie would not pass: 349696 + adj × 2621 < 551464
    // → adj < 76.98 → 76 (76: 548892; 77: 551513).
    assert.deepEqual(first.split('\n').slice(-5), [
      'oom_score = trunc((1000 + trunc(611796 × 1000 / 2621440)) × 2 / 3) = trunc((1000 + 233) × 2 / 3) = 822; the kernel reads 822',
      'behind: #2 pid 201 (x\\ny z), badness 551464 pages',
      'first in line: the next victim',
      'to fall behind: oom_score_adj 76 or lower',
      '',
    ]);
  });

  test('v1 pid 300 --json: first in line, nothing ahead', async () => {
    const e = await explainJson(['300', '--root', V1]);
    assert.deepEqual(
      [(e.candidate as Json).position, e.ahead, (e.behind as Json).pid, e.toPassAhead, e.toFallBehind],
      [1, null, 201, null, { oomScoreAdj: 76 }],
    );
    // K8: anon 1048576 kB, file 20480, shmem 65536, swap 262144, VmPTE 2048 → pages ÷ 4.
    assert.deepEqual(e.factors, [
      ...memoryFactors(262144, 5120, 16384, 65536, 512, 2048),
      factor('oom_score_adj', 262100, '100 × trunc(T/1000) = 100 × 2621, T = 2621440 pages'),
      factor('badness', 611796, 'the sum: the kernel oom_badness'),
    ]);
  });

  test('v1 pid 302 (oom_score_adj -1000): unkillable, and where -999 would put it', async () => {
    const [e, text] = await Promise.all([
      explainJson(['302', '--root', V1]),
      explainText(['302', '--root', V1]),
    ]);
    // RssAnon 4096 kB + RssFile 4096 kB = 2048 pages, VmPTE 96 kB = 24 pages. At −999: 2072 − 999 × 2621 =
    // −2616307, below 301's −1259195: #6 of 6.
    const remedy = 'raise oom_score_adj above -1000: at -999 it would rank #6 of 6 (badness -2616307 pages)';
    assert.deepEqual(
      [(e.candidate as Json).killable, (e.candidate as Json).position, (e.candidate as Json).reason],
      [false, 0, 'oom_score_adj -1000'],
    );
    assert.deepEqual(e.factors, memoryFactors(1024, 1024, 0, 0, 24, 96));
    assert.deepEqual(e.oomScore, {
      globalTotalPages: 2621440,
      badness: null,
      perMille: null,
      score: 0,
      kernelOomScore: 0,
    });
    assert.deepEqual(
      [e.ahead, e.behind, e.toPassAhead, e.toFallBehind, e.unkillable],
      [null, null, null, null, { reason: 'oom_score_adj -1000', remedy }],
    );
    assert.deepEqual(text.split('\n').slice(1, 2), [
      'ranker kernel, scope /: not killable (oom_score_adj -1000)',
    ]);
    assert.deepEqual(text.split('\n').slice(-3), [
      'oom_score = 0 (not eligible); the kernel reads 0',
      `not killable: oom_score_adj -1000; ${remedy}`,
      '',
    ]);
  });

  test('v1 pid 100 (zombie) and pid 2 (kernel thread): unkillable, nothing makes them killable', async () => {
    const [zombie, kthread] = await Promise.all([
      explainText(['100', '--root', V1]),
      explainJson(['2', '--root', V1]),
    ]);
    assert.equal(
      zombie.split('\n').at(-2),
      'not killable: no memory (zombie or exiting); nothing makes it killable',
    );
    assert.deepEqual(kthread.unkillable, { reason: 'kernel thread', remedy: null });
  });

  test('--policy legacy on v1 pid 200: the 2.6.35 points as the sort key', async () => {
    const text = await explainText(['200', '--root', V1, '--policy', 'legacy']);
    // Legacy order (see rank-fixtures): 300 1243138, 201 56320, 200 26624, 4242 2688, 301 408.
    const lines = text.split('\n');
    assert.ok(lines.includes('ranker legacy, scope /: #3 of 5 killable'));
    assert.ok(lines.includes('sort key: 2.6.35 points 26624'));
    assert.ok(lines.includes('ahead:  #2 pid 201 (x\\ny z), 2.6.35 points 56320'));
    assert.ok(lines.includes('behind: #4 pid 4242 (oomguard), 2.6.35 points 2688'));
  });
});
