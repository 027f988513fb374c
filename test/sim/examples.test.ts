// Each example scenario produces the outcome its comment documents, policy by policy.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { SimEvent } from '../../src/sim/events.js';
import { parseScenario } from '../../src/sim/parse.js';
import { type PolicyRun, parsePolicy, runPolicy } from '../../src/sim/runner.js';
import { REPO } from '../helpers/cli.js';

async function run(example: string, policy: string): Promise<PolicyRun> {
  const file = join(REPO, 'examples', example);
  const s = parseScenario(file, readFileSync(file, 'utf8'));
  return runPolicy(
    s,
    parsePolicy(policy === 'oomguard' ? `oomguard:${join(REPO, 'examples/oomguard.toml')}` : policy),
  );
}

/** "12.3s kill java by kernel" for each kill, signal, evict, oom and panic. */
function story(events: readonly SimEvent[], max = 10): string[] {
  return events
    .filter((e) => e.type !== 'exit')
    .slice(0, max)
    .map((e) => `${Math.round(e.t / 100) / 10}s ${e.type} ${e.name ?? e.cgroup} by ${e.by}`);
}

describe('examples/overbooked.yaml', () => {
  test('kernel: java at the first OOM, the batch job at the second', async () => {
    const r = await run('overbooked.yaml', 'kernel');
    assert.deepEqual(story(r.events), [
      '79.8s oom batch by kernel',
      '79.8s kill java by kernel',
      '157.2s oom batch by kernel',
      '157.2s kill batch by kernel',
    ]);
    assert.equal(Math.round(r.summary.workLostMs / 3_600_000), 40);
  });
  test('legacy: the young batch job dies instead of java', async () => {
    const r = await run('overbooked.yaml', 'legacy');
    assert.deepEqual(story(r.events), ['79.8s oom batch by kernel', '79.8s kill batch by kernel']);
  });
  test('earlyoom, cgroup and oomguard act before any OOM', async () => {
    assert.deepEqual(story((await run('overbooked.yaml', 'earlyoom')).events), [
      '66.3s signal java by oomguard',
      '141.1s signal batch by oomguard',
    ]);
    assert.deepEqual(story((await run('overbooked.yaml', 'cgroup')).events), [
      '66s kill java by oomguard',
      '141s kill batch by oomguard',
    ]);
    const og = await run('overbooked.yaml', 'oomguard');
    assert.deepEqual(og.summary.victimNames, ['java', 'batch']);
    assert.equal(og.summary.ooms, 0);
    assert.deepEqual(story(og.events), ['65.9s signal java by oomguard', '140.6s signal batch by oomguard']);
  });
});

describe('examples/users.yaml', () => {
  test("kernel and legacy kill A's single process", async () => {
    for (const p of ['kernel', 'legacy']) {
      const r = await run('users.yaml', p);
      assert.deepEqual(story(r.events), ['44.4s oom worker by kernel', '44.4s kill analysis by kernel'], p);
    }
    assert.deepEqual(story((await run('users.yaml', 'earlyoom')).events), [
      '11.6s signal analysis by oomguard',
    ]);
  });
  test("cgroup: all 100 of B's workers go together, A's analysis lives", async () => {
    const r = await run('users.yaml', 'cgroup');
    assert.equal(r.summary.victims, 100);
    assert.ok(r.summary.victimNames.every((n) => n === 'worker'));
    assert.ok(r.events.every((e) => e.t === 12_000));
    assert.equal(r.summary.ooms, 0);
  });
});

describe('examples/db-vs-leak.yaml', () => {
  test("today's kernel kills the database first, then the leak", async () => {
    const r = await run('db-vs-leak.yaml', 'kernel');
    assert.deepEqual(story(r.events), [
      '45.1s oom leak by kernel',
      '45.1s kill postgres by kernel',
      '91.2s oom leak by kernel',
      '91.2s kill leak by kernel',
    ]);
    assert.equal(Math.round(r.summary.workLostMs / 3_600_000), 500);
  });
  test('the 2.6.35 heuristic kills the leak and spares the database', async () => {
    const r = await run('db-vs-leak.yaml', 'legacy');
    assert.deepEqual(story(r.events), ['45.1s oom leak by kernel', '45.1s kill leak by kernel']);
  });
  test('earlyoom follows oom_score: the database first', async () => {
    const r = await run('db-vs-leak.yaml', 'earlyoom');
    assert.deepEqual(story(r.events), ['36.9s signal postgres by oomguard', '83s signal leak by oomguard']);
  });
});

describe('examples/panic.yaml', () => {
  test('kernel: the first OOM panics and ends the run', async () => {
    const r = await run('panic.yaml', 'kernel');
    assert.deepEqual(story(r.events), ['40.7s oom leak by kernel', '40.7s panic / by kernel']);
    assert.equal(
      r.summary.panic,
      'Kernel panic - not syncing: Out of memory: system-wide panic_on_oom is enabled',
    );
    assert.equal(r.summary.endMs, 40_700);
    assert.equal(r.summary.victims, 0);
  });
  test('earlyoom and oomguard keep the machine up', async () => {
    assert.deepEqual(story((await run('panic.yaml', 'earlyoom')).events), ['36.6s signal leak by oomguard']);
    const og = await run('panic.yaml', 'oomguard');
    assert.equal(og.summary.panic, null);
    assert.deepEqual(story(og.events), ['36.6s signal leak by oomguard']);
  });
});

describe('examples/kubernetes.yaml', () => {
  test('kernel: the pod with the largest usage over request (report) dies at the OOM', async () => {
    const r = await run('kubernetes.yaml', 'kernel');
    assert.deepEqual(story(r.events), ['379.6s oom report by kernel', '379.6s kill report by kernel']);
  });
  test('kube: the kubelet evicts the lower-priority web pod before any OOM', async () => {
    const r = await run('kubernetes.yaml', 'kube');
    assert.deepEqual(story(r.events), ['370s evict web by kubelet', '370s kill web by kubelet']);
    assert.equal(r.events[0]?.cgroup, '/kubepods/burstable/podweb');
    assert.equal(r.summary.ooms, 0);
  });
  test('earlyoom: report at 10 % of available + anon', async () => {
    assert.deepEqual(story((await run('kubernetes.yaml', 'earlyoom')).events), [
      '105.6s signal report by oomguard',
    ]);
  });
});

describe('examples/fork-bomb.yaml', () => {
  test('kernel: the editor first, then the whole bomb scope through memory.oom.group', async () => {
    const r = await run('fork-bomb.yaml', 'kernel');
    assert.deepEqual(story(r.events, 4), [
      '13.3s oom bash by kernel',
      '13.3s kill editor by kernel',
      '17.5s oom bash by kernel',
      '17.5s kill bash by kernel',
    ]);
    assert.equal(r.summary.victims, 1501);
    assert.equal(
      r.events.filter((e) => e.reason.startsWith('memory.oom.group of /user.slice/bomb.scope')).length,
      1499,
    );
  });
  test('earlyoom: the editor first, then bomb processes one at a time', async () => {
    const r = await run('fork-bomb.yaml', 'earlyoom');
    assert.deepEqual(r.summary.victimNames.slice(0, 3), ['editor', 'bash', 'bash']);
    assert.equal(r.events[0]?.t, 8900);
    assert.ok(r.summary.victims > 1500);
  });
  test('cgroup: the bomb goes in one go and the editor lives', async () => {
    const r = await run('fork-bomb.yaml', 'cgroup');
    assert.equal(r.summary.victims, 1500);
    assert.ok(!r.summary.victimNames.includes('editor'));
    assert.ok(r.events.every((e) => e.t === 9000 && e.type === 'kill'));
    assert.equal(r.summary.ooms, 0);
  });
});

describe('examples/slow-leak-cgroup.yaml', () => {
  test('kernel and earlyoom: a memcg OOM kills app at 212 s', async () => {
    for (const p of ['kernel', 'earlyoom']) {
      const r = await run('slow-leak-cgroup.yaml', p);
      assert.deepEqual(story(r.events), ['212s oom app by kernel', '212s kill app by kernel'], p);
      assert.equal(r.events[0]?.cgroup, '/system.slice/app.service');
    }
  });
  test('cgroup: app is killed at 10 % of the limit, before the OOM', async () => {
    const r = await run('slow-leak-cgroup.yaml', 'cgroup');
    assert.deepEqual(story(r.events), ['161s kill app by oomguard']);
  });
});
