// Issue 4's fairness case through the real command line on test/fixtures/v2-fair (make-tree.py there): in /fair
// (memory.max 2 GiB, 16 GiB host, no swap), user A runs one 600 MiB process in /fair/a and user B thirty 30 MiB
// processes in /fair/b (memory.oom.group 1). The kernel's per-process ranking kills A's process first although B
// uses more; the cgroup policy picks /fair/b and, for its oom.group, takes all of B and none of A.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { REPO, runCli } from '../helpers/cli.js';

const FAIR = join(REPO, 'test/fixtures/v2-fair');
const A_PID = 2001;
const B_PIDS = Array.from({ length: 30 }, (_, i) => 3001 + i);

interface Candidate {
  pid: number;
  badness: number | null;
  totalPages: number;
  oomScore: number;
  position: number;
  killable: boolean;
}

interface Report {
  scope: string;
  cgroups: { path: string; keys: number[]; position: number; excludedBy: string | null }[];
  chosen: string | null;
  killCgroup: string | null;
  wholeBecause: string | null;
  victim: { pid: number } | null;
  targets: number[];
}

async function rank(args: string[]): Promise<unknown> {
  const r = await runCli(['--root', FAIR, 'rank', '--cgroup', '/fair', '--json', ...args]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

describe('fairness on cgroup v2: one big process against thirty small ones', { concurrency: true }, () => {
  test('per process (memcg OOM in /fair), A’s process goes first', async () => {
    const list = (await rank([])) as Candidate[];
    // Only /fair's subtree: A's process and B's thirty, not postgres (500), the global first, nor anyone else.
    assert.deepEqual(
      list.map((c) => c.pid).sort((x, y) => x - y),
      [A_PID, ...B_PIDS],
    );
    // memcg T = memory.max / PAGE + swap allowance = 2147483648 / 4096 + 0 = 524288 (no swap), adj 0 everywhere.
    // A: (RssAnon 589824 + RssFile 24576) kB / 4 = 153600 pages, + ⌊VmPTE 1240 kB / 4⌋ = 310 → badness 153910.
    // oom_score against the global T 4194304: trunc((1000 + trunc(153910000 / 4194304 = 36.7)) × 2 / 3) = 690.
    const first = list[0];
    assert.deepEqual(first && [first.pid, first.position, first.badness, first.totalPages, first.oomScore], [
      A_PID,
      1,
      153910,
      524288,
      690,
    ]);
    // Each of B's: (26624 + 4096) / 4 = 7680, + ⌊76 / 4⌋ = 19 → 7699; oom_score trunc(1001 × 2 / 3) = 667.
    const rest = list.slice(1);
    assert.equal(rest.length, 30);
    for (const c of rest) assert.deepEqual([c.badness, c.oomScore, c.killable], [7699, 667, true]);
  });

  test('cgroup policy: /fair/b is chosen, and its oom.group takes all thirty of B’s processes, none of A’s', async () => {
    const r = (await rank(['--policy', 'cgroup'])) as Report;
    assert.equal(r.scope, '/fair');
    // Working set = memory.current − inactive_file, memory.current = anon + file + kernel:
    //   /fair/b: 30 × 26 MiB = 817889280 + 16 MiB + 8 MiB = 843055104 − 8 MiB = 834666496;
    //   /fair/a: 576 MiB = 603979776 + 64 MiB + 4 MiB = 675282944 − 48 MiB = 624951296.
    assert.deepEqual(
      r.cgroups.map((c) => [c.path, c.position, c.keys, c.excludedBy]),
      [
        ['/fair/b', 1, [834666496], null],
        ['/fair/a', 2, [624951296], null],
      ],
    );
    assert.equal(r.chosen, '/fair/b');
    assert.equal(r.killCgroup, '/fair/b');
    assert.equal(r.wholeBecause, 'memory.oom.group is 1 on /fair/b');
    // B's processes tie at 7699 pages, so which one is the victim is iteration order: only that it is B's.
    const victim = r.victim?.pid;
    assert.ok(victim !== undefined && B_PIDS.includes(victim), `victim ${victim} is not one of B's`);
    assert.equal(r.targets[0], victim);
    assert.deepEqual(
      [...r.targets].sort((x, y) => x - y),
      B_PIDS,
    );
    assert.ok(!r.targets.includes(A_PID));
  });
});
