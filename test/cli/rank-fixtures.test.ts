// `oomguard rank` end to end on the fixture trees. Every expected number below is computed by hand from the
// fixture files with the reference formula (kernel-and-kubernetes.md §2.1, §1.2, §7), PAGE 4096, so a
// kB value becomes pages by ÷ 4:
//   T       = (MemTotal + SwapTotal) kB / 4
//   badness = (RssAnon + RssFile + RssShmem + VmSwap) kB / 4 + ⌊VmPTE kB / 4⌋ + adj × trunc(T / 1000)
//   score   = trunc((1000 + trunc(badness × 1000 / Tglobal)) × 2 / 3)
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { REPO, runCli } from '../helpers/cli.js';

const FIXTURES = join(REPO, 'test/fixtures');
const V1 = join(FIXTURES, 'v1');
const V2 = join(FIXTURES, 'v2');
const HYBRID = join(FIXTURES, 'hybrid');

/** The fields the issue asks to check on every candidate. */
const FIELDS = [
  'pid',
  'comm',
  'uid',
  'oomScore',
  'oomScoreAdj',
  'badness',
  'rssBytes',
  'swapBytes',
  'pageTableBytes',
  'cgroup',
  'killable',
  'reason',
  'totalPages',
  'kernelOomScore',
] as const;

type Row = Record<string, unknown>;

/** The FIELDS a candidate has: `reason` is absent (not undefined) on a killable one. */
function pick(c: Row): Row {
  const out: Row = {};
  for (const f of FIELDS) if (f in c) out[f] = c[f];
  return out;
}

async function rankJson(args: readonly string[]): Promise<Row[]> {
  const r = await runCli(['rank', '--json', ...args]);
  assert.equal(r.stderr, '');
  assert.equal(r.code, 0);
  const parsed: unknown = JSON.parse(r.stdout);
  assert.ok(Array.isArray(parsed));
  return parsed as Row[];
}

const KiB = 1024;

function killable(
  pid: number,
  comm: string,
  uid: number,
  cgroup: string,
  kB: { rss: number; swap: number; pte: number },
  adj: number,
  badness: number,
  score: number,
  totalPages: number,
): Row {
  return {
    pid,
    comm,
    uid,
    oomScore: score,
    oomScoreAdj: adj,
    badness,
    rssBytes: kB.rss * KiB,
    swapBytes: kB.swap * KiB,
    pageTableBytes: kB.pte * KiB,
    cgroup,
    killable: true,
    totalPages,
    // Every fixture process has an oom_score file holding what the kernel would print: the same number.
    kernelOomScore: score,
  };
}

function unkillable(
  pid: number,
  comm: string,
  cgroup: string,
  kB: { rss: number; pte: number },
  adj: number,
  reason: string,
  totalPages: number,
): Row {
  return {
    pid,
    comm,
    uid: 0,
    oomScore: 0,
    oomScoreAdj: adj,
    badness: null,
    rssBytes: kB.rss * KiB,
    swapBytes: 0,
    pageTableBytes: kB.pte * KiB,
    cgroup,
    killable: false,
    reason,
    totalPages,
    kernelOomScore: 0,
  };
}

// v1: MemTotal 8388608 kB + SwapTotal 2097152 kB → T = 2097152 + 524288 = 2621440, trunc(T/1000) = 2621.
const T_V1 = 2621440;
const V1_EXPECTED: Row[] = [
  // 300 k8-proc (K8): (1048576 + 20480 + 65536 + 262144) kB / 4 = 349184, + 2048/4 = 512 → 349696;
  // adj 100 × 2621 = 262100 → 611796. 611796000 / 2621440 = 233.4 → 233; 1233 × 2 / 3 = 822.
  // Its memory-controller path, not the name=systemd one (/user.slice).
  killable(
    300,
    'k8-proc',
    1000,
    '/oomguard-test-1',
    { rss: 1134592, swap: 262144, pte: 2048 },
    100,
    611796,
    822,
    T_V1,
  ),
  // 201 "x\ny z": (102400 + 2048 + 4096) / 4 = 27136, + 512/4 = 128, + 200 × 2621 = 524200 → 551464.
  // 551464000 / 2621440 = 210.4 → 210; 1210 × 2 / 3 = 806.67 → 806. Real uid 1000 (euid 0): the kernel logs the real uid.
  killable(201, 'x\ny z', 1000, '/', { rss: 108544, swap: 0, pte: 512 }, 200, 551464, 806, T_V1),
  // 4242 oomguard: (51200 + 30720) / 4 = 20480, + 1024/4 = 256 → 20736. 20736000 / 2621440 = 7.9 → 7; 1007 × 2 / 3 → 671.
  killable(4242, 'oomguard', 0, '/', { rss: 81920, swap: 0, pte: 1024 }, 0, 20736, 671, T_V1),
  // 200 "a) (b": (40960 + 8192) / 4 = 12288, + 1024/4 = 256 swap, + 128/4 = 32 → 12576. 4.79 → 4; 1004 × 2 / 3 → 669.
  killable(200, 'a) (b', 1000, '/', { rss: 49152, swap: 1024, pte: 128 }, 0, 12576, 669, T_V1),
  // 301 child-proc: 204800 / 4 = 51200, + ⌊420/4⌋ = 105, − 500 × 2621 = −1310500 → −1259195.
  // −1259195000 / 2621440 = −480.3 → −480 (toward zero); 520 × 2 / 3 = 346.67 → 346.
  killable(
    301,
    'child-proc',
    1000,
    '/oomguard-test-1/child',
    { rss: 204800, swap: 0, pte: 420 },
    -500,
    -1259195,
    346,
    T_V1,
  ),
  // Then the unkillable ones, by pid.
  unkillable(1, 'systemd', '/', { rss: 12288, pte: 256 }, 0, 'host init', T_V1),
  unkillable(2, 'kthreadd', '/', { rss: 0, pte: 0 }, 0, 'kernel thread', T_V1),
  unkillable(15, 'kworker/0:1-events', '/', { rss: 0, pte: 0 }, 0, 'kernel thread', T_V1),
  unkillable(100, 'worker', '/', { rss: 0, pte: 0 }, 0, 'no memory (zombie or exiting)', T_V1),
  unkillable(302, 'sshd', '/', { rss: 8192, pte: 96 }, -1000, 'oom_score_adj -1000', T_V1),
];

// v2: MemTotal 16777216 kB, no swap → T = 4194304, trunc(T/1000) = 4194.
const T_V2 = 4194304;
const V2_EXPECTED: Row[] = [
  // 11 python3 (K2): 1048576/4 = 262144 + 512/4 = 128 + 500 × 4194 = 2097000 → 2359272; 562.49 → 562; 1562·2/3 → 1041.
  killable(11, 'python3', 1001, '/workload', { rss: 1048576, swap: 0, pte: 512 }, 500, 2359272, 1041, T_V2),
  // 13 p1: 320000/4 = 80000 + 400/4 = 100 + 2097000 → 2177100; 519.06 → 519; 1519·2/3 = 1012.67 → 1012.
  killable(13, 'p1', 0, '/oomguard-test-2', { rss: 320000, swap: 0, pte: 400 }, 500, 2177100, 1012, T_V2),
  // 14 p2: 40000 + 100 + 2097000 → 2137100; 509.5 → 509; 1509·2/3 → 1006.
  killable(14, 'p2', 0, '/oomguard-test-2/a', { rss: 160000, swap: 0, pte: 400 }, 500, 2137100, 1006, T_V2),
  // 10 java (K1): (4194304 + 102400)/4 = 1074176 + 8192/4 = 2048 → 1076224; 256.59 → 256; 1256·2/3 → 837.
  killable(10, 'java', 1001, '/workload', { rss: 4296704, swap: 0, pte: 8192 }, 0, 1076224, 837, T_V2),
  // 2 sh (K3): 262144 − 500 × 4194 = −1834856; −437.46 → −437; 563·2/3 → 375.
  killable(2, 'sh', 0, '/', { rss: 1048576, swap: 0, pte: 0 }, -500, -1834856, 375, T_V2),
  // 12 redis-server (K4): 14000 − 999 × 4194 = 14000 − 4189806 = −4175806; −995.59 → −995; 5·2/3 → 3.
  killable(12, 'redis-server', 0, '/workload', { rss: 56000, swap: 0, pte: 0 }, -999, -4175806, 3, T_V2),
  // 1 tini (K5): 10000 − 4189806 = −4179806; −996.5 → −996; 4·2/3 → 2. A container's PID 1 is eligible.
  killable(1, 'tini', 0, '/', { rss: 40000, swap: 0, pte: 0 }, -999, -4179806, 2, T_V2),
  unkillable(16, 'guardian', '/', { rss: 8192, pte: 0 }, -1000, 'oom_score_adj -1000', T_V2),
];

// hybrid: MemTotal 4194304 kB, no swap → T = 1048576, trunc(T/1000) = 1048. Memory cgroups from the v1 memory
// hierarchy (not the cgroup2 0:: line, /user.slice).
const T_HY = 1048576;
const HYBRID_EXPECTED: Row[] = [
  // 41 worker: 40960/4 = 10240 + 64/4 = 16 + 1000 × 1048 → 1058256; 1009.23 → 1009; 2009·2/3 → 1339.
  killable(
    41,
    'worker',
    0,
    '/oomguard-test-3/leaf',
    { rss: 40960, swap: 0, pte: 64 },
    1000,
    1058256,
    1339,
    T_HY,
  ),
  // 40: (409600 + 4096)/4 = 103424 + 1024/4 = 256 → 103680; 98.88 → 98; 1098·2/3 → 732. A full 15-byte comm.
  killable(
    40,
    'abcdefghijklmno',
    0,
    '/oomguard-test-3',
    { rss: 413696, swap: 0, pte: 1024 },
    0,
    103680,
    732,
    T_HY,
  ),
  // 42 neighbour: 20480/4 = 5120 + 32/4 = 8 → 5128; 4.89 → 4; 1004·2/3 → 669.
  killable(42, 'neighbour', 0, '/oomguard-test-30', { rss: 20480, swap: 0, pte: 32 }, 0, 5128, 669, T_HY),
  unkillable(1, 'init', '/', { rss: 3072, pte: 64 }, 0, 'host init', T_HY),
  unkillable(2, 'kthreadd', '/', { rss: 0, pte: 0 }, 0, 'kernel thread', T_HY),
  unkillable(3, 'rcu_gp', '/', { rss: 0, pte: 0 }, 0, 'kernel thread', T_HY),
];

function assertPositions(list: readonly Row[], killableCount: number): void {
  assert.deepEqual(
    list.map((c) => c.position),
    list.map((_, i) => (i < killableCount ? i + 1 : 0)),
  );
}

describe('rank --json on the fixture trees', { concurrency: true }, () => {
  test('v1: kill order, every field, unkillable reasons; vanished pids 500-502 are skipped', async () => {
    const list = await rankJson(['--root', V1]);
    assert.deepEqual(
      list.map((c) => c.pid),
      [300, 201, 4242, 200, 301, 1, 2, 15, 100, 302],
    );
    assert.deepEqual(list.map(pick), V1_EXPECTED);
    assertPositions(list, 5);
    for (const c of list) assert.equal(c.oomScore, c.kernelOomScore, `pid ${c.pid}`);
  });

  test('v2: kill order and every field; container init is eligible', async () => {
    const list = await rankJson(['--root', V2]);
    assert.deepEqual(
      list.map((c) => c.pid),
      [11, 13, 14, 10, 2, 12, 1, 16],
    );
    assert.deepEqual(list.map(pick), V2_EXPECTED);
    assertPositions(list, 7);
    for (const c of list) assert.equal(c.oomScore, c.kernelOomScore, `pid ${c.pid}`);
  });

  test('hybrid: kill order and every field; vanished pid 43 is skipped', async () => {
    const list = await rankJson(['--root', HYBRID]);
    assert.deepEqual(
      list.map((c) => c.pid),
      [41, 40, 42, 1, 2, 3],
    );
    assert.deepEqual(list.map(pick), HYBRID_EXPECTED);
    assertPositions(list, 3);
    for (const c of list) assert.equal(c.oomScore, c.kernelOomScore, `pid ${c.pid}`);
  });

  test('--no-kernel-score leaves kernelOomScore null', async () => {
    const list = await rankJson(['--root', V2, '--no-kernel-score', '--top', '1']);
    assert.deepEqual(
      list.map((c) => [c.pid, c.oomScore, c.kernelOomScore]),
      [[11, 1041, null]],
    );
  });
});

describe('rank --cgroup: a memcg OOM in that subtree', { concurrency: true }, () => {
  test('v1 /oomguard-test-1: T = limit + min(memsw − limit, swap)', async () => {
    // limit 1610612736 B = 393216 pages; memsw 2147483648 − limit = 536870912 B = 131072 pages;
    // swap 524288 pages, swappiness 60 → allowance min(131072, 524288) = 131072 → T = 524288, trunc(T/1000) = 524.
    // 300: 349696 + 100 × 524 = 402096. 301: 51305 − 500 × 524 = −210695. oom_score stays global (822, 346).
    const list = await rankJson(['--root', V1, '--cgroup', '/oomguard-test-1']);
    assert.deepEqual(list.map(pick), [
      { ...V1_EXPECTED[0], badness: 402096, totalPages: 524288 },
      { ...V1_EXPECTED[4], badness: -210695, totalPages: 524288 },
    ]);
  });

  test('v1 /oomguard-test-1/child: memsw = limit and swappiness 0 → no swap allowance', async () => {
    // limit 268435456 B = 65536 pages, allowance 0 → T = 65536, trunc = 65. 301: 51305 − 500 × 65 = 18805.
    const list = await rankJson(['--root', V1, '--cgroup', '/oomguard-test-1/child']);
    assert.deepEqual(list.map(pick), [{ ...V1_EXPECTED[4], badness: 18805, totalPages: 65536 }]);
  });

  test('v2 /oomguard-test-2: the K9 memcg, p1 (145600) is the victim before p2 (105600)', async () => {
    // memory.max 536870912 B = 131072 pages + min(swap.max 0, swap 0) → T = 131072, trunc = 131.
    // p1: 80100 + 500 × 131 = 145600; p2: 40100 + 65500 = 105600. oom_score global: 1012 and 1006 (K9).
    const list = await rankJson(['--root', V2, '--cgroup', '/oomguard-test-2']);
    assert.deepEqual(list.map(pick), [
      { ...V2_EXPECTED[1], badness: 145600, totalPages: 131072 },
      { ...V2_EXPECTED[2], badness: 105600, totalPages: 131072 },
    ]);
    assert.equal(list[0]?.position, 1);
  });

  test('v2 /oomguard-test-2/a has no limit: its subtree, with the limited parent T', async () => {
    const list = await rankJson(['--root', V2, '--cgroup', '/oomguard-test-2/a']);
    assert.deepEqual(list.map(pick), [{ ...V2_EXPECTED[2], badness: 105600, totalPages: 131072 }]);
  });

  test('hybrid /oomguard-test-3: the subtree only, not the look-alike /oomguard-test-30', async () => {
    // limit 536870912 B = 131072 pages, no memsw files and no swap → T = 131072, trunc = 131.
    // 41: 10256 + 1000 × 131 = 141256; 40: 103680 + 0.
    const list = await rankJson(['--root', HYBRID, '--cgroup', '/oomguard-test-3']);
    assert.deepEqual(list.map(pick), [
      { ...HYBRID_EXPECTED[0], badness: 141256, totalPages: 131072 },
      { ...HYBRID_EXPECTED[1], badness: 103680, totalPages: 131072 },
    ]);
  });

  test('v2 /workload and no limited ancestor: the global T; --top 2 keeps the first two', async () => {
    const list = await rankJson(['--root', V2, '--cgroup', '/workload', '--top', '2']);
    assert.deepEqual(list.map(pick), [V2_EXPECTED[0], V2_EXPECTED[3]]);
  });
});

describe('rank --top and --policy', { concurrency: true }, () => {
  test('--top 3 on v2: the first three killable', async () => {
    const list = await rankJson(['--root', V2, '--top', '3']);
    assert.deepEqual(list.map(pick), V2_EXPECTED.slice(0, 3));
  });

  test('--top larger than the killable count on v1: the 5 killable, no unkillable', async () => {
    const list = await rankJson(['--root', V1, '--top', '100']);
    assert.deepEqual(
      list.map((c) => c.pid),
      [300, 201, 4242, 200, 301],
    );
  });

  test('--policy rss on v2: RSS + swap bytes, a tie broken by badness', async () => {
    // java 4296704 kB = 4399824896 B; python3 and sh 1048576 kB = 1073741824 B each (tie: python3's
    // badness 2359272 > sh's −1834856); p1 320000 kB; p2 160000 kB; redis 56000 kB; tini 40000 kB.
    const list = await rankJson(['--root', V2, '--policy', 'rss']);
    assert.deepEqual(
      list.map((c) => [c.pid, c.key, c.tied]),
      [
        [10, 4399824896, false],
        [11, 1073741824, true],
        [2, 1073741824, true],
        [13, 327680000, false],
        [14, 163840000, false],
        [12, 57344000, false],
        [1, 40960000, false],
        [16, 0, false],
      ],
    );
  });

  test('--policy legacy on v1: the 2.6.35 points', async () => {
    // HZ 1000 model, USER_HZ 100: CPU 120 ticks = 1200 jiffies >> 13 = 0 (no CPU term); uptime 12345 s, all started
    // 40-90 s in: run >> 10 = 11 or 12, isqrt(isqrt(·)) = 1 (no age term). total_vm = VmSize kB / 4.
    //   300: 569344 + child 301 (104448 pages: 52224 + 1) = 621569; oom_adj trunc(100·17/1000) = 1 → × 2 = 1243138.
    //   201: 56320, nice 5 → × 2 = 112640; CAP_SYS_ADMIN ÷ 4 = 28160; CAP_SYS_RAWIO ÷ 4 = 7040; oom_adj 3 → × 8 = 56320.
    //   200: 26624 (its child 100 is a zombie without an mm: not counted).
    //   4242: 43008 ÷ 4 ÷ 4 = 2688.
    //   301: 104448, oom_adj trunc(−500·17/1000) = −8 → >> 8 = 408.
    const list = await rankJson(['--root', V1, '--policy', 'legacy']);
    assert.deepEqual(
      list.map((c) => [c.pid, c.key]),
      [
        [300, 1243138],
        [201, 56320],
        [200, 26624],
        [4242, 2688],
        [301, 408],
        [1, 0],
        [2, 0],
        [15, 0],
        [100, 0],
        [302, 0],
      ],
    );
    // The kernel's badness and oom_score are still shown beside the legacy key.
    assert.deepEqual(list.slice(0, 5).map(pick), [
      V1_EXPECTED[0],
      V1_EXPECTED[1],
      V1_EXPECTED[3],
      V1_EXPECTED[2],
      V1_EXPECTED[4],
    ]);
  });
});

// The text table. Each number in the goldens is the hand computation above; sizes are binary with three
// significant digits: 1161822208 B = 1.08 GiB, 111149056 B = 106 MiB, 83886080 B = 80.0 MiB, 50331648 B = 48.0 MiB.
const V1_TABLE = [
  'ranker kernel, scope /, totalpages 2621440 (global: MemTotal 2097152 pages (8192 MiB) + SwapTotal 524288 pages (2048 MiB) = 2621440 pages), page 4096 B',
  '#   PID  USER  NAME                     RSS      SWAP    ADJ   BADNESS  SCORE  NOTE',
  '1   300  1000  k8-proc             1.08 GiB   256 MiB    100    611796    822',
  '2   201  1000  x\\ny z               106 MiB       0 B    200    551464    806',
  '3  4242  0     oomguard            80.0 MiB       0 B      0     20736    671',
  '4   200  1000  a) (b               48.0 MiB  1.00 MiB      0     12576    669',
  '5   301  1000  child-proc           200 MiB       0 B   -500  -1259195    346',
  '-     1  0     systemd             12.0 MiB       0 B      0         -      0  not killable: host init',
  '-     2  0     kthreadd                 0 B       0 B      0         -      0  not killable: kernel thread',
  '-    15  0     kworker/0:1-events       0 B       0 B      0         -      0  not killable: kernel thread',
  '-   100  0     worker                   0 B       0 B      0         -      0  not killable: no memory (zombie or exiting)',
  '-   302  0     sshd                8.00 MiB       0 B  -1000         -      0  not killable: oom_score_adj -1000',
  '',
].join('\n');

// C0 and C1 control characters other than the line feed that ends each line.
// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe('rank as a text table', { concurrency: true }, () => {
  test('v1: the whole table; the newline in a comm shows as \\n', async () => {
    const r = await runCli(['rank', '--root', V1]);
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, V1_TABLE);
  });

  test('v2 --cgroup /oomguard-test-2 --top 1: the memcg header and its victim', async () => {
    const r = await runCli(['rank', '--root', V2, '--cgroup', '/oomguard-test-2', '--top', '1']);
    assert.equal(r.code, 0);
    assert.equal(
      r.stdout,
      [
        'ranker kernel, scope /oomguard-test-2, totalpages 131072 (memcg /oomguard-test-2: memory.max 131072 pages (512 MiB) + swap allowance 0 pages (min(memory.swap.max 0 pages, total swap 0 pages)) = 131072 pages), page 4096 B',
        '#  PID  USER  NAME      RSS  SWAP  ADJ  BADNESS  SCORE  NOTE',
        '1   13  0     p1    313 MiB   0 B  500   145600   1012',
        '',
      ].join('\n'),
    );
  });

  test('v2 --policy rss: a KEY column, the tie is noted', async () => {
    const r = await runCli(['rank', '--root', V2, '--policy', 'rss', '--top', '3']);
    assert.equal(r.code, 0);
    assert.deepEqual(r.stdout.split('\n').slice(1), [
      '#  PID  USER  NAME          RSS  SWAP   ADJ         KEY   BADNESS  SCORE  NOTE',
      '1   10  1001  java     4.10 GiB   0 B     0  4399824896   1076224    837',
      '2   11  1001  python3  1.00 GiB   0 B   500  1073741824   2359272   1041  tie: badness decides',
      '3    2  0     sh       1.00 GiB   0 B  -500  1073741824  -1834856    375  tie: badness decides',
      '',
    ]);
  });

  test('a comm with ESC and CR, and user names from etc/passwd: escaped in the table, explain and errors', async (t) => {
    // A copy of v2 where redis-server (pid 12) renamed itself to "\e[2Jevil\rx" (clear screen, carriage return).
    const root = mkdtempSync(join(tmpdir(), 'oomguard-cli-escape-'));
    t.after(() => rmSync(root, { recursive: true, force: true }));
    cpSync(V2, root, { recursive: true });
    const comm = '\u001b[2Jevil\rx';
    const stat = join(root, 'proc/12/stat');
    writeFileSync(stat, readFileSync(stat, 'utf8').replace('(redis-server)', `(${comm})`));
    const status = join(root, 'proc/12/status');
    // status escapes the name as the kernel does (ESCAPE_SPACE | ESCAPE_SPECIAL): \e and \r.
    writeFileSync(status, readFileSync(status, 'utf8').replace('redis-server', '\\e[2Jevil\\rx'));
    mkdirSync(join(root, 'etc'));
    writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\napp:x:1001:1001::/app:/bin/sh\n');

    const [table, json, text, outside] = await Promise.all([
      runCli(['rank', '--root', root, '--top', '6']),
      runCli(['rank', '--root', root, '--json', '--top', '6']),
      runCli(['explain', '12', '--root', root]),
      runCli(['explain', '12', '--root', root, '--cgroup', '/oomguard-test-2']),
    ]);

    assert.equal(table.code, 0);
    assert.doesNotMatch(table.stdout, CONTROL);
    assert.deepEqual(table.stdout.split('\n').slice(1), [
      '#  PID  USER  NAME                 RSS  SWAP   ADJ   BADNESS  SCORE  NOTE',
      '1   11  app   python3         1.00 GiB   0 B   500   2359272   1041',
      '2   13  root  p1               313 MiB   0 B   500   2177100   1012',
      '3   14  root  p2               156 MiB   0 B   500   2137100   1006',
      '4   10  app   java            4.10 GiB   0 B     0   1076224    837',
      '5    2  root  sh              1.00 GiB   0 B  -500  -1834856    375',
      '6   12  root  \\x1b[2Jevil\\rx  54.7 MiB   0 B  -999  -4175806      3',
      '',
    ]);

    // JSON keeps the real name; JSON.stringify escapes it, so no raw control character either.
    assert.equal(json.code, 0);
    assert.doesNotMatch(json.stdout, CONTROL);
    const list = JSON.parse(json.stdout) as Row[];
    assert.equal(list[5]?.comm, comm);

    assert.equal(text.code, 0);
    assert.doesNotMatch(text.stdout, CONTROL);
    assert.equal(
      text.stdout.split('\n')[0],
      'pid 12 (\\x1b[2Jevil\\rx), uid 0, cgroup /workload, oom_score_adj -999',
    );
    assert.match(text.stdout, /\nahead: {2}#5 pid 2 \(sh\), badness -1834856 pages\n/);

    assert.equal(outside.code, 2);
    assert.equal(outside.stdout, '');
    assert.equal(
      outside.stderr,
      'oomguard: process 12 (\\x1b[2Jevil\\rx) is in cgroup /workload, outside /oomguard-test-2\n',
    );
  });
});
