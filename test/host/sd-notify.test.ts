// sd_notify against a fake systemd: a python3 receiver on a unix datagram socket (SO_PASSCRED on, so it sees
// the sender's pid, as systemd does for NotifyAccess=main) gets READY=1, WATCHDOG=1 at half WATCHDOG_USEC and
// STOPPING=1 from a child process that uses the real libsystemd binding.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createSdNotifier, watchdogInterval } from '../../src/host/linux/sd-notify.js';
import { REPO } from '../helpers/cli.js';

// Prints "pid<TAB>repr(state)" per datagram; exits after STOPPING=1 (or after 20 s).
const RECEIVER = `
import socket, struct, sys
path = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
s.bind(path.replace('@', '\\0', 1) if path.startswith('@') else path)
s.settimeout(20)
print('listening', flush=True)
while True:
    data, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(12))
    pid = next((struct.unpack('iII', d)[0] for lvl, typ, d in anc if typ == socket.SCM_CREDENTIALS), -1)
    print(f'{pid}\\t{data.decode()!r}', flush=True)
    if data == b'STOPPING=1':
        break
`;

const CHILD = `
import { createSdNotifier } from ${JSON.stringify(join(REPO, 'src/host/linux/sd-notify.ts'))};
const n = createSdNotifier({ onWarning: (m) => console.error(m) });
n.ready('watching the system');
setTimeout(() => n.stopping(), 450);
`;

function collect(child: ChildProcess): {
  out: () => string;
  err: () => string;
  closed: Promise<number | null>;
} {
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    err += d;
  });
  const closed = new Promise<number | null>((res) => child.on('close', res));
  return { out: () => out, err: () => err, closed };
}

async function roundTrip(t: import('node:test').TestContext, socketName: (dir: string) => string) {
  const dir = mkdtempSync(join(tmpdir(), 'oomguard-sdnotify-'));
  const notifySocket = socketName(dir);
  const receiver = spawn('python3', ['-c', RECEIVER, notifySocket], { stdio: ['ignore', 'pipe', 'pipe'] });
  const rx = collect(receiver);
  t.after(() => {
    receiver.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  const deadline = Date.now() + 10_000;
  while (!rx.out().includes('listening')) {
    assert.ok(Date.now() < deadline, `receiver did not start: ${rx.err()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const script = join(dir, 'child.ts');
  writeFileSync(script, CHILD);
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: REPO,
    env: { ...process.env, NOTIFY_SOCKET: notifySocket, WATCHDOG_USEC: '200000' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const cx = collect(child);
  assert.equal(await cx.closed, 0, cx.err());
  assert.equal(cx.err(), '');
  assert.equal(await rx.closed, 0, rx.err());
  const lines = rx
    .out()
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split('\t'));
  // Every datagram came from the daemon process itself.
  assert.ok(
    lines.every(([pid]) => pid === String(child.pid)),
    rx.out(),
  );
  const states = lines.map(([, s]) => s);
  assert.equal(states[0], "'READY=1\\nSTATUS=watching the system'");
  assert.equal(states.at(-1), "'STOPPING=1'");
  // 450 ms at one ping per 100 ms: 3 or 4 pings, allowing for a slow timer; none after STOPPING.
  const pings = states.slice(1, -1);
  assert.ok(pings.length >= 2 && pings.length <= 4, states.join(' '));
  assert.ok(
    pings.every((s) => s === "'WATCHDOG=1'"),
    states.join(' '),
  );
}

describe('sd_notify through libsystemd', () => {
  test('a socket path', (t) => roundTrip(t, (dir) => join(dir, 'notify')));
  test('an abstract socket (@name)', (t) => roundTrip(t, () => `@oomguard-test-${process.pid}`));
});

describe('sd_notify without systemd', () => {
  test('no NOTIFY_SOCKET: nothing is sent, no watchdog', () => {
    const sent: string[] = [];
    const n = createSdNotifier({ env: {}, send: (s) => sent.push(s) });
    n.ready();
    n.status('x');
    n.stopping();
    assert.deepEqual(sent, []);
    assert.equal(n.watchdogIntervalMs, null);
  });

  test('a failing send is a warning with the errno', () => {
    const warnings: string[] = [];
    const n = createSdNotifier({
      env: { NOTIFY_SOCKET: '/nowhere' },
      send: () => -111,
      onWarning: (w) => warnings.push(w),
    });
    n.ready();
    assert.deepEqual(warnings, ['sd_notify(READY=1) failed: errno 111']);
  });

  test('the watchdog interval: half of WATCHDOG_USEC, only for this pid', () => {
    assert.equal(watchdogInterval({ WATCHDOG_USEC: '30000000' }, 7), 15_000);
    assert.equal(watchdogInterval({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '7' }, 7), 15_000);
    assert.equal(watchdogInterval({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '8' }, 7), null);
    assert.equal(watchdogInterval({ WATCHDOG_USEC: '0' }, 7), null);
    assert.equal(watchdogInterval({ WATCHDOG_USEC: 'soon' }, 7), null);
    assert.equal(watchdogInterval({}, 7), null);
    // 1999 µs: half is 999.5 µs, truncated to 0 ms and raised to the 1 ms floor.
    assert.equal(watchdogInterval({ WATCHDOG_USEC: '1999' }, 7), 1);
  });
});
