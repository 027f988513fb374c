// koffi's bindings answer as the kernel does: results, or the negated errno (values from errno.h).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { loadNative, POLLIN } from '../../src/host/linux/native.js';

const ESRCH = 3;
const EBADF = 9;
const EINVAL = 22;

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
