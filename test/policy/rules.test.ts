import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRunArgs } from '../../src/config/flags.js';
import { loadConfig } from '../../src/config/load.js';
import type { RuleConfig } from '../../src/config/types.js';
import type { Candidate } from '../../src/model/ranking.js';
import { applyRules, compileRules, keyUnitsPerPoint, type ProcessFacts } from '../../src/policy/rules.js';
import { rule as ruleConfig } from '../helpers/rule-config.js';

function candidate(pid: number, comm: string, key: number, over: Partial<Candidate> = {}): Candidate {
  return {
    pid,
    comm,
    uid: 1000,
    pgid: pid,
    startTicks: 1,
    cgroup: '/user.slice',
    rssBytes: 0,
    rssAnonBytes: 0,
    rssFileBytes: 0,
    rssShmemBytes: 0,
    swapBytes: 0,
    pageTableBytes: 0,
    oomScoreAdj: 0,
    totalPages: 1_000_000,
    badness: key,
    oomScore: 0,
    kernelOomScore: null,
    killable: true,
    key,
    position: 0,
    tied: false,
    ...over,
  };
}

/** Rules named after their action, so that the assertions below can say which one moved a candidate. */
function rule(action: RuleConfig['action'], over: Partial<RuleConfig>): RuleConfig {
  return ruleConfig(action, { source: `test ${action}`, ...over });
}

const FACTS: Record<number, ProcessFacts> = {
  10: {
    comm: 'java',
    cmdline: 'java -jar /srv/app.jar',
    exe: '/usr/lib/jvm/bin/java',
    cgroup: '/user.slice',
    uid: 1000,
    user: 'alice',
  },
  11: {
    comm: 'chrome',
    cmdline: '/opt/chrome/chrome --type=renderer',
    exe: '/opt/chrome/chrome',
    cgroup: '/user.slice',
    uid: 1000,
    user: 'alice',
  },
  12: {
    comm: 'postgres',
    cmdline: 'postgres: writer',
    exe: '/usr/lib/postgresql/bin/postgres',
    cgroup: '/system.slice/postgresql.service',
    uid: 0,
    user: 'root',
  },
};
const JAVA = FACTS[10] as ProcessFacts;
const facts = (pid: number) => FACTS[pid] ?? null;
const KERNEL = { ranker: 'kernel' as const, pageSize: 4096 };

const three = () => [
  candidate(10, 'java', 5000),
  candidate(11, 'chrome', 4000),
  candidate(12, 'postgres', 3000, { uid: 0, cgroup: '/system.slice/postgresql.service' }),
];
const order = (rs: ReturnType<typeof applyRules>) => rs.map((r) => [r.candidate.pid, r.key, r.excludedBy]);

describe('rules', () => {
  it("no rules: the ranker's order and keys, facts never read", () => {
    let reads = 0;
    const out = applyRules(
      [],
      three(),
      (pid) => {
        reads++;
        return facts(pid);
      },
      KERNEL,
    );
    assert.deepEqual(order(out), [
      [10, 5000, null],
      [11, 4000, null],
      [12, 3000, null],
    ]);
    assert.equal(reads, 0);
  });

  it('prefer by name: +300 points = 300 × trunc(totalpages/1000) pages, like oom_score_adj', () => {
    const out = applyRules(compileRules([rule('prefer', { comm: '^chrome$' })]), three(), facts, KERNEL);
    assert.deepEqual(order(out)[0], [11, 4000 + 300 * 1000, null]);
    assert.equal(out[0]?.adjustPoints, 300);
    assert.equal(out[0]?.adjustKey, 300_000);
    assert.deepEqual(out[0]?.matched, [{ action: 'prefer', source: 'test prefer', adjust: 300 }]);
  });

  it('avoid by command line: the callback supplies it, once per candidate', () => {
    const reads: number[] = [];
    const out = applyRules(
      compileRules([rule('avoid', { cmdline: '-jar /srv/' })]),
      three(),
      (pid) => {
        reads.push(pid);
        return facts(pid);
      },
      KERNEL,
    );
    assert.deepEqual(order(out), [
      [11, 4000, null],
      [12, 3000, null],
      [10, 5000 - 300_000, null],
    ]);
    assert.deepEqual(reads, [10, 11, 12]);
  });

  it('ignore by executable path and protect by cgroup exclude, naming the rule', () => {
    const out = applyRules(
      compileRules([
        rule('ignore', { exe: '^/opt/chrome/' }),
        rule('protect', { cgroup: '^/system\\.slice/' }),
      ]),
      three(),
      facts,
      KERNEL,
    );
    assert.deepEqual(order(out), [
      [10, 5000, null],
      [11, 4000, 'ignored by test ignore'],
      [12, 3000, 'protected by test protect'],
    ]);
    assert.equal(out[1]?.ignored, true);
    assert.equal(out[2]?.protected, true);
  });

  it('protect wins over ignore; user by name and uid exactly', () => {
    const out = applyRules(
      compileRules([
        rule('ignore', { user: '^root$', source: 'ignore root' }),
        rule('protect', { uid: 0, source: 'protect uid 0' }),
        rule('prefer', { user: '^alice$', comm: 'java' }),
      ]),
      three(),
      facts,
      KERNEL,
    );
    assert.deepEqual(order(out), [
      [10, 305_000, null],
      [11, 4000, null],
      [12, 3000, 'protected by protect uid 0'],
    ]);
    assert.equal(out[2]?.ignored, true);
    assert.deepEqual(
      out[2]?.matched.map((m) => m.source),
      ['ignore root', 'protect uid 0'],
    );
  });

  it('--ignore-root-user and --prefer from flags', () => {
    const { rules } = loadConfig({ flags: parseRunArgs(['--ignore-root-user', '--prefer', 'post']) });
    const out = applyRules(compileRules(rules), three(), facts, KERNEL);
    assert.deepEqual(out[2]?.excludedBy, 'ignored by --ignore-root-user');
    assert.deepEqual(
      out[2]?.matched.map((m) => m.source),
      ['--ignore-root-user', '--prefer'], // in the order of the flags
    );
  });

  it('rss ranker: a point is trunc(totalpages/1000) pages in bytes', () => {
    assert.equal(keyUnitsPerPoint({ ranker: 'rss', pageSize: 4096 }, 262_144), 262 * 4096);
    assert.equal(keyUnitsPerPoint({ ranker: 'kernel', pageSize: 4096 }, 262_144), 262);
    assert.equal(keyUnitsPerPoint({ ranker: 'legacy', pageSize: 4096 }, 999), 0);
    const c = [candidate(10, 'java', 2 * 2 ** 30, { totalPages: 262_144 })];
    const out = applyRules(compileRules([rule('prefer', { comm: 'java' })]), c, facts, {
      ranker: 'rss',
      pageSize: 4096,
    });
    assert.equal(out[0]?.key, 2 * 2 ** 30 + 300 * 262 * 4096);
  });

  it('adjustments add up and are clamped to ±1000 points', () => {
    const out = applyRules(
      compileRules([
        rule('prefer', { comm: 'java', adjust: 800 }),
        rule('prefer', { uid: 1000, adjust: 800 }),
      ]),
      [candidate(10, 'java', 0)],
      facts,
      KERNEL,
    );
    assert.equal(out[0]?.adjustPoints, 1000);
    assert.equal(out[0]?.key, 1_000_000);
  });

  it('a rule matches only when all its matchers match', () => {
    const out = applyRules(
      compileRules([rule('ignore', { comm: 'chrome', user: '^bob$' })]),
      three(),
      facts,
      KERNEL,
    );
    assert.equal(
      out.every((r) => r.excludedBy === null),
      true,
    );
  });

  it('vanished processes and unreadable facts', () => {
    const out = applyRules(
      compileRules([rule('prefer', { cmdline: 'x' })]),
      [candidate(99, 'ghost', 10), candidate(10, 'java', 5)],
      (pid) => (pid === 10 ? { ...JAVA, cmdline: null } : null),
      KERNEL,
    );
    assert.deepEqual(order(out), [
      [10, 5, null], // cmdline unreadable: the rule does not match
      [99, 10, 'vanished before the rules were checked'],
    ]);
  });

  it('unkillable candidates keep their reason and are not looked at', () => {
    let reads = 0;
    const out = applyRules(
      compileRules([rule('prefer', { exe: '.' })]),
      [candidate(1, 'init', 0, { killable: false, reason: 'host init' }), candidate(10, 'java', 5)],
      (pid) => {
        reads++;
        return facts(pid);
      },
      KERNEL,
    );
    assert.deepEqual(order(out), [
      [10, 300_005, null],
      [1, 0, 'host init'],
    ]);
    assert.equal(reads, 1);
  });

  it("equal adjusted keys keep the ranker's order", () => {
    const out = applyRules(
      compileRules([rule('avoid', { comm: '^a$' })]),
      [candidate(1, 'a', 301_000), candidate(2, 'b', 1000), candidate(3, 'c', 1000)],
      facts,
      KERNEL,
    );
    assert.deepEqual(
      out.map((r) => r.candidate.pid),
      [1, 2, 3],
    );
  });

  it('text is cut to 4096 characters before matching', () => {
    const long = `${'a'.repeat(4096)}NEEDLE`;
    const f = (): ProcessFacts => ({ ...JAVA, cmdline: long });
    const cut = applyRules(
      compileRules([rule('ignore', { cmdline: 'NEEDLE' })]),
      [candidate(10, 'java', 1)],
      f,
      KERNEL,
    );
    assert.equal(cut[0]?.excludedBy, null);
    const inside = applyRules(
      compileRules([rule('ignore', { cmdline: 'a{4096}$' })]),
      [candidate(10, 'java', 1)],
      f,
      KERNEL,
    );
    assert.equal(inside[0]?.excludedBy, 'ignored by test ignore');
  });
});
