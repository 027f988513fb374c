// Desktop notifications with a fake notify-send on PATH: a shell script that records, per call, its uid and
// gid, each argument and its environment. A fake /run/user holds session buses (real unix sockets) for a
// user other than root, for root, and decoys that must be ignored.
import assert from 'node:assert/strict';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createNotifier, findSessionBuses, notificationText } from '../../src/host/notify.js';
import type { DaemonEvent } from '../../src/observe/events.js';

const isRoot = process.getuid?.() === 0;
const USER = 1234;
const GROUP = 2345;

const SIGNAL: DaemonEvent = {
  event: 'signal',
  level: 'notice',
  message: 'sent SIGKILL',
  fields: { pid: 42, comm: 'fire<fox>', signal: 'SIGKILL', reason: 'memory available 2.0 % <= 5 %' },
};
const EXIT: DaemonEvent = {
  event: 'exit',
  level: 'notice',
  message: 'pid 42 exited',
  fields: { pid: 42, comm: 'fire<fox>', signal: 'SIGKILL', pids: [42], afterMs: 30 },
};

interface Call {
  readonly id: string;
  readonly args: string[];
  readonly env: Record<string, string>;
}

async function listen(path: string): Promise<Server> {
  const server = createServer();
  await new Promise<void>((res) => server.listen(path, res));
  return server;
}

async function setUp(t: import('node:test').TestContext, script = 'record') {
  const dir = mkdtempSync(join(tmpdir(), 'oomguard-notify-'));
  // The fake runs as another user: it must reach its script and its records directory.
  chmodSync(dir, 0o755);
  const bin = join(dir, 'bin');
  const records = join(dir, 'records');
  const run = join(dir, 'run');
  mkdirSync(bin, { mode: 0o755 });
  mkdirSync(records, { mode: 0o777 });
  chmodSync(records, 0o777);
  mkdirSync(run, { mode: 0o755 });
  const body =
    script === 'record'
      ? [
          '#!/bin/sh',
          `d=${records}/$(id -u).$$`,
          'mkdir "$d"',
          'echo "$(id -u) $(id -g)" > "$d/id"',
          'i=0',
          'for a in "$@"; do i=$((i+1)); printf "%s" "$a" > "$d/arg$i"; done',
          'env > "$d/env"',
        ].join('\n')
      : script;
  writeFileSync(join(bin, 'notify-send'), `${body}\n`, { mode: 0o755 });
  const servers: Server[] = [];
  const session = async (name: string, owner: number, group: number, withBus = true) => {
    const d = join(run, name);
    mkdirSync(d, { mode: 0o700 });
    if (withBus) servers.push(await listen(join(d, 'bus')));
    if (isRoot) {
      chownSync(d, owner, group);
      if (withBus) chownSync(join(d, 'bus'), owner, group);
    }
  };
  t.after(async () => {
    await Promise.all(servers.map((s) => new Promise((res) => s.close(res))));
    rmSync(dir, { recursive: true, force: true });
  });
  const calls = (): Call[] =>
    readdirSync(records)
      .sort()
      .map((id) => {
        const d = join(records, id);
        const args: string[] = [];
        for (let i = 1; existsSync(join(d, `arg${i}`)); i++)
          args.push(readFileSync(join(d, `arg${i}`), 'utf8'));
        const env = Object.fromEntries(
          readFileSync(join(d, 'env'), 'utf8')
            .trim()
            .split('\n')
            .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
        );
        return { id: readFileSync(join(d, 'id'), 'utf8').trim(), args, env };
      });
  return { bin, run, session, calls };
}

describe('notify: sessions and text', () => {
  test('session buses: numeric directories owned by their uid with a bus socket', {
    skip: !isRoot && 'needs root to chown',
  }, async (t) => {
    const { run, session } = await setUp(t);
    await session(String(USER), USER, GROUP);
    await session('0', 0, 0);
    await session('999', 0, 0); // owned by root, named for uid 999: not trusted
    await session('555', 555, 555, false); // no bus
    await session('abc', 0, 0);
    writeFileSync(join(run, '777'), ''); // not a directory
    assert.deepEqual(findSessionBuses(run), [
      { uid: 0, gid: 0, runtimeDir: join(run, '0'), socket: join(run, '0/bus') },
      { uid: USER, gid: GROUP, runtimeDir: join(run, String(USER)), socket: join(run, `${USER}/bus`) },
    ]);
    assert.deepEqual(findSessionBuses(join(run, 'missing')), []);
  });

  test('text: escaped name, reason, markup neutralised, missed kills counted', () => {
    assert.deepEqual(notificationText(EXIT, 'memory <2 %> & falling', 0), {
      summary: 'Low memory: fire<fox> (pid 42) was killed',
      body: 'oomguard killed it to keep the system responsive: memory &lt;2 %&gt; &amp; falling',
    });
    const term = { ...EXIT, fields: { ...EXIT.fields, signal: 'SIGTERM', comm: 'a\nb' } };
    assert.deepEqual(notificationText(term, null, 2), {
      summary: 'Low memory: a\\nb (pid 42) was stopped',
      body: 'oomguard stopped it to keep the system responsive.\n2 more kills since the last notice.',
    });
  });
});

describe('notify: running notify-send', {
  skip: !isRoot && 'needs root to run notify-send as another user',
}, () => {
  test('one call per session, as its user, with its bus and nothing else of the daemon', async (t) => {
    const { bin, run, session, calls } = await setUp(t);
    await session(String(USER), USER, GROUP);
    await session('0', 0, 0);
    process.env.OOMGUARD_TEST_SECRET = 'must not leak';
    t.after(() => delete process.env.OOMGUARD_TEST_SECRET);
    const warnings: string[] = [];
    const notify = createNotifier({ runtimeDir: run, searchPath: bin, onWarning: (w) => warnings.push(w) });
    notify(SIGNAL);
    notify(EXIT);
    await notify.settled();
    assert.deepEqual(warnings, []);
    const got = calls();
    assert.deepEqual(
      got.map((c) => c.id),
      ['0 0', `${USER} ${GROUP}`],
    );
    for (const c of got) {
      const uid = c.id.split(' ')[0];
      assert.deepEqual(c.args, [
        '--app-name=oomguard',
        '--urgency=critical',
        '--',
        'Low memory: fire<fox> (pid 42) was killed',
        'oomguard killed it to keep the system responsive: memory available 2.0 % &lt;= 5 %',
      ]);
      assert.equal(c.env.DBUS_SESSION_BUS_ADDRESS, `unix:path=${join(run, uid ?? '', 'bus')}`);
      assert.equal(c.env.XDG_RUNTIME_DIR, join(run, uid ?? ''));
      assert.equal(c.env.PATH, '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
      assert.equal(c.env.OOMGUARD_TEST_SECRET, undefined);
    }
  });

  test('rate limit: kills within the interval are counted into the next notice', async (t) => {
    const { bin, run, session, calls } = await setUp(t);
    await session('0', 0, 0);
    let now = 1_000_000;
    const notify = createNotifier({
      runtimeDir: run,
      searchPath: bin,
      minIntervalMs: 10_000,
      now: () => now,
    });
    notify(EXIT);
    now += 1_000;
    notify({ ...EXIT, fields: { ...EXIT.fields, pid: 43 } });
    now += 1_000;
    notify({ ...EXIT, fields: { ...EXIT.fields, pid: 44 } });
    await notify.settled();
    assert.equal(calls().length, 1);
    now += 8_000; // 10 s after the first notice
    notify({ ...EXIT, fields: { ...EXIT.fields, pid: 45 } });
    await notify.settled();
    const got = calls();
    assert.equal(got.length, 2);
    const last = got.find((c) => c.args[3]?.includes('pid 45'));
    assert.equal(
      last?.args[4],
      'oomguard killed it to keep the system responsive.\n2 more kills since the last notice.',
    );
  });

  test('a notify-send that hangs is killed at the timeout and reported', async (t) => {
    const { bin, run, session } = await setUp(t, '#!/bin/sh\nexec sleep 30');
    await session('0', 0, 0);
    const warnings: string[] = [];
    const notify = createNotifier({
      runtimeDir: run,
      searchPath: bin,
      timeoutMs: 200,
      onWarning: (w) => warnings.push(w),
    });
    const started = Date.now();
    notify(EXIT);
    await notify.settled();
    assert.ok(Date.now() - started < 5_000);
    assert.deepEqual(warnings, [
      'desktop notification for uid 0: notify-send ended by SIGKILL (timeout 200 ms)',
    ]);
  });

  test('a notify-send that fails is reported with its exit code', async (t) => {
    const { bin, run, session } = await setUp(t, '#!/bin/sh\nexit 3');
    await session('0', 0, 0);
    const warnings: string[] = [];
    const notify = createNotifier({ runtimeDir: run, searchPath: bin, onWarning: (w) => warnings.push(w) });
    notify(EXIT);
    await notify.settled();
    assert.deepEqual(warnings, ['desktop notification for uid 0: notify-send exited 3']);
  });
});

describe('notify: nothing available is a warning', () => {
  test('no notify-send on PATH', async (t) => {
    const { run, session } = await setUp(t);
    await session('0', 0, 0);
    const warnings: string[] = [];
    const notify = createNotifier({
      runtimeDir: run,
      searchPath: join(run, 'nowhere'),
      onWarning: (w) => warnings.push(w),
    });
    notify(EXIT);
    await notify.settled();
    assert.deepEqual(warnings, ['no desktop notification: notify-send not found on PATH']);
  });

  test('no session bus', async (t) => {
    const { bin, run, calls } = await setUp(t);
    const warnings: string[] = [];
    const notify = createNotifier({ runtimeDir: run, searchPath: bin, onWarning: (w) => warnings.push(w) });
    notify(EXIT);
    await notify.settled();
    assert.deepEqual(warnings, [`no desktop notification: no user session bus under ${run}`]);
    assert.deepEqual(calls(), []);
  });

  test('other events notify nobody', async (t) => {
    const { bin, run, session, calls } = await setUp(t);
    await session('0', 0, 0);
    const notify = createNotifier({ runtimeDir: run, searchPath: bin });
    notify(SIGNAL);
    notify({ event: 'still-alive', level: 'warning', message: 'x', fields: { pid: 42 } });
    await notify.settled();
    assert.deepEqual(calls(), []);
  });
});
