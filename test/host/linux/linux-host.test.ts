// LinuxHost against the fixture trees in test/fixtures (see its README for how each tree was built).
// Expected values are the numbers written into the fixture files, converted by hand (kB × 1024).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LinuxHost } from '../../../src/host/linux/linux-host.js';
import { HostReadError } from '../../../src/model/errors.js';
import type { CgroupInfo, ProcessInfo } from '../../../src/model/snapshot.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/${name}`, import.meta.url));

const ALL_CAPS = 0x1ffffffffffn;

function byPid(processes: readonly ProcessInfo[], pid: number): ProcessInfo {
  const p = processes.find((x) => x.pid === pid);
  assert.ok(p, `pid ${pid} missing`);
  return p;
}

/** The fields that say what kind of task each process is, in one row per process. */
function rows(processes: readonly ProcessInfo[]): unknown[] {
  return processes.map((p) => [
    p.pid,
    p.comm,
    p.state,
    p.kthread,
    p.hasMm,
    p.oomScoreAdj,
    p.kernelOomScore,
    p.cgroup,
  ]);
}

function withoutStat(info: CgroupInfo | undefined): Omit<CgroupInfo, 'stat'> {
  assert.ok(info);
  const { stat: _stat, ...rest } = info;
  return rest;
}

function expectHostReadError(fn: () => unknown, message: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof HostReadError, `not a HostReadError: ${String(error)}`);
    assert.equal(error.message, message);
    return true;
  });
}

test('v1 fixture: machine-wide figures', (t) => {
  const host = new LinuxHost({ root: fixture('v1') });
  t.after(() => host.close());
  const snap = host.sample();
  assert.equal(host.pageSize, 4096);
  assert.equal(snap.pageSize, 4096);
  assert.equal(snap.clockTicks, 100);
  assert.equal(snap.uptimeSec, 12345.67);
  assert.equal(snap.cgroupLayout, 'v1');
  assert.equal(snap.hostPidNamespace, true);
  assert.equal(snap.selfPid, 4242);
  assert.equal(typeof snap.timeMs, 'number');
  assert.deepEqual(snap.meminfo, {
    memTotal: 8589934592,
    memFree: 1073741824,
    memAvailable: 2147483648,
    buffers: 67108864,
    cached: 1073741824,
    swapCached: 16777216,
    activeAnon: 1610612736,
    inactiveAnon: 268435456,
    activeFile: 536870912,
    inactiveFile: 805306368,
    anonPages: 1879048192,
    shmem: 100663296,
    sReclaimable: 134217728,
    sUnreclaim: 67108864,
    swapTotal: 2147483648,
    swapFree: 1879048192,
    commitLimit: 6442450944,
    committedAs: 3221225472,
    hugetlb: 0,
  });
  assert.deepEqual(snap.vmstat, {
    pgscanKswapd: 8000,
    pgscanDirect: 900,
    pgstealKswapd: 5000,
    pgstealDirect: 700,
    oomKill: 3,
    workingsetRefaultAnon: 11,
    workingsetRefaultFile: 22,
    pswpin: 64,
    pswpout: 128,
  });
  assert.deepEqual(snap.psi.memory, {
    some: { avg10: 1.5, avg60: 0.75, avg300: 0.25, totalUs: 3000000 },
    full: { avg10: 0.75, avg60: 0.38, avg300: 0.12, totalUs: 1000000 },
  });
  assert.equal(snap.psi.io?.some.totalUs, 400000);
  assert.equal(snap.psi.cpu?.some.avg10, 10);
  assert.equal(snap.cgroups.size, 0, 'no cgroup subtree was asked for');
});

test('v1 fixture: the process table, kernel threads and zombie flagged, vanished ones skipped', (t) => {
  const host = new LinuxHost({ root: fixture('v1') });
  t.after(() => host.close());
  const snap = host.sample({ kernelOomScore: true });
  // 500 (stat, no status), 501 (empty dir) and 502 (empty stat) vanished mid-read: not listed.
  assert.deepEqual(rows(snap.processes), [
    [1, 'systemd', 'S', false, true, 0, 0, '/'],
    [2, 'kthreadd', 'S', true, false, 0, 0, '/'],
    [15, 'kworker/0:1-events', 'I', true, false, 0, 0, '/'],
    [100, 'worker', 'Z', false, false, 0, 0, '/'],
    [200, 'a) (b', 'S', false, true, 0, 669, '/'],
    [201, 'x\ny z', 'S', false, true, 200, 806, '/'],
    [300, 'k8-proc', 'S', false, true, 100, 822, '/oomguard-test-1'],
    [301, 'child-proc', 'S', false, true, -500, 346, '/oomguard-test-1/child'],
    [302, 'sshd', 'S', false, true, -1000, 0, '/'],
    [4242, 'oomguard', 'S', false, true, 0, 671, '/'],
  ]);
  // The reference's K8 process, every field.
  assert.deepEqual(byPid(snap.processes, 300), {
    pid: 300,
    ppid: 1,
    pgid: 300,
    sid: 300,
    uid: 1000,
    euid: 1000,
    comm: 'k8-proc',
    state: 'S',
    flags: 4194560,
    kthread: false,
    hasMm: true,
    nice: 0,
    cpuTicks: 120,
    startTicks: 6000,
    threads: 12,
    vmSize: 2332033024,
    rssAnon: 1073741824,
    rssFile: 20971520,
    rssShmem: 67108864,
    swap: 268435456,
    pageTables: 2097152,
    oomScoreAdj: 100,
    kernelOomScore: 822,
    capEff: 0n,
    cgroup: '/oomguard-test-1',
  });
  const odd = byPid(snap.processes, 201);
  assert.deepEqual(
    [
      odd.uid,
      odd.euid,
      odd.nice,
      odd.vmSize,
      odd.rssAnon,
      odd.rssFile,
      odd.rssShmem,
      odd.pageTables,
      odd.capEff,
    ],
    [1000, 0, 5, 230686720, 104857600, 2097152, 4194304, 524288, ALL_CAPS],
  );
  const kthreadd = byPid(snap.processes, 2);
  assert.deepEqual(
    [kthreadd.ppid, kthreadd.flags, kthreadd.vmSize, kthreadd.rssAnon, kthreadd.cpuTicks],
    [0, 2129984, 0, 0, 0],
  );
  const zombie = byPid(snap.processes, 100);
  assert.deepEqual([zombie.ppid, zombie.pgid, zombie.vmSize, zombie.rssAnon], [200, 200, 0, 0]);
});

test('kernelOomScore is read only when asked; processes: false skips the table', (t) => {
  const host = new LinuxHost({ root: fixture('v1') });
  t.after(() => host.close());
  assert.deepEqual(
    host.sample().processes.map((p) => p.kernelOomScore),
    Array(10).fill(null),
  );
  assert.deepEqual(host.sample({ processes: false }).processes, []);
});

test('counters: false leaves out /proc/vmstat and the io and cpu pressure, keeps meminfo and memory PSI', (t) => {
  const host = new LinuxHost({ root: fixture('v1') });
  t.after(() => host.close());
  const full = host.sample({ processes: false });
  const lean = host.sample({ processes: false, counters: false });
  assert.notEqual(full.vmstat, null);
  assert.notEqual(full.psi.io, null);
  assert.equal(lean.vmstat, null);
  assert.equal(lean.psi.io, null);
  assert.equal(lean.psi.cpu, null);
  assert.deepEqual(lean.psi.memory, full.psi.memory);
  assert.deepEqual(lean.meminfo, full.meminfo);
});

test('pressure: false leaves out the memory PSI file as well; meminfo stays', (t) => {
  const host = new LinuxHost({ root: fixture('v1') });
  t.after(() => host.close());
  const look = host.sample({ processes: false, counters: false, pressure: false });
  assert.equal(look.psi.memory, null);
  assert.equal(look.meminfo.memAvailable, 2147483648);
  // The option is per sample: the next one reads the file again (some avg10=1.50 in the fixture).
  assert.equal(host.sample({ processes: false, counters: false }).psi.memory?.some.avg10, 1.5);
});

test('v1 fixture: the memory cgroup tree', (t) => {
  const host = new LinuxHost({ root: fixture('v1') });
  t.after(() => host.close());
  const cgroups = host.sample({ cgroupSubtree: '/' }).cgroups;
  assert.deepEqual([...cgroups.keys()].sort(), ['/', '/oomguard-test-1', '/oomguard-test-1/child']);
  assert.deepEqual(withoutStat(cgroups.get('/')), {
    path: '/',
    version: 1,
    usage: 2147483648,
    limit: null,
    swapUsage: 268435456,
    swapLimit: null,
    memswUsage: 2415919104,
    memswLimit: null,
    high: null,
    low: null,
    min: null,
    peak: 3221225472,
    events: {},
    oomControl: { oomKillDisable: false, underOom: false, oomKill: 3 },
    oomGroup: false,
    swappiness: 60,
    pressure: null,
    procs: [1, 2, 15, 100, 200, 201, 302, 4242],
  });
  assert.deepEqual(withoutStat(cgroups.get('/oomguard-test-1')), {
    path: '/oomguard-test-1',
    version: 1,
    usage: 1191182336,
    limit: 1610612736,
    swapUsage: 268435456,
    swapLimit: 536870912,
    memswUsage: 1459617792,
    memswLimit: 2147483648,
    high: null,
    low: null,
    min: null,
    peak: 1300000768,
    events: {},
    oomControl: { oomKillDisable: false, underOom: false, oomKill: 2 },
    oomGroup: false,
    swappiness: 60,
    pressure: {
      some: { avg10: 4, avg60: 2, avg300: 1, totalUs: 555000 },
      full: { avg10: 2, avg60: 1, avg300: 0.5, totalUs: 444000 },
    },
    procs: [300],
  });
  const child = cgroups.get('/oomguard-test-1/child');
  assert.deepEqual(withoutStat(child), {
    path: '/oomguard-test-1/child',
    version: 1,
    usage: 209715200,
    limit: 268435456,
    swapUsage: 0,
    swapLimit: 0,
    memswUsage: 209715200,
    memswLimit: 268435456,
    high: null,
    low: null,
    min: null,
    peak: 268435456,
    events: {},
    oomControl: { oomKillDisable: true, underOom: true, oomKill: null },
    oomGroup: false,
    swappiness: 0,
    pressure: null,
    procs: [301],
  });
  assert.equal(child?.stat.total_rss, 209715200);
  assert.equal(child?.stat.hierarchical_memory_limit, 268435456);
  assert.equal(cgroups.get('/oomguard-test-1')?.stat.swap, 268435456);
  assert.deepEqual(
    host.readCgroup('/oomguard-test-1/child/'),
    child,
    'readCgroup reads the same, trailing / ignored',
  );
});

test('v2 fixture: a container view (no kthreadd), cgroup2 files, root without memory.current', (t) => {
  const host = new LinuxHost({ root: fixture('v2') });
  t.after(() => host.close());
  const snap = host.sample({ kernelOomScore: true, cgroupSubtree: '/' });
  assert.equal(snap.cgroupLayout, 'v2');
  assert.equal(snap.hostPidNamespace, false);
  assert.equal(snap.selfPid, null, 'proc/self is a plain directory here');
  assert.equal(snap.uptimeSec, 86400);
  assert.equal(snap.meminfo.memTotal, 17179869184);
  assert.equal(snap.meminfo.swapTotal, 0);
  assert.deepEqual(snap.psi.cpu, { some: { avg10: 3, avg60: 2, avg300: 1, totalUs: 33000 }, full: null });
  assert.deepEqual(rows(snap.processes), [
    [1, 'tini', 'S', false, true, -999, 2, '/'],
    [2, 'sh', 'S', false, true, -500, 375, '/'],
    [10, 'java', 'S', false, true, 0, 837, '/workload'],
    [11, 'python3', 'S', false, true, 500, 1041, '/workload'],
    [12, 'redis-server', 'S', false, true, -999, 3, '/workload'],
    [13, 'p1', 'S', false, true, 500, 1012, '/oomguard-test-2'],
    [14, 'p2', 'S', false, true, 500, 1006, '/oomguard-test-2/a'],
    [16, 'guardian', 'S', false, true, -1000, 0, '/'],
  ]);
  const java = byPid(snap.processes, 10);
  assert.deepEqual(
    [java.rssAnon, java.rssFile, java.pageTables, java.threads, java.uid],
    [4294967296, 104857600, 8388608, 40, 1001],
  );

  const cgroups = snap.cgroups;
  assert.deepEqual([...cgroups.keys()].sort(), ['/', '/oomguard-test-2', '/oomguard-test-2/a', '/workload']);
  const empty = {
    swapUsage: null,
    swapLimit: null,
    memswUsage: null,
    memswLimit: null,
    high: null,
    low: null,
    min: null,
    peak: null,
    oomControl: null,
    swappiness: null,
  };
  assert.deepEqual(withoutStat(cgroups.get('/')), {
    ...empty,
    path: '/',
    version: 2,
    usage: null,
    limit: null,
    events: {},
    oomGroup: false,
    pressure: {
      some: { avg10: 0, avg60: 0.1, avg300: 0.05, totalUs: 12000 },
      full: { avg10: 0, avg60: 0.05, avg300: 0.03, totalUs: 6000 },
    },
    procs: [1, 2, 16],
  });
  assert.equal(cgroups.get('/')?.stat.anon, 6442450944);
  assert.deepEqual(withoutStat(cgroups.get('/oomguard-test-2')), {
    ...empty,
    path: '/oomguard-test-2',
    version: 2,
    usage: 491520000,
    limit: 536870912,
    swapUsage: 0,
    swapLimit: 0,
    low: 0,
    min: 0,
    peak: 536870912,
    events: { low: 0, high: 0, max: 12, oom: 1, oom_kill: 1, oom_group_kill: 1 },
    oomGroup: true,
    pressure: {
      some: { avg10: 25.5, avg60: 10.25, avg300: 3, totalUs: 7000000 },
      full: { avg10: 12.75, avg60: 5.12, avg300: 1.5, totalUs: 6000000 },
    },
    procs: [13],
  });
  assert.deepEqual(withoutStat(cgroups.get('/oomguard-test-2/a')), {
    ...empty,
    path: '/oomguard-test-2/a',
    version: 2,
    usage: 163840000,
    limit: null,
    swapUsage: 0,
    swapLimit: null,
    low: 0,
    min: 0,
    events: { low: 0, high: 0, max: 0, oom: 0, oom_kill: 0, oom_group_kill: 0 },
    oomGroup: false,
    pressure: {
      some: { avg10: 0, avg60: 0, avg300: 0, totalUs: 0 },
      full: { avg10: 0, avg60: 0, avg300: 0, totalUs: 0 },
    },
    procs: [14],
  });
  const workload = cgroups.get('/workload');
  assert.deepEqual(
    [workload?.usage, workload?.limit, workload?.high, workload?.low, workload?.min, workload?.peak],
    [5557452800, null, 8589934592, 1073741824, 0, 6000000000],
  );
  assert.deepEqual([workload?.events.high, workload?.procs], [5, [10, 11, 12]]);
});

test('v2 fixture: a subtree and a process scope', (t) => {
  const host = new LinuxHost({ root: fixture('v2') });
  t.after(() => host.close());
  const snap = host.sample({ cgroupSubtree: '/oomguard-test-2', processScope: '/oomguard-test-2' });
  assert.deepEqual([...snap.cgroups.keys()].sort(), ['/oomguard-test-2', '/oomguard-test-2/a']);
  assert.deepEqual(
    snap.processes.map((p) => p.pid),
    [13, 14],
  );
  assert.deepEqual(
    host.sample({ processScope: '/oomguard-test-2/a' }).processes.map((p) => p.pid),
    [14],
  );
  assert.equal(host.sample({ processScope: '/' }).processes.length, 8);
});

test('hybrid fixture: memory on v1 next to cgroup2, no PSI, no swap accounting', (t) => {
  const host = new LinuxHost({ root: fixture('hybrid') });
  t.after(() => host.close());
  const snap = host.sample({ kernelOomScore: true, cgroupSubtree: '/' });
  assert.equal(snap.cgroupLayout, 'hybrid');
  assert.equal(snap.hostPidNamespace, true);
  assert.equal(snap.selfPid, null);
  assert.equal(snap.uptimeSec, 600.5);
  assert.deepEqual(snap.psi, { memory: null, io: null, cpu: null });
  assert.equal(snap.vmstat?.oomKill, 0);
  // 43's status read empty (it exited): skipped.
  assert.deepEqual(rows(snap.processes), [
    [1, 'init', 'S', false, true, 0, 0, '/'],
    [2, 'kthreadd', 'S', true, false, 0, 0, '/'],
    [3, 'rcu_gp', 'I', true, false, 0, 0, '/'],
    [40, 'abcdefghijklmno', 'S', false, true, 0, 732, '/oomguard-test-3'],
    [41, 'worker', 'S', false, true, 1000, 1339, '/oomguard-test-3/leaf'],
    [42, 'neighbour', 'S', false, true, 0, 669, '/oomguard-test-30'],
  ]);
  assert.deepEqual([...snap.cgroups.keys()].sort(), [
    '/',
    '/oomguard-test-3',
    '/oomguard-test-3/leaf',
    '/oomguard-test-30',
  ]);
  const test3 = snap.cgroups.get('/oomguard-test-3');
  assert.deepEqual(
    [
      test3?.version,
      test3?.usage,
      test3?.limit,
      test3?.memswUsage,
      test3?.memswLimit,
      test3?.swapUsage,
      test3?.swapLimit,
    ],
    [1, 465567744, 536870912, null, null, null, null],
  );
  assert.deepEqual(test3?.oomControl, { oomKillDisable: false, underOom: false, oomKill: 4 });
  assert.equal(snap.cgroups.get('/oomguard-test-3/leaf')?.limit, null, '9223372036854771712 is unlimited');
  // '/oomguard-test-3' covers its child, not its look-alike sibling '/oomguard-test-30'.
  assert.deepEqual(
    host.sample({ processScope: '/oomguard-test-3' }).processes.map((p) => p.pid),
    [40, 41],
  );
  assert.deepEqual([...host.sample({ cgroupSubtree: '/oomguard-test-3' }).cgroups.keys()].sort(), [
    '/oomguard-test-3',
    '/oomguard-test-3/leaf',
  ]);
});

test('readCmdline and readExe', (t) => {
  const host = new LinuxHost({ root: fixture('v1') });
  t.after(() => host.close());
  assert.deepEqual(host.readCmdline(300), ['k8-proc']);
  assert.deepEqual(host.readCmdline(2), [], 'kernel threads have an empty command line');
  assert.equal(host.readCmdline(999), null, 'no such process');
  assert.equal(host.readExe(300), null, 'the fixture has no exe link');
});

test('a command line longer than the read buffer comes back whole', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'oomguard-host-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'proc/77'), { recursive: true });
  writeFileSync(join(root, 'proc/meminfo'), 'MemTotal: 1024 kB\n');
  const args = ['prog', 'a'.repeat(70000), 'b'.repeat(100000), ''];
  writeFileSync(join(root, 'proc/77/cmdline'), `${args.join('\0')}\0`);
  const host = new LinuxHost({ root });
  t.after(() => host.close());
  assert.deepEqual(host.readCmdline(77), args);
});

test('errors name the root, the cgroup and the file', (t) => {
  const scratch = mkdtempSync(join(tmpdir(), 'oomguard-host-'));
  t.after(() => rmSync(scratch, { recursive: true, force: true }));
  expectHostReadError(
    () => new LinuxHost({ root: join(scratch, 'nope') }),
    `--root ${scratch}/nope: no such directory`,
  );
  expectHostReadError(() => new LinuxHost({ root: scratch }), `--root ${scratch}: no proc/meminfo under it`);
  writeFileSync(join(scratch, 'file'), '');
  expectHostReadError(
    () => new LinuxHost({ root: join(scratch, 'file') }),
    `--root ${scratch}/file: not a directory`,
  );

  mkdirSync(join(scratch, 'proc'));
  writeFileSync(join(scratch, 'proc/meminfo'), 'MemTotal: 1024 kB\n');
  writeFileSync(join(scratch, 'proc/uptime'), '1.00 2.00\n');
  const bare = new LinuxHost({ root: scratch });
  t.after(() => bare.close());
  assert.equal(bare.cgroupLayout, 'none');
  expectHostReadError(
    () => bare.readCgroup('/'),
    'cgroup /: no memory cgroup hierarchy is mounted (cgroup layout none)',
  );
  writeFileSync(join(scratch, 'oomguard-pagesize'), 'big\n');
  expectHostReadError(
    () => new LinuxHost({ root: scratch }),
    `${scratch}/oomguard-pagesize: expected a positive integer, got "big"`,
  );
});

test('a /proc/PID file read whole but garbled is an error naming it; a process gone is left out', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'oomguard-host-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const proc = join(root, 'proc');
  mkdirSync(proc);
  writeFileSync(join(proc, 'meminfo'), 'MemTotal: 1024 kB\n');
  writeFileSync(join(proc, 'uptime'), '1.00 2.00\n');
  const good = fixture('v1/proc/100');
  const copy = (pid: number, name: string) =>
    writeFileSync(join(proc, `${pid}/${name}`), readFileSync(join(good, name)));
  for (const pid of [88, 89, 90]) mkdirSync(join(proc, String(pid)));
  writeFileSync(join(proc, '88/stat'), 'garbage\n');
  copy(89, 'stat');
  writeFileSync(join(proc, '89/status'), 'Name:\tx\n');
  for (const name of ['stat', 'status', 'cgroup']) copy(90, name);
  writeFileSync(join(proc, '90/oom_score_adj'), 'x\n');
  writeFileSync(join(proc, '90/oom_score'), 'many\n');
  const host = new LinuxHost({ root });
  t.after(() => host.close());
  const only = (pid: number) => () => host.sample({ processes: true, pids: [pid] });
  expectHostReadError(only(88), `${proc}/88/stat: not a stat line`);
  expectHostReadError(only(89), `${proc}/89/status: no Uid line`);
  expectHostReadError(only(90), `${proc}/90/oom_score_adj: not a number`);
  expectHostReadError(() => host.readOomScores(), `${proc}/90/oom_score: not a number`);
  assert.deepEqual(host.sample({ processes: true, pids: [91] }).processes, []);
});

test('broken cgroups: missing, a file where a directory belongs, a directory where a file belongs, garbage', (t) => {
  const root = fixture('broken');
  const host = new LinuxHost({ root });
  t.after(() => host.close());
  const cg = `${root}/sys/fs/cgroup`;
  expectHostReadError(
    () => host.readCgroup('/missing'),
    `cgroup /missing: no such memory cgroup (looked in ${cg}/missing)`,
  );
  expectHostReadError(
    () => host.sample({ cgroupSubtree: '/missing' }),
    `cgroup /missing: no such memory cgroup (looked in ${cg}/missing)`,
  );
  expectHostReadError(
    () => host.readCgroup('/not-a-dir'),
    `cgroup /not-a-dir: cannot read ${cg}/not-a-dir/cgroup.procs: ENOTDIR`,
  );
  expectHostReadError(
    () => host.readCgroup('/stat-is-dir'),
    `cgroup /stat-is-dir: cannot read ${cg}/stat-is-dir/memory.stat: EISDIR`,
  );
  expectHostReadError(
    () => host.readCgroup('/garbled'),
    `cgroup /garbled: ${cg}/garbled/memory.max holds "lots", not a number`,
  );
  expectHostReadError(
    () => host.readCgroup('/a/../../etc'),
    'cgroup /a/../../etc: not a cgroup path (it must start with / and hold no . or ..)',
  );
  expectHostReadError(
    () => host.readCgroup('a'),
    'cgroup a: not a cgroup path (it must start with / and hold no . or ..)',
  );
  // The root itself is fine; walking the whole tree meets the broken ones.
  assert.equal(host.readCgroup('/').usage, null);
  assert.throws(() => host.sample({ cgroupSubtree: '/' }), HostReadError);
});

test('close() releases the kept files; a later sample reopens them', (t) => {
  const host = new LinuxHost({ root: fixture('v2') });
  t.after(() => host.close());
  const before = host.sample({ processes: false });
  host.close();
  const after = host.sample({ processes: false });
  assert.deepEqual(after.meminfo, before.meminfo);
  assert.deepEqual(after.psi, before.psi);
});
