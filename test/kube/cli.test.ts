// `oomguard kube …` through the command line: the reference vectors, the node fixtures, and every kind of
// bad input with its message and exit code. Most cases run the CLI's main() in this process with stdout and
// stderr captured (a spawned tsx process costs a second or more each); the last suite spawns the real
// binary to show the same messages and exit codes reach a shell.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { main } from '../../src/cli/program.js';
import { type CliResult, REPO, runCli } from '../helpers/cli.js';

const FIXTURES = join(REPO, 'test/fixtures');
const DIR = mkdtempSync(join(tmpdir(), 'oomguard-kube-cli-'));
after(() => rmSync(DIR, { recursive: true, force: true }));

function file(name: string, content: unknown): string {
  const path = join(DIR, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

/** main() in this process; the writes are captured, so suites here run one test at a time. */
async function cli(args: readonly string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write;
  const err = process.stderr.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await main([...args]);
    return { code, signal: null, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

// main() loads each command's code on first use, and a load may let the test runner write its own reports
// to the stdout captured here: load the kube commands once, outside any test, so that no call below waits.
before(async () => {
  await cli(['kube', 'adj', '--qos', 'guaranteed', '--capacity', '1Gi']);
});

async function ok(args: readonly string[]): Promise<string> {
  const r = await cli(args);
  assert.equal(r.stderr, '', `stderr of ${args.join(' ')}`);
  assert.equal(r.code, 0, `exit code of ${args.join(' ')}`);
  return r.stdout;
}

async function json(args: readonly string[]): Promise<unknown> {
  return JSON.parse(await ok([...args, '--json']));
}

async function fails(args: readonly string[], code: number, stderr: string, run = cli): Promise<void> {
  const r = await run(args);
  assert.equal(r.stderr, stderr, `stderr of ${args.join(' ')}`);
  assert.equal(r.stdout, '', `stdout of ${args.join(' ')}`);
  assert.equal(r.code, code, `exit code of ${args.join(' ')}`);
}

const adj = async (...args: string[]) =>
  ((await json(['kube', 'adj', ...args])) as { oomScoreAdj: number }).oomScoreAdj;

describe('kube adj: reference vectors, cap 16 GiB', () => {
  const cap = ['--capacity', '16Gi'];
  const vectors: [string[], number][] = [
    [['--qos', 'guaranteed'], -997],
    [['--qos', 'besteffort'], 1000],
    [['--qos', 'burstable', '--critical'], -997],
    [['--qos', 'burstable', '--request', '4Gi'], 750],
    [['--qos', 'burstable', '--request', '8Gi'], 500],
    [['--qos', 'burstable', '--request', '1Gi'], 938],
    [['--qos', 'burstable', '--request', '100Mi'], 994],
    [['--qos', 'burstable', '--request', '17Mi'], 999],
    [['--qos', 'burstable', '--request', '16Mi'], 999],
    [['--qos', 'burstable'], 999],
    [['--qos', 'burstable', '--request', '16Gi'], 3],
    [['--qos', 'burstable', '--request', '16383Mi'], 3],
  ];
  for (const [args, expected] of vectors) {
    test(`${args.join(' ')} → ${expected}`, async () => assert.equal(await adj(...args, ...cap), expected));
  }
  test('text output: the value, then the arithmetic', async () => {
    assert.equal(
      await ok(['kube', 'adj', '--qos', 'burstable', '--request', '4Gi', '--capacity', '16Gi']),
      '750\n  1000 − trunc(1000 × 4294967296 / 17179869184) = 1000 − 250 = 750\n',
    );
  });
});

describe('kube adj: tie-break gate, 1 TiB', () => {
  const vectors: [string[], number][] = [
    [['--request', '1Gi'], 996],
    [['--request', '1Gi', '--limit', '1Gi'], 991],
    [['--request', '1Gi', '--limit', '2Gi'], 996],
    [['--request', '16Gi'], 981],
    [['--request', '64Mi'], 999],
  ];
  for (const [args, expected] of vectors) {
    test(`${args.join(' ')} → ${expected}`, async () =>
      assert.equal(await adj('--qos', 'burstable', '--capacity', '1Ti', '--tie-break', ...args), expected));
  }
});

describe('kube qos', () => {
  test('a pod object: the class; with --capacity each container, sidecar rule included', async () => {
    const pod = file('sidecar.json', {
      metadata: { name: 'web' },
      spec: {
        containers: [
          { name: 'a', resources: { requests: { memory: '1Gi' } } },
          { name: 'b', resources: { requests: { memory: '2Gi' } } },
        ],
        initContainers: [{ name: 's', restartPolicy: 'Always', resources: { requests: { memory: '64Mi' } } }],
      },
    });
    assert.equal(await ok(['kube', 'qos', pod]), 'Burstable\n');
    assert.equal(
      await ok(['kube', 'qos', pod, '--capacity', '16Gi']),
      'Burstable\ncontainer a: oom_score_adj 938\ncontainer b: oom_score_adj 875\nsidecar s: oom_score_adj 938\n',
    );
  });
  test('pod-level 4Gi request: c1 844, c2 907 (JSON)', async () => {
    const pod = file('podlevel.json', {
      spec: {
        containers: [{ name: 'c1', resources: { requests: { memory: '1Gi' } } }, { name: 'c2' }],
        resources: { requests: { memory: '4Gi' } },
      },
    });
    const out = (await json(['kube', 'qos', pod, '--capacity', '16Gi'])) as {
      qosClass: string;
      memoryRequestBytes: number;
      containers: { name: string; oomScoreAdj: number }[];
    };
    assert.equal(out.qosClass, 'Burstable');
    assert.equal(out.memoryRequestBytes, 4294967296);
    assert.deepEqual(
      out.containers.map((c) => [c.name, c.oomScoreAdj]),
      [
        ['c1', 844],
        ['c2', 907],
      ],
    );
  });
  test('Guaranteed and BestEffort specs', async () => {
    const g = file('g.json', {
      containers: [{ name: 'c', resources: { limits: { cpu: '1', memory: '1Gi' } } }],
    });
    const b = file('b.json', { containers: [{ name: 'c' }] });
    assert.equal(await ok(['kube', 'qos', g]), 'Guaranteed\n');
    assert.equal(await ok(['kube', 'qos', b]), 'BestEffort\n');
  });
});

const REFERENCE_PODS = [
  { name: 'A', priority: 0, memoryRequestBytes: 0, workingSetBytes: '300Mi' },
  { name: 'B', priority: 0, memoryRequestBytes: '1Gi', workingSetBytes: '1.5Gi' },
  { name: 'C', priority: 1000, memoryRequestBytes: '256Mi', workingSetBytes: '2Gi' },
  { name: 'D', priority: 0, memoryRequestBytes: '4Gi', workingSetBytes: '3.9Gi' },
  { name: 'E', priority: 0, memoryRequestBytes: '2Gi', workingSetBytes: '1Gi' },
];

describe('kube evict-order', () => {
  test('reference: B, A, C, D, E with reasons', async () => {
    const pods = file('ref.json', REFERENCE_PODS);
    const out = (await json(['kube', 'evict-order', pods])) as {
      name: string;
      position: number;
      reason: string;
    }[];
    assert.deepEqual(
      out.map((p) => [p.position, p.name]),
      [
        [1, 'B'],
        [2, 'A'],
        [3, 'C'],
        [4, 'D'],
        [5, 'E'],
      ],
    );
    assert.equal(
      out[1]?.reason,
      'working set 300Mi over request 0 (+300Mi); priority 0; before C: lower priority (0 < 1000)',
    );
    const text = await ok(['kube', 'evict-order', pods]);
    assert.deepEqual(
      text
        .split('\n')
        .slice(1, 6)
        .map((l) => l.trim().split(/\s+/).slice(0, 2).join(' ')),
      ['1 B', '2 A', '3 C', '4 D', '5 E'],
    );
  });
  test('byte counts as plain numbers, a critical pod last', async () => {
    const pods = file('bytes.json', [
      { name: 'sys', priority: 2000001000, memoryRequestBytes: 0, workingSetBytes: 999999999 },
      { name: 'x', priority: 0, memoryRequestBytes: 0, workingSetBytes: 1 },
    ]);
    const out = (await json(['kube', 'evict-order', pods])) as {
      name: string;
      position: number;
      evictable: boolean;
    }[];
    assert.deepEqual(
      out.map((p) => [p.name, p.position, p.evictable]),
      [
        ['x', 1, true],
        ['sys', 0, false],
      ],
    );
  });
});

describe('kube threshold', () => {
  test('74Mi available < 100Mi: met; min reclaim 500Mi → until 600Mi', async () => {
    const args = [
      'kube',
      'threshold',
      '--capacity',
      '16384Mi',
      '--available',
      '74Mi',
      '--threshold',
      '100Mi',
      '--min-reclaim',
      '500Mi',
    ];
    assert.equal(
      await ok(args),
      'met\n  memory.available 74Mi < 100Mi: met; eviction continues until available ≥ 600Mi (min reclaim 500Mi)\n',
    );
    const j = (await json(args)) as Record<string, unknown>;
    assert.deepEqual([j.met, j.thresholdBytes, j.reclaimTargetBytes], [true, 104857600, 629145600]);
  });
  test('from usage and inactive_file: 16320Mi − 10Mi on 16384Mi leaves 74Mi', async () => {
    const j = (await json([
      'kube',
      'threshold',
      '--capacity',
      '16384Mi',
      '--usage',
      '16320Mi',
      '--inactive-file',
      '10Mi',
      '--threshold',
      '100Mi',
    ])) as Record<string, unknown>;
    assert.deepEqual([j.met, j.availableBytes, j.workingSetBytes], [true, 77594624, 17102274560]);
  });
  test('10% of 17179869184 is 1717986944 (float32)', async () => {
    const j = (await json([
      'kube',
      'threshold',
      '--capacity',
      '17179869184',
      '--available',
      '1717986943',
      '--threshold',
      '10%',
    ])) as Record<string, unknown>;
    assert.deepEqual([j.met, j.thresholdBytes], [true, 1717986944]);
    // 1717986918 (the exact 10%) < 1717986944: still met, where exact arithmetic would say not met.
    const k = (await json([
      'kube',
      'threshold',
      '--capacity',
      '17179869184',
      '--available',
      '1717986930',
      '--threshold',
      '10%',
    ])) as Record<string, unknown>;
    assert.equal(k.met, true);
    const n = (await json([
      'kube',
      'threshold',
      '--capacity',
      '17179869184',
      '--available',
      '1717986944',
      '--threshold',
      '10%',
    ])) as Record<string, unknown>;
    assert.equal(n.met, false);
  });
  test('not met', async () => {
    assert.equal(
      await ok([
        'kube',
        'threshold',
        '--capacity',
        '16Gi',
        '--available',
        '2Gi',
        '--threshold',
        'memory.available<100Mi',
      ]),
      'not met\n  memory.available 2Gi ≥ 100Mi: not met\n',
    );
  });
});

describe('kube node on the fixtures', () => {
  for (const tree of ['kube-cgroupfs-v1', 'kube-systemd-v2', 'kube-systemd-v1', 'kube-cgroupfs-v2']) {
    test(`${tree}: web, batch, monitor, db; etcd never`, async () => {
      const out = (await json([
        '--root',
        join(FIXTURES, tree),
        'kube',
        'node',
        '--pods',
        join(FIXTURES, 'kube-pods/pods.json'),
      ])) as {
        pods: { name: string; position: number; workingSetBytes: number; processes: { pid: number }[] }[];
        outsidePods: number;
      };
      assert.deepEqual(
        out.pods.map((p) => [p.name, p.position, p.workingSetBytes, p.processes.length]),
        [
          ['web', 1, 1048576000, 4],
          ['batch', 2, 314572800, 3],
          ['monitor', 3, 943718400, 2],
          ['db', 4, 1610612736, 3],
          ['etcd', 0, 52428800, 2],
        ],
      );
      assert.equal(out.outsidePods, 3);
    });
  }
  test('text, without metadata', async () => {
    const text = await ok(['--root', join(FIXTURES, 'kube-systemd-v2'), 'kube', 'node']);
    assert.match(text, /^# {2}POD {2}/);
    assert.match(text, /no pod metadata: every pod counts as priority 0, request 0 \(give --pods FILE\)/);
    assert.match(text, /\n1 {2}pod3c8d5e21-1f60-4b4c-9d3e-0f2a1b7c8d03 {2}Guaranteed/);
  });
});

type Failure = [args: string[], code: number, stderr: string];

async function allFail(cases: readonly Failure[], run = cli): Promise<void> {
  for (const [args, code, stderr] of cases) await fails(args, code, stderr, run);
}

const Q = '(expected a Kubernetes quantity such as 100Mi, 1.5Gi, 500M or 129e6)';

describe('bad input', () => {
  const cap = ['--capacity', '16Gi'];
  test('quantities', async () => {
    await allFail([
      [
        ['kube', 'adj', '--qos', 'burstable', '--request', '1Gb', ...cap],
        2,
        `oomguard: --request: unknown suffix "Gb", got "1Gb" ${Q}\n`,
      ],
      [
        ['kube', 'adj', '--qos', 'burstable', '--capacity', 'lots'],
        2,
        `oomguard: --capacity: not a number, got "lots" ${Q}\n`,
      ],
      [
        ['kube', 'adj', '--qos', 'burstable', '--capacity', '0'],
        2,
        'oomguard: --capacity: must be positive\n',
      ],
      [
        ['kube', 'threshold', '--capacity', '16Gi', '--available', '-1Mi', '--threshold', '100Mi'],
        2,
        `oomguard: --available: must not be negative, got "-1Mi" ${Q}\n`,
      ],
      [
        ['kube', 'threshold', '--capacity', '16Gi', '--available', '1Gi', '--threshold', '200%'],
        2,
        'oomguard: --threshold: a percentage must be at most 100%, got "200%"\n',
      ],
      [
        ['kube', 'threshold', '--capacity', '16Gi', '--available', '17Gi', '--threshold', '1Gi'],
        2,
        'oomguard: --available: 17Gi is more than the capacity 16Gi\n',
      ],
      [
        ['kube', 'threshold', '--capacity', '16Gi', '--threshold', '1Gi'],
        2,
        'oomguard: --available: required (or --usage with --inactive-file)\n',
      ],
    ]);
  });
  test('QoS names and contradictions', async () => {
    await allFail([
      [
        ['kube', 'adj', '--qos', 'gold', ...cap],
        2,
        'oomguard: --qos: unknown QoS class "gold" (expected guaranteed, burstable or besteffort)\n',
      ],
      [
        ['kube', 'adj', '--qos', 'besteffort', '--request', '1Gi', ...cap],
        2,
        'oomguard: --request/--limit: a BestEffort container has no memory request or limit\n',
      ],
      [
        ['kube', 'adj', '--qos', 'burstable', '--request', '2Gi', '--limit', '1Gi', ...cap],
        2,
        'oomguard: --limit: 1Gi is below the request 2Gi (the API server rejects it)\n',
      ],
      [
        ['kube', 'adj', '--qos', 'burstable'],
        2,
        "error: required option '--capacity <quantity>' not specified\n",
      ],
    ]);
  });
  test('malformed pod JSON names the file and the field', async () => {
    const badPods = file('bad-pods.json', [
      { name: 'a', workingSetBytes: 1 },
      { name: 'b', workingSetBytes: 1 },
      { name: 'c', memoryRequestBytes: 'lots', workingSetBytes: 1 },
    ]);
    const notJson = file('not-json.json', '{"name": ');
    const badSpec = file('bad-spec.json', {
      spec: {
        containers: [
          { name: 'c', resources: { limits: { memory: 5 } } },
          { name: 'd', resources: { requests: [] } },
        ],
      },
    });
    const badMeta = file('bad-meta.json', [{ name: 'a', uid: 'u', priority: '10' }]);
    await allFail([
      [
        ['kube', 'evict-order', badPods],
        2,
        `oomguard: ${badPods}: [2].memoryRequestBytes: not a number, got "lots" ${Q}\n`,
      ],
      [
        ['kube', 'evict-order', notJson],
        2,
        `oomguard: ${notJson}: not valid JSON: Unexpected end of JSON input\n`,
      ],
      [
        ['kube', 'qos', badSpec],
        2,
        `oomguard: ${badSpec}: spec.containers[1].resources.requests: expected an object, got a list\n`,
      ],
      [
        ['--root', join(FIXTURES, 'kube-systemd-v2'), 'kube', 'node', '--pods', badMeta],
        2,
        `oomguard: ${badMeta}: [0].priority: expected a number (a whole number), got "10"\n`,
      ],
    ]);
  });
  test('unreadable files: exit 1 naming the file', async () => {
    const missing = join(DIR, 'missing.json');
    await allFail([
      [['kube', 'evict-order', missing], 1, `oomguard: ${missing}: cannot read the pod list: ENOENT\n`],
      [['kube', 'qos', DIR], 1, `oomguard: ${DIR}: cannot read the pod: EISDIR\n`],
      [
        ['--root', join(FIXTURES, 'kube-systemd-v2'), 'kube', 'node', '--pods', missing],
        1,
        `oomguard: ${missing}: cannot read pod metadata: ENOENT\n`,
      ],
    ]);
  });
});

describe('the real binary', { concurrency: true }, () => {
  test('prints the value and exits 0', async () => {
    const r = await runCli(['kube', 'adj', '--qos', 'burstable', '--request', '100Mi', '--capacity', '16Gi']);
    assert.deepEqual([r.code, r.stdout.split('\n')[0], r.stderr], [0, '994', '']);
  });
  test('a usage error exits 2, an unreadable file 1', async () => {
    await Promise.all([
      fails(
        ['kube', 'adj', '--qos', 'gold', '--capacity', '1Gi'],
        2,
        'oomguard: --qos: unknown QoS class "gold" (expected guaranteed, burstable or besteffort)\n',
        runCli,
      ),
      fails(
        ['kube', 'evict-order', join(DIR, 'nope.json')],
        1,
        `oomguard: ${join(DIR, 'nope.json')}: cannot read the pod list: ENOENT\n`,
        runCli,
      ),
    ]);
  });
});
