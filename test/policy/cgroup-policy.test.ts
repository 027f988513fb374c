// The `cgroup` policy on hand-built snapshots: candidates by depth and leaves, usage and working set, the
// preference tiers (rules and xattrs), the choice of a victim inside the chosen cgroup and what the kill takes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_CONFIG } from '../../src/config/defaults.js';
import type { CgroupRuleConfig, DaemonConfig } from '../../src/config/types.js';
import type { CgroupInfo, Snapshot } from '../../src/model/snapshot.js';
import { compileCgroupRules } from '../../src/policy/cgroup-prefs.js';
import { rankCgroupsBySize } from '../../src/policy/cgroup-size.js';
import {
  candidatesAtDepth,
  depthBelow,
  isLeaf,
  oomdCandidates,
  oomGroupOf,
  workingSet,
} from '../../src/policy/cgroup-tree.js';
import { planKill } from '../../src/policy/kill-plan.js';
import { compileRules, type FactsFn, type RuledCandidate } from '../../src/policy/rules.js';
import { type Selection, selectVictim } from '../../src/policy/select.js';
import { rule } from '../daemon/harness.js';
import { buildSnapshot, cgroup, MIB, type ProcSpec } from '../helpers/snapshot-builder.js';

const noFacts: FactsFn = () => null;

function victimOf(sel: Selection): RuledCandidate {
  assert.ok(sel.victim, sel.why);
  return sel.victim;
}

function tree(...cgroups: CgroupInfo[]): ReadonlyMap<string, CgroupInfo> {
  return new Map(cgroups.map((c) => [c.path, c]));
}

function cgRule(
  action: CgroupRuleConfig['action'],
  path: string,
  source = 'cgroup_rules[0]',
): CgroupRuleConfig {
  return { action, path, source };
}

/** A tree with two levels below /s: /s/a (/s/a/x, /s/a/y), /s/b (leaf), /s/c (/s/c/z). */
const TWO_LEVELS = tree(
  cgroup('/', { usage: null }),
  cgroup('/s', { usage: 1000 }),
  cgroup('/s/a', { usage: 500 }),
  cgroup('/s/a/x', { usage: 300 }),
  cgroup('/s/a/y', { usage: 200 }),
  cgroup('/s/b', { usage: 400 }),
  cgroup('/s/c', { usage: 100, oomGroup: true }),
  cgroup('/s/c/z', { usage: 100 }),
  cgroup('/sx', { usage: 9999 }),
);

describe('the cgroup tree', () => {
  test('depth below a scope', () => {
    assert.equal(depthBelow('/s/a/x', '/'), 3);
    assert.equal(depthBelow('/s/a/x', '/s'), 2);
    assert.equal(depthBelow('/s', '/s'), 0);
  });

  test('leaves, and candidates by depth: a shallower leaf counts at depth 2, the look-alike /sx never', () => {
    assert.equal(isLeaf(TWO_LEVELS, '/s/b'), true);
    assert.equal(isLeaf(TWO_LEVELS, '/s/a'), false);
    const paths = (cgs: CgroupInfo[]) => cgs.map((c) => c.path);
    assert.deepEqual(paths(candidatesAtDepth(TWO_LEVELS, '/s', 1)), ['/s/a', '/s/b', '/s/c']);
    assert.deepEqual(paths(candidatesAtDepth(TWO_LEVELS, '/s', 2)), ['/s/a/x', '/s/a/y', '/s/b', '/s/c/z']);
    assert.deepEqual(paths(candidatesAtDepth(TWO_LEVELS, '/s', 'leaves')), [
      '/s/a/x',
      '/s/a/y',
      '/s/b',
      '/s/c/z',
    ]);
    // systemd-oomd's: leaves, and /s/c for its memory.oom.group.
    assert.deepEqual(paths(oomdCandidates(TWO_LEVELS, '/s')), ['/s/a/x', '/s/a/y', '/s/b', '/s/c', '/s/c/z']);
  });

  test('working set: usage − inactive file (v2 inactive_file, v1 total_inactive_file), floored at 0', () => {
    assert.equal(
      workingSet(cgroup('/v2', { usage: 1000, stat: { inactive_file: 300, total_inactive_file: 1 } })),
      700,
    );
    assert.equal(
      workingSet(
        cgroup('/v1', { version: 1, usage: 1000, stat: { inactive_file: 1, total_inactive_file: 400 } }),
      ),
      600,
    );
    assert.equal(workingSet(cgroup('/x', { usage: 100, stat: { inactive_file: 300 } })), 0);
    assert.equal(workingSet(cgroup('/x', { usage: null })), null);
  });

  test('the oom.group cgroup: the highest with the flag from the victim up to the scope, both included', () => {
    const t = tree(
      cgroup('/p', { oomGroup: true }),
      cgroup('/p/q', { oomGroup: true }),
      cgroup('/p/q/r'),
      cgroup('/p/s'),
    );
    assert.equal(oomGroupOf(t, '/p/q/r', '/'), '/p');
    assert.equal(oomGroupOf(t, '/p/q/r', '/p/q'), '/p/q', 'not above the scope');
    assert.equal(oomGroupOf(t, '/p/q/r', '/p/q/r'), null);
    assert.equal(oomGroupOf(t, '/p/s', '/p/s'), null);
    assert.equal(oomGroupOf(t, '/', '/'), null, 'the root is never a group');
  });
});

describe('the cgroup policy order', () => {
  const snap = (cgroups: CgroupInfo[]): Snapshot => buildSnapshot({ processes: [], cgroups });
  const settings = { measure: 'usage' as const, depth: 1 as const };

  test('usage vs working set changes the order', () => {
    const cgs = [
      cgroup('/', {}),
      cgroup('/a', { usage: 1000, stat: { inactive_file: 600 } }), // working set 400
      cgroup('/b', { usage: 800, stat: { inactive_file: 100 } }), // working set 700
    ];
    const byUsage = rankCgroupsBySize(snap(cgs), '/', settings, []);
    assert.deepEqual(
      byUsage.cgroups.map((c) => [c.path, c.position, c.keys[0]]),
      [
        ['/a', 1, 1000],
        ['/b', 2, 800],
      ],
    );
    const byWs = rankCgroupsBySize(snap(cgs), '/', { ...settings, measure: 'working-set' }, []);
    assert.deepEqual(
      byWs.cgroups.map((c) => [c.path, c.position, c.keys[0]]),
      [
        ['/b', 1, 700],
        ['/a', 2, 400],
      ],
    );
    assert.deepEqual(byWs.cgroups[0]?.figures, { usage: 800, inactiveFile: 100, workingSet: 700 });
  });

  test('preferences are tiers: prefer before all, avoid after all, omit never; equal keys by path', () => {
    const cgs = [
      cgroup('/', {}),
      cgroup('/big', { usage: 900 }),
      cgroup('/mid', { usage: 500 }),
      cgroup('/small', { usage: 100 }),
      cgroup('/tie', { usage: 500 }),
      cgroup('/xattr-avoid', { usage: 950, oomdPreference: 'avoid' }),
      cgroup('/xattr-omit', { usage: 990, oomdPreference: 'omit' }),
    ];
    const rules = compileCgroupRules([
      cgRule('prefer', '^/small$', 'cgroup_rules[0]'),
      cgRule('avoid', '^/big$', 'cgroup_rules[1]'),
      cgRule('prefer', '^/xattr-omit$', 'cgroup_rules[2]'),
    ]);
    const r = rankCgroupsBySize(snap(cgs), '/', settings, rules);
    assert.deepEqual(
      r.cgroups.map((c) => [c.path, c.position, c.preference, c.preferenceSource, c.excludedBy]),
      [
        ['/small', 1, 'prefer', 'cgroup_rules[0]', null],
        ['/mid', 2, 'none', null, null],
        ['/tie', 3, 'none', null, null],
        ['/xattr-avoid', 4, 'avoid', 'xattr user.oomd_avoid', null],
        ['/big', 5, 'avoid', 'cgroup_rules[1]', null],
        // omit by xattr wins over a prefer rule.
        ['/xattr-omit', 0, 'omit', 'xattr user.oomd_omit', 'omitted by xattr user.oomd_omit'],
      ],
    );
  });

  test('a rule overrides an avoid xattr; an omit rule wins over an earlier prefer rule', () => {
    const cgs = [
      cgroup('/', {}),
      cgroup('/a', { usage: 10, oomdPreference: 'avoid' }),
      cgroup('/b', { usage: 20 }),
    ];
    const r = rankCgroupsBySize(
      snap(cgs),
      '/',
      settings,
      compileCgroupRules([cgRule('prefer', '^/a$'), cgRule('prefer', '^/b$', 'p'), cgRule('omit', 'b', 'o')]),
    );
    assert.deepEqual(
      r.cgroups.map((c) => [c.path, c.position, c.preference, c.preferenceSource]),
      [
        ['/a', 1, 'prefer', 'cgroup_rules[0]'],
        ['/b', 0, 'omit', 'o'],
      ],
    );
  });
});

/** The fairness case: /fair/a with one 600 MiB process, /fair/b with 30 of 30 MiB. */
function fairness(opts: { version: 1 | 2; oomGroup: boolean }): Snapshot {
  const procs: ProcSpec[] = [{ pid: 100, anonPages: (600 * MIB) / 4096, cgroup: '/fair/a', comm: 'big' }];
  for (let i = 0; i < 30; i++) {
    procs.push({ pid: 200 + i, anonPages: (30 * MIB) / 4096, cgroup: '/fair/b', comm: 'small' });
  }
  return buildSnapshot({
    processes: procs,
    cgroups: [
      cgroup('/', { version: opts.version }),
      cgroup('/fair', { version: opts.version, usage: 1500 * MIB }),
      cgroup('/fair/a', { version: opts.version, usage: 600 * MIB }),
      cgroup('/fair/b', { version: opts.version, usage: 900 * MIB, oomGroup: opts.oomGroup }),
    ],
  });
}

function config(fields: Partial<DaemonConfig>): DaemonConfig {
  return { ...DEFAULT_CONFIG, scopeCgroup: '/fair', ...fields };
}

describe('the fairness case: one large process against thirty small ones', () => {
  const SMALL_PIDS = Array.from({ length: 30 }, (_, i) => 200 + i);

  test('per process the large one goes first; by cgroup, /fair/b', () => {
    const snap = fairness({ version: 2, oomGroup: false });
    const perProcess = selectVictim(snap, config({}), [], noFacts);
    // 600 MiB = 153600 pages against 7680 for each small one.
    assert.equal(perProcess.victim?.candidate.pid, 100);
    assert.equal(perProcess.victim?.candidate.badness, 153600);
    const byCgroup = selectVictim(snap, config({ cgroupPolicy: 'cgroup' }), [], noFacts);
    assert.deepEqual(
      byCgroup.cgroups?.ranking.cgroups.map((c) => [c.path, c.keys[0]]),
      [
        ['/fair/b', 900 * MIB],
        ['/fair/a', 600 * MIB],
      ],
    );
    assert.equal(byCgroup.cgroups?.chosen?.path, '/fair/b');
    // Equal badness 7680: the kernel takes the newest (highest start time, here the highest pid).
    assert.equal(byCgroup.victim?.candidate.pid, 229);
    assert.equal(byCgroup.victim?.candidate.badness, 7680);
    assert.equal(byCgroup.cgroups?.killCgroup, null, 'unit process, no oom.group: one process');
    const plan = planKill(victimOf(byCgroup), byCgroup.ruled, snap, 'process', '/fair', null);
    assert.deepEqual(
      plan.targets.map((t) => t.pid),
      [229],
    );
  });

  test('v2 memory.oom.group = 1 on /fair/b: the kill takes all 30, none of /fair/a', () => {
    const snap = fairness({ version: 2, oomGroup: true });
    const sel = selectVictim(snap, config({ cgroupPolicy: 'cgroup' }), [], noFacts);
    assert.equal(sel.cgroups?.killCgroup, '/fair/b');
    assert.equal(sel.cgroups?.wholeBecause, 'memory.oom.group is 1 on /fair/b');
    const plan = planKill(victimOf(sel), sel.ruled, snap, 'cgroup', '/fair', sel.cgroups?.killCgroup ?? null);
    assert.deepEqual(
      plan.targets.map((t) => t.pid).sort((a, b) => a - b),
      SMALL_PIDS,
    );
    assert.equal(plan.cgroup, '/fair/b');
    assert.equal(plan.wholeCgroup, true);
  });

  test('v1 has no oom.group: unit cgroup kills the chosen cgroup whole', () => {
    const snap = fairness({ version: 1, oomGroup: false });
    const sel = selectVictim(snap, config({ cgroupPolicy: 'cgroup', killUnit: 'cgroup' }), [], noFacts);
    assert.equal(sel.cgroups?.killCgroup, '/fair/b');
    assert.equal(sel.cgroups?.wholeBecause, 'the kill unit is cgroup');
    const plan = planKill(victimOf(sel), sel.ruled, snap, 'cgroup', '/fair', '/fair/b');
    assert.deepEqual(
      plan.targets.map((t) => t.pid).sort((a, b) => a - b),
      SMALL_PIDS,
    );
  });

  test('a protected member is spared from the whole-cgroup kill, so no cgroup.kill', () => {
    const snap = fairness({ version: 2, oomGroup: true });
    const rules = compileRules([rule('protect', { comm: '^small$', uid: 1000, source: 'rules[0]' })]);
    // Every process of /fair/b protected: /fair/b is passed over, /fair/a's process is the victim.
    const sel = selectVictim(snap, config({ cgroupPolicy: 'cgroup' }), rules, noFacts);
    assert.deepEqual(sel.cgroups?.passedOver, [
      { path: '/fair/b', reason: 'none of its 30 processes may be killed (pid 229: protected by rules[0])' },
    ]);
    assert.equal(sel.cgroups?.chosen?.path, '/fair/a');
    assert.equal(sel.victim?.candidate.pid, 100);
    assert.equal(sel.cgroups?.killCgroup, null);
  });

  test('an avoid xattr on /fair/b sends the choice to /fair/a; an omit leaves nothing when /fair/a is omitted too', () => {
    const base = fairness({ version: 2, oomGroup: false });
    const withPrefs = (prefs: Record<string, 'avoid' | 'omit'>): Snapshot => ({
      ...base,
      cgroups: new Map(
        [...base.cgroups].map(([p, c]) => [
          p,
          prefs[p] === undefined ? c : { ...c, oomdPreference: prefs[p] },
        ]),
      ),
    });
    const avoided = selectVictim(
      withPrefs({ '/fair/b': 'avoid' }),
      config({ cgroupPolicy: 'cgroup' }),
      [],
      noFacts,
    );
    assert.equal(avoided.cgroups?.chosen?.path, '/fair/a');
    assert.equal(avoided.victim?.candidate.pid, 100);
    const none = selectVictim(
      withPrefs({ '/fair/b': 'omit', '/fair/a': 'omit' }),
      config({ cgroupPolicy: 'cgroup' }),
      [],
      noFacts,
    );
    assert.equal(none.victim, null);
    assert.equal(none.why, 'cgroup: no candidate cgroup in /fair holds a process that may be killed');
  });

  test('the why names the cgroup, its figure and the process', () => {
    const sel = selectVictim(
      fairness({ version: 2, oomGroup: true }),
      config({ cgroupPolicy: 'cgroup' }),
      [],
      noFacts,
    );
    assert.equal(
      sel.why,
      "cgroup: cgroup /fair/b is #1 of /fair's candidates (working set 900 MiB (usage 900 MiB − inactive_file 0 MiB)); " +
        'its largest process pid 229 (small), badness 7680 pages, RSS 30 MiB; the kill takes /fair/b whole: memory.oom.group is 1 on /fair/b',
    );
  });
});
