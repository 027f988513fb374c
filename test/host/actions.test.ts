// LinuxActions against the real kernel, scoped: only processes these tests spawn are ever signalled,
// in a v1 memory cgroup of their own (oomguard-test-actions-*) or a PID namespace of their own.
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { HostActions, PinnedProcess } from '../../src/host/actions.js';
import { LinuxActions } from '../../src/host/linux/linux-actions.js';
import { OomguardError } from '../../src/model/errors.js';
import { memcgUnavailableReason, V1_MEMORY_MOUNT } from '../helpers/sandbox.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '../..');
const linuxActionsModule = join(repo, 'src/host/linux/linux-actions.ts');

/** Field 22 of /proc/PID/stat, read here independently of the code under test. */
function startTicksOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[19]);
}

/** Spawns a child that the test owns; every one still running is SIGKILLed after the test. */
function own(t: TestContext, command: string, args: string[]): ChildProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  assert.ok(child.pid, `${command} did not start`);
  return child;
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

async function exitedWithin(child: ChildProcess, ms: number) {
  const timeout = sleep(ms).then(() => 'still running' as const);
  return Promise.race([exited(child), timeout]);
}

/** Waits until the child printed `ready` (its shell has set up its traps). */
function ready(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (data: Buffer) => {
      if (data.toString().includes('ready')) resolve();
    });
    child.once('exit', () => reject(new Error('child exited before it was ready')));
  });
}

function pinned(actions: HostActions, t: TestContext, pid: number, startTicks: number): PinnedProcess {
  const pin = actions.pin(pid, startTicks);
  assert.ok(pin, `pin(${pid}) failed`);
  t.after(() => actions.unpin(pin));
  return pin;
}

const quiet = { onWarning: () => {} };

test('pin + SIGTERM through the pidfd: the child dies by SIGTERM', async (t) => {
  const actions = new LinuxActions(quiet);
  const child = own(t, 'sleep', ['60']);
  const pin = pinned(actions, t, child.pid as number, startTicksOf(child.pid as number));
  assert.equal(actions.alive(pin), true);
  assert.equal(actions.signal(pin, 'SIGTERM'), 'sent');
  assert.deepEqual(await exitedWithin(child, 5000), { code: null, signal: 'SIGTERM' });
  assert.equal(actions.alive(pin), false);
  assert.equal(actions.signal(pin, 'SIGTERM'), 'gone', 'reaped: pidfd_send_signal says ESRCH');
});

test('a child that ignores SIGTERM survives it and dies on SIGKILL; release() after SIGKILL', async (t) => {
  const actions = new LinuxActions(quiet);
  // SIG_IGN survives exec, so the sleep ignores SIGTERM as its shell did.
  const child = own(t, 'sh', ['-c', "trap '' TERM; echo ready; exec sleep 60"]);
  await ready(child);
  const pin = pinned(actions, t, child.pid as number, startTicksOf(child.pid as number));
  assert.equal(actions.signal(pin, 'SIGTERM'), 'sent');
  assert.equal(await exitedWithin(child, 300), 'still running');
  assert.equal(actions.alive(pin), true);
  assert.equal(actions.release(pin), false, 'not dying: process_mrelease says EINVAL');
  assert.equal(actions.signal(pin, 'SIGKILL'), 'sent');
  // true while the victim still exits, false (ESRCH) once it is a zombie: a race on the kernel's side.
  assert.equal(typeof actions.release(pin), 'boolean');
  assert.deepEqual(await exitedWithin(child, 5000), { code: null, signal: 'SIGKILL' });
  assert.equal(actions.alive(pin), false);
  assert.equal(existsSync(`/proc/${child.pid}`), false);
  assert.equal(actions.release(pin), false, 'reaped: process_mrelease says ESRCH');
});

test('pin with a wrong start time gives null and the child is not signalled', async (t) => {
  const actions = new LinuxActions(quiet);
  const child = own(t, 'sleep', ['60']);
  const pid = child.pid as number;
  assert.equal(actions.pin(pid, startTicksOf(pid) + 1), null);
  assert.equal(await exitedWithin(child, 300), 'still running');
  assert.throws(() => actions.pin(0, 1), OomguardError);
  assert.throws(() => actions.pin(-1, 1), OomguardError);
  assert.throws(() => actions.pin(1.5, 1), OomguardError);
});

test('a zombie counts as exited', async (t) => {
  for (const native of [undefined, null]) {
    const actions = new LinuxActions({ ...quiet, native });
    // The shell's background child becomes a zombie: the exec'd sleep never waits for it.
    const child = own(t, 'sh', ['-c', 'sleep 0.05 & echo ready; exec sleep 60']);
    await ready(child);
    const parent = child.pid as number;
    const [zombie] = readFileSync(`/proc/${parent}/task/${parent}/children`, 'latin1')
      .trim()
      .split(' ')
      .map(Number);
    assert.ok(zombie);
    const pin = pinned(actions, t, zombie, startTicksOf(zombie));
    for (let i = 0; i < 100 && !/\) Z /.test(readFileSync(`/proc/${zombie}/stat`, 'latin1')); i++)
      await sleep(20);
    assert.match(readFileSync(`/proc/${zombie}/stat`, 'latin1'), /\) Z /);
    assert.equal(actions.alive(pin), false, `native ${native === null ? 'off' : 'on'}`);
    child.kill('SIGKILL');
    await exited(child);
  }
});

test('unpin is idempotent and a released pin cannot signal', (t) => {
  const actions = new LinuxActions(quiet);
  const child = own(t, 'sleep', ['60']);
  const pin = actions.pin(child.pid as number, startTicksOf(child.pid as number));
  assert.ok(pin);
  actions.unpin(pin);
  actions.unpin(pin);
  assert.throws(() => actions.signal(pin, 'SIGKILL'), /unpinned/);
  assert.throws(() => new LinuxActions(quiet).alive(pin), /not made by these HostActions/);
});

test('without pidfd: start time re-checked before kill(2), the fallback announced once', async (t) => {
  const warnings: string[] = [];
  const actions = new LinuxActions({ native: null, onWarning: (m) => warnings.push(m) });
  const child = own(t, 'sleep', ['60']);
  const pid = child.pid as number;
  assert.equal(actions.pin(pid, startTicksOf(pid) + 1), null);
  const pin = pinned(actions, t, pid, startTicksOf(pid));
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] as string, /^pidfd unavailable \(native calls disabled\)/);
  assert.equal(actions.release(pin), false);
  assert.equal(actions.signal(pin, 'SIGTERM'), 'sent');
  assert.deepEqual(await exitedWithin(child, 5000), { code: null, signal: 'SIGTERM' });
  assert.equal(actions.signal(pin, 'SIGTERM'), 'gone');
});

// The PID is reused for real inside a PID namespace of the test's own (ns_last_pid steers the next PID),
// where the new owner of the PID is a sleeper that must survive the signal sent through the stale pin.
const reuseScript = (native: 'default' | 'off') => `
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { LinuxActions } from ${JSON.stringify(linuxActionsModule)};
const actions = new LinuxActions({ onWarning: () => {}${native === 'off' ? ', native: null' : ''} });
const startOf = (pid) => {
  const s = readFileSync('/proc/' + pid + '/stat', 'latin1');
  return Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[19]);
};
const old = spawn('sleep', ['0.2']);
const pin = actions.pin(old.pid, startOf(old.pid));
await new Promise((resolve) => old.once('exit', resolve));
writeFileSync('/proc/sys/kernel/ns_last_pid', String(old.pid - 1));
const heir = spawn('sleep', ['30']);
const outcome = actions.signal(pin, 'SIGKILL');
const heirExit = await Promise.race([
  new Promise((resolve) => heir.once('exit', (code, signal) => resolve(signal))),
  new Promise((resolve) => setTimeout(() => resolve('running'), 300)),
]);
heir.kill('SIGKILL');
console.log(JSON.stringify({ pinned: pin !== null, reused: heir.pid === old.pid, outcome, heir: heirExit }));
`;

for (const native of ['default', 'off'] as const) {
  test(`PID reused after the pinned child was reaped: nothing is signalled (native ${native})`, (t) => {
    const out = execFileSync(
      'unshare',
      [
        '--pid',
        '--fork',
        '--mount-proc',
        process.execPath,
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        reuseScript(native),
      ],
      { cwd: repo, encoding: 'utf8', timeout: 20_000 },
    );
    t.diagnostic(out.trim());
    assert.deepEqual(JSON.parse(out), {
      pinned: true,
      reused: true,
      outcome: native === 'off' ? 'identity-changed' : 'gone',
      heir: 'running',
    });
  });
}

const memcgSkip = memcgUnavailableReason();

test('killCgroup on a v1 memory cgroup kills exactly its three sleepers', {
  skip: memcgSkip ?? false,
}, async (t) => {
  const actions = new LinuxActions(quiet);
  const dir = join(V1_MEMORY_MOUNT, `oomguard-test-actions-${process.pid}`);
  mkdirSync(dir);
  const inside = [own(t, 'sleep', ['60']), own(t, 'sleep', ['60']), own(t, 'sleep', ['60'])];
  const sibling = own(t, 'sleep', ['60']);
  // Registered after the children, so it runs before their cleanup: kill, wait, then remove the cgroup.
  t.after(async () => {
    for (const child of [...inside, sibling]) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited(child);
    }
    for (let i = 0; i < 50 && existsSync(dir); i++) {
      try {
        rmdirSync(dir);
      } catch {
        await sleep(20);
      }
    }
  });
  for (const child of inside) writeFileSync(join(dir, 'cgroup.procs'), String(child.pid));
  const pids = inside.map((c) => c.pid as number).sort((a, b) => a - b);
  const listed = readFileSync(join(dir, 'cgroup.procs'), 'latin1').trim().split('\n').map(Number);
  assert.deepEqual(
    listed.sort((a, b) => a - b),
    pids,
  );

  const result = actions.killCgroup(dir);
  assert.equal(result.method, 'signal-each');
  assert.deepEqual(
    [...result.signalled].sort((a, b) => a - b),
    pids,
  );
  for (const child of inside)
    assert.deepEqual(await exitedWithin(child, 5000), { code: null, signal: 'SIGKILL' });
  assert.equal(await exitedWithin(sibling, 300), 'still running');
  assert.deepEqual(actions.killCgroup(dir), { signalled: [], method: 'signal-each' });
});

/** A fake cgroup tree under tmp; cgroup.kill present, so a missing refusal would only write a plain file. */
function fakeCgroupTree(
  t: TestContext,
  members: number[],
): { root: string; child: string; killFile: string } {
  const base = mkdtempSync(join(tmpdir(), 'oomguard-actions-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const root = join(base, 'root');
  const child = join(root, 'job');
  mkdirSync(join(child, 'leaf'), { recursive: true });
  for (const d of [root, child, join(child, 'leaf')]) {
    writeFileSync(join(d, 'cgroup.procs'), '');
    writeFileSync(join(d, 'cgroup.kill'), '');
  }
  writeFileSync(join(child, 'cgroup.procs'), `${members[0] ?? ''}\n`);
  writeFileSync(
    join(child, 'leaf', 'cgroup.procs'),
    members
      .slice(1)
      .map((p) => `${p}\n`)
      .join(''),
  );
  return { root, child, killFile: join(child, 'cgroup.kill') };
}

test('killCgroup with cgroup.kill writes 1 there and reports the subtree members', (t) => {
  // PIDs above any pid_max: nothing on this machine could be hit even by a broken implementation.
  const tree = fakeCgroupTree(t, [5_000_001, 5_000_002, 5_000_003]);
  const result = new LinuxActions(quiet).killCgroup(tree.child);
  assert.equal(result.method, 'cgroup.kill');
  assert.deepEqual([...result.signalled].sort(), [5_000_001, 5_000_002, 5_000_003]);
  assert.equal(readFileSync(tree.killFile, 'latin1'), '1');
});

test('killCgroup refuses a hierarchy root, PID 1, itself and a relative path', (t) => {
  const actions = new LinuxActions(quiet);
  const withSelf = fakeCgroupTree(t, [5_000_001, process.pid]);
  assert.throws(() => actions.killCgroup(withSelf.root), /root of its cgroup hierarchy/);
  assert.throws(
    () => actions.killCgroup(withSelf.child),
    new RegExp(`holds oomguard itself \\(PID ${process.pid}\\)`),
  );
  const withInit = fakeCgroupTree(t, [1]);
  assert.throws(() => actions.killCgroup(withInit.child), /holds PID 1/);
  assert.throws(() => actions.killCgroup('sys/fs/cgroup/x'), /absolute path/);
  assert.throws(() => actions.killCgroup(join(withSelf.child, 'nope')), /no cgroup\.procs/);
  for (const tree of [withSelf, withInit]) assert.equal(readFileSync(tree.killFile, 'latin1'), '');
});

function protectInChild(opts: string): {
  result: { oomScoreAdj: string; nice: string };
  adj: string;
  nices: string[];
} {
  const script = `
import { readdirSync, readFileSync } from 'node:fs';
import { LinuxActions } from ${JSON.stringify(linuxActionsModule)};
const result = new LinuxActions().protectSelf(${opts});
const nices = readdirSync('/proc/self/task').map((tid) => {
  const s = readFileSync('/proc/self/task/' + tid + '/stat', 'latin1');
  return s.slice(s.lastIndexOf(')') + 2).split(' ')[16];
});
console.log(JSON.stringify({ result, adj: readFileSync('/proc/self/oom_score_adj', 'latin1').trim(), nices }));
`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: repo,
    encoding: 'utf8',
    timeout: 20_000,
  });
  return JSON.parse(out);
}

test('protectSelf (in a child node): a negative adj is refused, nice -10 reaches every thread', () => {
  const inherited = readFileSync('/proc/self/oom_score_adj', 'latin1').trim();
  const { result, adj, nices } = protectInChild('');
  // The kernel answers EACCES (fs/proc/base.c __set_oom_adj) without CAP_SYS_RESOURCE.
  assert.deepEqual(result, {
    oomScoreAdj: `unchanged at ${inherited}: EACCES, lowering it needs CAP_SYS_RESOURCE`,
    nice: '-10',
  });
  assert.equal(adj, inherited);
  assert.ok(nices.length > 1);
  assert.deepEqual(new Set(nices), new Set(['-10']));
});

test('protectSelf (in a child node): never raises adj or nice; out-of-range values are reported, not thrown', () => {
  // A unit's OOMScoreAdjust=-1000 or Nice=-20 must survive oomguard's own, milder defaults.
  const raised = protectInChild('{ oomScoreAdj: 300, nice: 5 }');
  assert.deepEqual(raised.result, {
    oomScoreAdj: 'kept at 0 (already at or below 300)',
    nice: 'kept (already at or below 5)',
  });
  assert.equal(raised.adj, '0');
  assert.deepEqual(new Set(raised.nices), new Set(['0']));
  const bad = protectInChild('{ oomScoreAdj: -1001, nice: 20 }');
  assert.deepEqual(bad.result, {
    oomScoreAdj: 'unchanged: -1001 is outside -1000..1000',
    nice: 'unchanged: 20 is outside -20..19',
  });
});
