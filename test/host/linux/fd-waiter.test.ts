// FdWaiter on the real kernel: eventfds stand in for the fds a caller waits on, since a write to one is an
// event the test controls to the millisecond.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, readlinkSync, readSync, writeSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FdWaiter, PolledEventFd, waitTogether } from '../../../src/host/linux/fd-waiter.js';
import {
  EFD_CLOEXEC,
  EFD_NONBLOCK,
  NativeCallError,
  type NativeWaitCalls,
  POLLIN,
} from '../../../src/host/linux/native.js';
import { UsageError } from '../../../src/model/errors.js';
import { openEventfds } from '../../helpers/fds.js';
import { countingNative, realNative } from '../../helpers/native-calls.js';

const EINTR = 4;

function eventfd(): number {
  const fd = realNative().eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  assert.ok(fd >= 0);
  return fd;
}

function kick(fd: number): void {
  const one = Buffer.alloc(8);
  one.writeBigUInt64LE(1n);
  writeSync(fd, one);
}

/** A waiter and a source eventfd, both closed after the test once no poll runs on them. */
function setup(t: { after: (fn: () => Promise<void>) => void }, native?: NativeWaitCalls) {
  const waiter = new FdWaiter(native);
  const source = eventfd();
  t.after(async () => {
    waiter.close();
    await waiter.idle();
    closeSync(source);
  });
  return { waiter, source };
}

test('a wait without timeout ends when its fd becomes readable: ready, with the revents', async (t) => {
  const { native, polls } = countingNative();
  const { waiter, source } = setup(t, native);
  setTimeout(() => kick(source), 150);
  const started = performance.now();
  const result = await waiter.wait([{ fd: source, events: POLLIN }], -1);
  const elapsed = performance.now() - started;
  assert.deepEqual(result, { kind: 'ready', revents: [POLLIN] });
  assert.ok(elapsed >= 149 && elapsed < 400, `ready after ${elapsed} ms`);
  assert.equal(polls(), 1);
  assert.equal(waiter.busy, false);
});

test('an idle wait(1500) is a single poll that times out', async (t) => {
  const { native, polls } = countingNative();
  const { waiter, source } = setup(t, native);
  const started = performance.now();
  assert.deepEqual(await waiter.wait([{ fd: source, events: POLLIN }], 1500), { kind: 'timeout' });
  const elapsed = performance.now() - started;
  assert.ok(elapsed >= 1499 && elapsed < 1800, `timed out after ${elapsed} ms`);
  assert.equal(polls(), 1);
});

test('cancel() ends an endless wait at once; it leaves nothing behind for the next wait', async (t) => {
  const { waiter, source } = setup(t);
  const waiting = waiter.wait([{ fd: source, events: POLLIN }], -1);
  assert.equal(waiter.busy, true);
  await new Promise((r) => setTimeout(r, 50));
  const cancelledAt = performance.now();
  waiter.cancel();
  assert.deepEqual(await waiting, { kind: 'cancelled' });
  assert.ok(performance.now() - cancelledAt < 50, `cancelled after ${performance.now() - cancelledAt} ms`);
  // Had the eventfd kept its count, this wait would end at once.
  waiter.cancel(); // idle: no-op
  const started = performance.now();
  assert.deepEqual(await waiter.wait([{ fd: source, events: POLLIN }], 200), { kind: 'timeout' });
  assert.ok(performance.now() - started >= 199);
});

test('a ready fd wins over a cancel seen in the same poll, and the cancel is still cleared', async (t) => {
  const { waiter, source } = setup(t);
  kick(source);
  const waiting = waiter.wait([{ fd: source, events: POLLIN }], -1);
  // Synchronously after wait(): the worker's poll finds both the source and the cancel eventfd readable.
  waiter.cancel();
  assert.deepEqual(await waiting, { kind: 'ready', revents: [POLLIN] });
  // The source's count is the caller's to read: untouched.
  const drained = Buffer.alloc(8);
  assert.equal(readSync(source, drained, 0, 8, null), 8);
  assert.equal(drained.readBigUInt64LE(), 1n);
  const started = performance.now();
  assert.deepEqual(await waiter.wait([{ fd: source, events: POLLIN }], 100), { kind: 'timeout' });
  assert.ok(performance.now() - started >= 99);
});

test('one wait at a time; timeouts must be -1 or an int 0..2^31-1', async (t) => {
  const { waiter, source } = setup(t);
  const entries = [{ fd: source, events: POLLIN }];
  const waiting = waiter.wait(entries, 100);
  await assert.rejects(waiter.wait(entries, 10), /a wait is already in progress/);
  assert.deepEqual(await waiting, { kind: 'timeout' });
  for (const bad of [-2, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31]) {
    await assert.rejects(
      waiter.wait(entries, bad),
      (e: unknown) => e instanceof UsageError && e.message.includes(`not ${bad}`),
    );
  }
});

test('EINTR from the worker thread is retried for the time left', async (t) => {
  const { native, polls } = countingNative([EINTR]);
  const { waiter, source } = setup(t, native);
  const started = performance.now();
  assert.deepEqual(await waiter.wait([{ fd: source, events: POLLIN }], 300), { kind: 'timeout' });
  const elapsed = performance.now() - started;
  assert.equal(polls(), 2);
  assert.ok(elapsed >= 299 && elapsed < 600, `timed out after ${elapsed} ms`);
});

test('other poll errors reject the wait, named', async (t) => {
  const EBADF = 9;
  const { native } = countingNative([EBADF]);
  const { waiter, source } = setup(t, native);
  await assert.rejects(
    waiter.wait([{ fd: source, events: POLLIN }], 300),
    (e: unknown) => e instanceof NativeCallError && e.code === 'EBADF' && e.message === 'poll failed: EBADF',
  );
  assert.equal(waiter.busy, false);
});

test('close() during a wait: cancelled, and the eventfd is closed only after the poll returned', async () => {
  const before = openEventfds();
  const waiter = new FdWaiter();
  const source = eventfd();
  assert.equal(openEventfds(), before + 2);
  const waiting = waiter.wait([{ fd: source, events: POLLIN }], -1);
  await new Promise((r) => setTimeout(r, 30));
  waiter.close();
  assert.equal(openEventfds(), before + 2, 'still open while the worker may be polling it');
  assert.deepEqual(await waiting, { kind: 'cancelled' });
  assert.equal(openEventfds(), before + 1, "the waiter's eventfd is closed, the caller's fd is not");
  assert.deepEqual(await waiter.wait([{ fd: source, events: POLLIN }], -1), { kind: 'cancelled' });
  waiter.close();
  closeSync(source);
  assert.equal(openEventfds(), before);
});

test('a process whose endless wait was closed exits by itself', async (t) => {
  const waiterModule = fileURLToPath(new URL('../../../src/host/linux/fd-waiter.ts', import.meta.url));
  const nativeModule = fileURLToPath(new URL('../../../src/host/linux/native.ts', import.meta.url));
  // The child waits on an eventfd nobody writes, then closes the waiter: a poll left running would keep
  // its event loop alive forever.
  const script = `
    const { FdWaiter } = await import(${JSON.stringify(waiterModule)});
    const { loadNative } = await import(${JSON.stringify(nativeModule)});
    const fd = loadNative().calls.eventfd(0, 0);
    const waiter = new FdWaiter();
    waiter.wait([{ fd, events: 1 }], -1).then((r) => console.log(r.kind));
    setTimeout(() => waiter.close(), 100);
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const code = await new Promise<number | string | null>((resolve) => {
    const timer = setTimeout(() => resolve('still running after 10 s'), 10_000);
    child.once('exit', (c, signal) => {
      clearTimeout(timer);
      resolve(signal ?? c);
    });
  });
  assert.equal(code, 0);
  assert.equal(out, 'cancelled\n');
});

/** An eventfd as a PolledEventFd: 'kicked' once written to (the counter is read back to 0). */
class Kicked extends PolledEventFd<'kicked'> {
  constructor(
    readonly efd: number,
    waiter: FdWaiter,
  ) {
    super(`test eventfd ${efd}`, efd, POLLIN, waiter);
  }

  protected onReady(fd: number): 'kicked' {
    readSync(fd, Buffer.alloc(8), 0, 8, null);
    return 'kicked';
  }
}

/** Two Kicked sources, each with a waiter of its own it never polls on when they wait together. */
function kickedPair(t: { after: (fn: () => Promise<void>) => void }) {
  const pair = [eventfd(), eventfd()].map((fd) => new Kicked(fd, new FdWaiter()));
  t.after(async () => {
    for (const source of pair) source.close();
  });
  return pair as [Kicked, Kicked];
}

function isOpen(fd: number): boolean {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`) === 'anon_inode:[eventfd]';
  } catch {
    return false;
  }
}

test('waitTogether: two sources are ONE poll; the one kicked answers, the other times out', async (t) => {
  const { native, polls } = countingNative();
  const { waiter } = setup(t, native);
  const [a, b] = kickedPair(t);
  setTimeout(() => kick(b.efd), 80);
  const started = performance.now();
  assert.deepEqual(await waitTogether([a, b], waiter, 60_000), ['timeout', 'kicked']);
  assert.ok(performance.now() - started < 300);
  assert.equal(polls(), 1);
  // Both have left the poll: each can wait again, alone or together.
  assert.equal(await a.wait(20), 'timeout');
  assert.deepEqual(await waitTogether([a, b], waiter, 20), ['timeout', 'timeout']);
  assert.equal(polls(), 2, 'a.wait polled on its own waiter, not the counted one');
});

test('waitTogether: close() of one source ends the poll; its fd is closed once the poll has returned', async (t) => {
  const { waiter } = setup(t);
  const [a, b] = kickedPair(t);
  const together = waitTogether([a, b], waiter, 60_000);
  await new Promise((resolve) => setTimeout(resolve, 50));
  a.close();
  assert.equal(isOpen(a.efd), true, 'still open while the poll may look at it');
  const started = performance.now();
  assert.deepEqual(await together, ['gone', 'timeout']);
  assert.ok(performance.now() - started < 200);
  assert.equal(isOpen(a.efd), false);
  assert.equal(isOpen(b.efd), true);
});

test('waitTogether: a closed source answers gone at once and nothing is polled', async (t) => {
  const { native, polls } = countingNative();
  const { waiter } = setup(t, native);
  const [a, b] = kickedPair(t);
  b.close();
  assert.deepEqual(await waitTogether([a, b], waiter, 60_000), ['timeout', 'gone']);
  assert.equal(polls(), 0);
  assert.equal(await a.wait(10), 'timeout', 'a left the poll it joined');
});

/** A Kicked source whose reading of its revents fails (as a read of a gone eventfd would). */
class Failing extends Kicked {
  protected override onReady(): 'kicked' {
    throw new Error('cannot read the counter');
  }
}

test('waitTogether: when one source fails on its revents, every source still leaves the poll', async (t) => {
  const { waiter } = setup(t);
  const [a] = kickedPair(t);
  const failing = new Failing(eventfd(), new FdWaiter());
  t.after(() => failing.close());
  kick(failing.efd);
  kick(a.efd);
  await assert.rejects(waitTogether([failing, a], waiter, 1000), /cannot read the counter/);
  // a left too (it read its counter), so both wait again without "already in progress".
  assert.deepEqual(await waitTogether([a], waiter, 10), ['timeout']);
  readSync(failing.efd, Buffer.alloc(8), 0, 8, null);
  assert.equal(await failing.wait(10), 'timeout');
});

test('waitTogether: a source already in a wait is refused, and the others are left as they were', async (t) => {
  const { waiter } = setup(t);
  const [a, b] = kickedPair(t);
  const alone = b.wait(60_000);
  await assert.rejects(waitTogether([a, b], waiter, 10), /test eventfd \d+: wait\(\) already in progress/);
  assert.equal(waiter.busy, false);
  kick(b.efd);
  assert.equal(await alone, 'kicked');
  assert.deepEqual(await waitTogether([a, b], waiter, 10), ['timeout', 'timeout']);
});
