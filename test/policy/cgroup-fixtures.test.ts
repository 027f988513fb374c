// The cgroup policies through the real command line on the v2 fixture tree (test/fixtures/README.md): python3 in
// /workload is the kernel's per-process victim, but /workload carries user.oomd_avoid (its sidecar file), and
// /oomguard-test-2 has memory.oom.group = 1: the cgroup policy takes /oomguard-test-2 whole, p1 and p2.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { REPO, runCli } from '../helpers/cli.js';

const V2 = join(REPO, 'test/fixtures/v2');

interface Report {
  policy: string;
  scope: string;
  trigger: { met: boolean; why: string } | null;
  cgroups: {
    path: string;
    position: number;
    keys: number[];
    preference: string;
    excludedBy: string | null;
  }[];
  chosen: string | null;
  killCgroup: string | null;
  wholeBecause: string | null;
  victim: { pid: number } | null;
  targets: number[];
  why: string;
}

async function rank(args: string[]): Promise<Report> {
  const r = await runCli(['--root', V2, 'rank', '--json', ...args]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Report;
}

const rows = (r: Report) => r.cgroups.map((c) => [c.path, c.position, c.keys, c.preference, c.excludedBy]);

describe('cgroup policies on the v2 fixture', { concurrency: true }, () => {
  test('per process, python3 (pid 11, /workload) goes first', async () => {
    const r = await runCli(['--root', V2, 'rank', '--json', '--top', '1']);
    assert.deepEqual(
      (JSON.parse(r.stdout) as { pid: number }[]).map((c) => c.pid),
      [11],
    );
  });

  test('cgroup, depth 1: /workload avoided by its xattr; /oomguard-test-2 whole for its oom.group', async () => {
    const r = await rank(['--policy', 'cgroup']);
    // Working sets: 491520000 − 0; 5557452800 − 94371840 = 5463080960.
    assert.deepEqual(rows(r), [
      ['/oomguard-test-2', 1, [491520000], 'none', null],
      ['/workload', 2, [5463080960], 'avoid', null],
    ]);
    assert.equal(r.chosen, '/oomguard-test-2');
    // p1 80000 + 100 + 500 × 4194 = 2177100 against p2's 40000 + 100 + 2097000 = 2137100.
    assert.equal(r.victim?.pid, 13);
    assert.equal(r.killCgroup, '/oomguard-test-2');
    assert.equal(r.wholeBecause, 'memory.oom.group is 1 on /oomguard-test-2');
    assert.deepEqual(r.targets, [13, 14]);
  });

  test('leaves, by usage: /oomguard-test-2/a is chosen, and its oom.group parent dies whole', async () => {
    const r = await rank(['--policy', 'cgroup', '--cgroup-depth', 'leaves', '--measure', 'usage']);
    assert.deepEqual(rows(r), [
      ['/oomguard-test-2/a', 1, [163840000], 'none', null],
      ['/workload', 2, [5557452800], 'avoid', null],
    ]);
    assert.equal(r.victim?.pid, 14);
    assert.equal(r.killCgroup, '/oomguard-test-2');
    assert.deepEqual(r.targets, [14, 13]);
  });

  test('scoped to /oomguard-test-2: the oom.group cgroup is the scope itself, as the kernel includes the domain', async () => {
    const r = await rank(['--policy', 'cgroup', '--cgroup', '/oomguard-test-2']);
    assert.deepEqual(rows(r), [['/oomguard-test-2/a', 1, [163840000], 'none', null]]);
    assert.equal(r.killCgroup, '/oomguard-test-2');
    assert.deepEqual(r.targets, [14, 13]);
  });

  test('oomd-pressure: no pressure at the root, so the trigger is not met; the order is pgscan (all 0/s), then usage', async () => {
    const r = await rank(['--policy', 'oomd-pressure']);
    assert.deepEqual(r.trigger, { met: false, why: 'system memory full avg10 0 % is not above 60 %' });
    assert.deepEqual(rows(r), [
      ['/oomguard-test-2', 1, [0, 491520000], 'none', null],
      ['/oomguard-test-2/a', 2, [0, 163840000], 'none', null],
      ['/workload', 3, [0, 5557452800], 'avoid', null],
    ]);
    assert.deepEqual(r.targets, [13, 14]);
  });

  test('oomd-swap: no swap on this machine, so no trigger and no candidate', async () => {
    const r = await rank(['--policy', 'oomd-swap']);
    assert.deepEqual(r.trigger, { met: false, why: 'no swap' });
    assert.deepEqual(
      r.cgroups.map((c) => [c.path, c.position, c.excludedBy]),
      [
        ['/oomguard-test-2', 0, 'swap 0 MiB is not above 5 % of the swap (0 MiB)'],
        ['/oomguard-test-2/a', 0, 'swap 0 MiB is not above 5 % of the swap (0 MiB)'],
        ['/workload', 0, 'swap 0 MiB is not above 5 % of the swap (0 MiB)'],
      ],
    );
    assert.equal(r.victim, null);
    assert.equal(r.why, 'oomd-swap: no candidate cgroup in / holds a process that may be killed');
  });

  test('size-growth: /workload is in the size phase (≥ 50 % of the total) but avoided', async () => {
    // total 491520000 + 5557452800 = 6048972800; half 3024486400: /workload is in the size phase (effective
    // usage 5557452800 − low 1073741824 = 4483710976), avoided all the same.
    const r = await rank(['--policy', 'size-growth']);
    assert.deepEqual(rows(r), [
      ['/oomguard-test-2', 1, [0, 0, 491520000], 'none', null],
      ['/workload', 2, [4483710976, 0, 4483710976], 'avoid', null],
    ]);
    assert.deepEqual(r.targets, [13, 14]);
  });

  test('explain python3 under the cgroup policy: its cgroup is #2 (avoided), and it would not die', async () => {
    const r = await runCli(['--root', V2, 'explain', '11', '--policy', 'cgroup', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const e = JSON.parse(r.stdout) as {
      cgroup: {
        candidate: { path: string; position: number; preferenceSource: string };
        chosen: { path: string };
        wouldDie: boolean;
      };
      process: { candidate: { position: number } };
    };
    assert.deepEqual(
      [e.cgroup.candidate.path, e.cgroup.candidate.position, e.cgroup.candidate.preferenceSource],
      ['/workload', 2, 'xattr user.oomd_avoid'],
    );
    assert.equal(e.cgroup.chosen.path, '/oomguard-test-2');
    assert.equal(e.cgroup.wouldDie, false);
    assert.equal(e.process.candidate.position, 1);
  });

  test('explain p2 as text: it dies with its oom.group parent', async () => {
    const r = await runCli(['--root', V2, 'explain', '14', '--policy', 'cgroup']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], 'pid 14 (p2) in cgroup /oomguard-test-2/a; policy cgroup, scope /');
    assert.ok(
      lines.includes('it would die with /oomguard-test-2: memory.oom.group is 1 on /oomguard-test-2'),
      r.stdout,
    );
  });

  test('a bad --cgroup-depth is a usage error', async () => {
    const r = await runCli(['--root', V2, 'rank', '--policy', 'cgroup', '--cgroup-depth', '0']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--cgroup-depth: expected a number of levels from 1 to 64, or "leaves", got "0"/);
  });
});
