// koffi's bindings answer as the kernel does: results, or the negated errno (values from errno.h).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, readFileSync, readSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import {
  EFD_CLOEXEC,
  EFD_NONBLOCK,
  loadNative,
  NativeCallError,
  POLLIN,
  POLLNVAL,
} from '../../src/host/linux/native.js';

const ESRCH = 3;
const EBADF = 9;
const EINVAL = 22;
const POLLOUT = 0x4; // poll.h

function calls() {
  const load = loadNative();
  assert.ok(load.ok, load.ok ? '' : load.reason);
  return load.calls;
}

test('loadNative loads once', () => {
  assert.equal(loadNative(), loadNative());
});

test('pidfd_open: ESRCH above any pid_max, EINVAL for PID -1, an fd for ourselves', () => {
  const native = calls();
  assert.equal(native.pidfdOpen(4_194_305), -ESRCH); // PID_MAX_LIMIT + 1
  assert.equal(native.pidfdOpen(-1), -EINVAL);
  const fd = native.pidfdOpen(process.pid);
  assert.ok(fd >= 0);
  try {
    assert.match(
      readFileSync(`/proc/self/fdinfo/${fd}`, 'latin1'),
      new RegExp(`^Pid:\\s+${process.pid}$`, 'm'),
    );
    assert.equal(native.pidfdSendSignal(fd, 0), 0, 'signal 0 only checks');
    assert.equal(native.processMrelease(fd), -EINVAL, 'we are not dying');
    assert.equal(native.poll(fd, POLLIN, 0), 0, 'we have not exited');
  } finally {
    closeSync(fd);
  }
  assert.equal(native.pidfdSendSignal(fd, 0), -EBADF);
});

test('a pidfd polls readable once its process exited', async () => {
  const native = calls();
  const child = spawn('sleep', ['0.05']);
  const fd = native.pidfdOpen(child.pid as number);
  assert.ok(fd >= 0);
  try {
    assert.equal(native.poll(fd, POLLIN, 0), 0);
    await new Promise((resolve) => child.once('exit', resolve));
    // Reaped by now: newer kernels add POLLHUP; POLLIN is the part alive() relies on.
    assert.equal(native.poll(fd, POLLIN, 0) & POLLIN, POLLIN);
  } finally {
    closeSync(fd);
  }
});

test('pollAsync waits on a worker thread: 0 on timeout, POLLIN once the child exits', async () => {
  const native = calls();
  const child = spawn('sleep', ['0.4']);
  const fd = native.pidfdOpen(child.pid as number);
  assert.ok(fd >= 0);
  try {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    assert.equal(await native.pollAsync(fd, POLLIN, 150), 0);
    clearInterval(timer);
    assert.ok(ticks >= 5, `${ticks} timer ticks during a 150 ms poll: the event loop was blocked`);
    assert.equal((await native.pollAsync(fd, POLLIN, 5000)) & POLLIN, POLLIN);
  } finally {
    closeSync(fd);
  }
});

/** uint64 n, as eventfd reads and writes its counter (little-endian here). */
function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
}

function newEventfd(initval = 0): number {
  const fd = calls().eventfd(initval, EFD_NONBLOCK | EFD_CLOEXEC);
  assert.ok(fd >= 0, `eventfd: ${fd}`);
  return fd;
}

test('eventfd: the flags land in fdinfo; the counter adds writes and a read takes it back to 0', () => {
  const native = calls();
  assert.equal(EFD_NONBLOCK, 0o4000);
  assert.equal(EFD_CLOEXEC, 0o2000000);
  assert.equal(native.eventfd(0, -1), -EINVAL);
  const fd = native.eventfd(2, EFD_NONBLOCK | EFD_CLOEXEC);
  assert.ok(fd >= 0);
  try {
    const info = readFileSync(`/proc/self/fdinfo/${fd}`, 'latin1');
    // fdinfo flags are octal: O_RDWR (2) | O_NONBLOCK | O_CLOEXEC.
    assert.equal(Number.parseInt(/^flags:\s+([0-7]+)$/m.exec(info)?.[1] ?? '', 8), 0o2004002);
    assert.match(info, /^eventfd-count:\s+2$/m);
    assert.equal(native.poll(fd, POLLIN, 0), POLLIN);
    writeSync(fd, u64(5));
    const got = Buffer.alloc(8);
    assert.equal(readSync(fd, got, 0, 8, null), 8);
    assert.equal(got.readBigUInt64LE(), 7n);
    assert.equal(native.poll(fd, POLLIN, 0), 0);
    assert.throws(() => readSync(fd, got, 0, 8, null), /EAGAIN/, 'non-blocking at 0');
  } finally {
    closeSync(fd);
  }
});

test('pollManyAsync: the revents of each entry in order, 0s on timeout, -1 waits for the event', async () => {
  const native = calls();
  const a = newEventfd(0);
  const b = newEventfd(1);
  try {
    assert.deepEqual(
      await native.pollManyAsync(
        [
          { fd: a, events: POLLIN },
          { fd: b, events: POLLIN },
          { fd: a, events: POLLOUT },
        ],
        1000,
      ),
      [0, POLLIN, POLLOUT],
    );
    const started = performance.now();
    assert.deepEqual(await native.pollManyAsync([{ fd: a, events: POLLIN }], 120), [0]);
    assert.ok(performance.now() - started >= 119);

    const notOpen = 999_999;
    const nvalStart = performance.now();
    assert.deepEqual(
      await native.pollManyAsync(
        [
          { fd: a, events: POLLIN },
          { fd: notOpen, events: POLLIN },
        ],
        -1,
      ),
      [0, POLLNVAL],
      'an fd that is not open answers POLLNVAL, which ends even an endless poll',
    );
    assert.ok(performance.now() - nvalStart < 100);

    setTimeout(() => writeSync(a, u64(1)), 80);
    const writeStart = performance.now();
    assert.deepEqual(await native.pollManyAsync([{ fd: a, events: POLLIN }], -1), [POLLIN]);
    assert.ok(performance.now() - writeStart >= 79);
  } finally {
    closeSync(a);
    closeSync(b);
  }
});

test('pollManyAsync rejects with the errno of the worker thread: EINVAL above RLIMIT_NOFILE entries', async () => {
  const soft = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'latin1'))?.[1];
  assert.ok(soft, 'RLIMIT_NOFILE in /proc/self/limits');
  // Negative fds are skipped by poll(), but still count against the limit on nfds.
  const entries = Array.from({ length: Number(soft) + 1 }, () => ({ fd: -1, events: POLLIN }));
  await assert.rejects(
    calls().pollManyAsync(entries, 0),
    (e: unknown) => e instanceof NativeCallError && e.code === 'EINVAL' && e.errno === EINVAL,
  );
  assert.deepEqual(
    await calls().pollManyAsync(entries.slice(1), 0),
    entries.slice(1).map(() => 0),
  );
});

test('koffi polls occupy libuv threadpool threads: 3 leave fs.promises one, 4 stall it', {
  skip: process.env.UV_THREADPOOL_SIZE ? 'UV_THREADPOOL_SIZE is set: the pool is not the default 4' : false,
}, async () => {
  const native = calls();
  const fds = [newEventfd(), newEventfd(), newEventfd(), newEventfd()];
  const polls: Promise<number[]>[] = [];
  try {
    // Three endless polls: a file read still completes at once on the fourth thread.
    polls.push(...fds.slice(0, 3).map((fd) => native.pollManyAsync([{ fd, events: POLLIN }], -1)));
    let started = performance.now();
    await readFile('/proc/self/stat');
    assert.ok(performance.now() - started < 500, `readFile took ${performance.now() - started} ms`);
    // A fourth poll of 400 ms takes the last thread: the read waits for it.
    polls.push(native.pollManyAsync([{ fd: fds[3] as number, events: POLLIN }], 400));
    started = performance.now();
    await readFile('/proc/self/stat');
    const stalled = performance.now() - started;
    assert.ok(stalled >= 300, `readFile took ${stalled} ms with 4 polls running: the pool is not 4 threads?`);
    assert.deepEqual(await polls[3], [0]);
    for (const fd of fds.slice(0, 3)) writeSync(fd, u64(1));
    assert.deepEqual(await Promise.all(polls.slice(0, 3)), [[POLLIN], [POLLIN], [POLLIN]]);
  } finally {
    // Wake every poll and let it return before its fd is closed, also when an assertion failed.
    for (const fd of fds) writeSync(fd, u64(1));
    await Promise.allSettled(polls);
    for (const fd of fds) closeSync(fd);
  }
});
