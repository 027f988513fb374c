// The simulated kernel's mechanics, each against figures worked out by hand: overcommit, panic_on_oom,
// oom_kill_allocating_task, shared mm, the reaper's delay, page cache and swap before the OOM killer.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseScenario } from '../../src/sim/parse.js';
import { type PolicyRun, parsePolicy, runPolicy } from '../../src/sim/runner.js';
import { buildSnapshot } from '../../src/sim/view.js';
import { World } from '../../src/sim/world.js';

const sim = (yaml: string, policy = 'kernel'): Promise<PolicyRun> =>
  runPolicy(parseScenario('t.yaml', yaml), parsePolicy(policy));
const kinds = (r: PolicyRun) => r.events.map((e) => `${e.t} ${e.type} ${e.name ?? e.cgroup}`);

describe('overcommit', () => {
  test('mode 2: CommitLimit = 1 GiB × 50 % = 512 MiB; a second 300 MiB start is refused', async () => {
    const r = await sim(`machine: { ram: 1GiB }
kernel: { overcommit_memory: 2 }
run: { duration: 2s }
processes:
  - { name: a, anon: 300MiB }
  - { name: b, anon: 300MiB, start: 1s }
`);
    assert.deepEqual(kinds(r), ['1000 alloc-fail b']);
    assert.match(r.events[0]?.reason ?? '', /Committed_AS 300 MiB \+ 300 MiB would pass CommitLimit 512 MiB/);
    assert.equal(r.summary.allocFailures, 1);
  });
  test('mode 0 refuses one request above RAM + swap; mode 1 grants it and the OOM killer pays', async () => {
    const body = (mode: number) => `machine: { ram: 1GiB, swap: 512MiB }
kernel: { overcommit_memory: ${mode} }
run: { duration: 2s }
processes: [{ name: big, anon: 10MiB }]
events: [{ at: 1s, do: alloc, process: big, size: 2GiB }]
`;
    assert.deepEqual(kinds(await sim(body(0))), ['1000 alloc-fail big']);
    assert.deepEqual(kinds(await sim(body(1))), ['1000 oom big', '1000 kill big']);
  });
});

describe('panic_on_oom', () => {
  const memcg = (panic: number) => `machine: { ram: 4GiB }
kernel: { panic_on_oom: ${panic} }
run: { duration: 5s }
cgroups: [{ path: /c, limit: 100MiB }]
processes:
  - { name: a, cgroup: /c, anon: 60MiB }
  - { name: g, cgroup: /c, anon: 10MiB, grow: 100MiB/s }
`;
  test('1 leaves a memcg OOM to the killer; 2 panics on it too', async () => {
    const one = await sim(memcg(1));
    assert.equal(one.summary.panic, null);
    assert.deepEqual(one.summary.victimNames, ['a', 'g']);
    const two = await sim(memcg(2));
    assert.equal(
      two.summary.panic,
      'Kernel panic - not syncing: Out of memory: compulsory panic_on_oom is enabled',
    );
    assert.equal(two.summary.victims, 0);
  });
});

describe('the choice', () => {
  test('oom_kill_allocating_task kills the allocating grower, not the largest process', async () => {
    const r = await sim(`machine: { ram: 1GiB }
kernel: { oom_kill_allocating_task: true }
run: { duration: 10s }
processes:
  - { name: big, anon: 600MiB }
  - { name: grow, anon: 10MiB, grow: 100MiB/s }
`);
    assert.deepEqual(r.summary.victimNames, ['grow']);
    assert.match(r.events[1]?.reason ?? '', /^oom_kill_allocating_task/);
  });
  test('processes sharing the mm die together, and its memory is freed once', async () => {
    const r = await sim(`machine: { ram: 1GiB }
run: { duration: 10s }
processes:
  - { name: server, anon: 500MiB, mm: shared, adj: 300 }
  - { name: helper, mm: shared, adj: -500 }
  - { name: grow, anon: 10MiB, grow: 100MiB/s }
`);
    assert.deepEqual(r.summary.victimNames.slice(0, 2), ['server', 'helper']);
    assert.match(r.events[2]?.reason ?? '', /^shares the mm of pid \d+ \(server\)/);
    assert.equal(
      r.summary.memoryFreedBytes - (r.summary.victims > 2 ? (r.victims[2]?.freedBytes ?? 0) : 0),
      500 * 1024 * 1024,
    );
  });
  test('the legacy kernel keeps the older process on a tie; today’s kernel takes the newer', async () => {
    const yaml = `machine: { ram: 1GiB }
run: { duration: 10s }
processes:
  - { name: older, anon: 400MiB, age: 1s }
  - { name: newer, anon: 400MiB }
  - { name: grow, anon: 4KiB, grow: 100MiB/s, grow_until: 300MiB }
`;
    assert.equal((await sim(yaml)).summary.victimNames[0], 'newer');
    assert.equal((await sim(yaml, 'legacy')).summary.victimNames[0], 'older');
  });
});

describe('memory before the OOM killer', () => {
  test('page cache is reclaimed first: 500 MiB of cache make room for a 500 MiB grower', async () => {
    const r = await sim(`machine: { ram: 1GiB, page_cache: 600MiB }
run: { duration: 10s }
processes: [{ name: grow, anon: 100MiB, grow: 100MiB/s, grow_until: 600MiB }]
`);
    assert.equal(r.summary.ooms, 0);
  });
  test('idle anonymous memory goes to swap before anyone is killed', async () => {
    const s = parseScenario(
      's.yaml',
      `machine: { ram: 1GiB, swap: 1GiB }
run: { duration: 10s }
processes:
  - { name: idle, anon: 600MiB }
  - { name: grow, anon: 10MiB, grow: 100MiB/s, grow_until: 800MiB }
`,
    );
    const w = new World(s, { ranker: 'kernel' });
    w.runToEnd();
    assert.equal(w.ooms, 0);
    const idle = buildSnapshot(w).processes.find((p) => p.comm === 'idle');
    // RAM 1 GiB minus the 4 MiB min watermark holds 1020 MiB: 600 + 800 − 1020 = 380 MiB of idle go to swap.
    assert.equal(idle?.swap, 380 * 1024 * 1024);
    assert.equal(buildSnapshot(w).meminfo.swapFree, 1024 * 1024 * 1024 - 380 * 1024 * 1024);
  });
  test('with a reap delay the kernel waits for its victim instead of choosing another', async () => {
    const yaml = (delay: string) => `machine: { ram: 1GiB }
kernel: { reap_delay: ${delay} }
run: { duration: 10s }
processes:
  - { name: a, anon: 400MiB }
  - { name: b, anon: 300MiB }
  - { name: grow, anon: 10MiB, grow: 200MiB/s, grow_until: 700MiB }
`;
    const now = await sim(yaml('0ms'));
    const later = await sim(yaml('2s'));
    assert.deepEqual(now.summary.victimNames, later.summary.victimNames);
    assert.equal(now.summary.shortOfMemoryMs, 100 * now.summary.ooms);
    // The grower stalls for the 2 s until the victim's memory comes back: 20 steps of 100 ms, plus the OOM's.
    assert.ok(later.summary.shortOfMemoryMs >= 2000, String(later.summary.shortOfMemoryMs));
  });
});

describe('signals from a userspace killer', () => {
  test("oomguard's executor escalates to SIGKILL when SIGTERM is ignored", async () => {
    const r = await sim(
      `machine: { ram: 1GiB }
run: { duration: 60s }
processes:
  - { name: quiet, anon: 100MiB }
  - { name: stubborn, anon: 100MiB, grow: 20MiB/s, on_term: ignore }
`,
      'oomguard:examples/oomguard.toml',
    );
    assert.deepEqual(
      r.events.map((e) => [e.type, e.name, e.by]),
      [
        ['signal', 'stubborn', 'oomguard'],
        ['kill', 'stubborn', 'oomguard'],
      ],
    );
    assert.equal(r.summary.ooms, 0);
  });
  test('a process that honours SIGTERM exits after its term_delay', async () => {
    const r = await sim(
      `machine: { ram: 1GiB }
run: { duration: 60s }
processes: [{ name: polite, anon: 100MiB, grow: 20MiB/s, term_delay: 1500ms }]
`,
      'earlyoom',
    );
    const [signal, exit] = r.events;
    assert.equal(signal?.type, 'signal');
    assert.equal(exit?.type, 'exit');
    assert.equal((exit?.t ?? 0) - (signal?.t ?? 0), 1500);
  });
});
