// The kernel log watcher, driven through a pipe in packet mode (pipe2 O_DIRECT: one record per read(), as
// /dev/kmsg gives them). Fake OOM reports are never written to the real /dev/kmsg: other tests and tools on
// this machine read the kernel log and would take them for real kills.
import assert from 'node:assert/strict';
import { closeSync, constants, readdirSync, readFileSync, readlinkSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { KmsgWatcher } from '../../../src/host/linux/kmsg-watch.js';
import { HostReadError, OomguardError } from '../../../src/model/errors.js';
import { parseOomReports } from '../../../src/postmortem/parse.js';
import type { OomReport } from '../../../src/postmortem/report.js';
import { countingNative } from '../../helpers/native-calls.js';

const FIXTURE = new URL('../../fixtures/oom-reports/linux-6.8-global-tie-dmesg.log', import.meta.url);
const F_SETPIPE_SZ = 1031; // fcntl.h
const O_CLOEXEC = 0o2000000; // not in fs.constants

/** libc's pipe2 and fcntl through koffi: Node makes no pipes in packet mode. Test-only. */
function libc() {
  const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
  const lib = koffi.load('libc.so.6');
  return {
    pipe2: lib.func('int pipe2(_Out_ int *fds, int flags)'),
    fcntl: lib.func('int fcntl(int fd, int cmd, ...)'),
  };
}

interface FakeKmsg {
  /** What the watcher opens: a new reader of the pipe. */
  readonly path: string;
  /** How many of our fds are this pipe: the test's two ends, plus the watcher's reader while it runs. */
  fds(): number;
  /** Writes each line "[  s.us] message" as one record "6,seq,us,-;message". */
  writeLines(lines: readonly string[]): void;
  /** Closes the only writer: the pipe ends. */
  hangUp(): void;
}

function fakeKmsg(t: { after: (fn: () => void) => void }): FakeKmsg {
  const { pipe2, fcntl } = libc();
  const fds = [-1, -1];
  // Non-blocking, so that a full pipe fails the test instead of blocking the event loop the reader runs on.
  assert.equal(pipe2(fds, constants.O_DIRECT | constants.O_NONBLOCK | O_CLOEXEC), 0);
  const [readEnd, writeEnd] = fds as [number, number];
  // In packet mode each record takes a page of the pipe: 256 of them, room for several reports.
  assert.equal(fcntl(writeEnd, F_SETPIPE_SZ, 'int', 1 << 20), 1 << 20);
  let writerOpen = true;
  t.after(() => {
    closeSync(readEnd);
    if (writerOpen) closeSync(writeEnd);
  });
  let seq = 0;
  const pipe = readlinkSync(`/proc/self/fd/${readEnd}`);
  return {
    path: `/proc/self/fd/${readEnd}`,
    fds: () => openLinks().filter((l) => l === pipe).length,
    writeLines(lines) {
      for (const line of lines) {
        const m = /^\[\s*(\d+)\.(\d{6})\] (.*)$/.exec(line);
        assert.ok(m, `not a dmesg line: ${line}`);
        const record = `6,${++seq},${m[1]}${m[2]},-;${m[3]}\n`;
        assert.equal(writeSync(writeEnd, record), Buffer.byteLength(record));
      }
    },
    hangUp() {
      closeSync(writeEnd);
      writerOpen = false;
    },
  };
}

/** Where our open fds point. */
function openLinks(): string[] {
  return readdirSync('/proc/self/fd').map((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      return ''; // the directory fd readdir used, closed by now
    }
  });
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('skips the records already there; a report written afterwards arrives whole, as dmesg decodes it', async (t) => {
  const text = readFileSync(FIXTURE, 'utf8').trimEnd();
  const lines = text.split('\n');
  const expected = parseOomReports(text);
  assert.equal(expected.length, 1);
  const kmsg = fakeKmsg(t);
  kmsg.writeLines(lines); // before start: history the watcher must not report

  const { native, polls } = countingNative();
  const watcher = new KmsgWatcher({ path: kmsg.path, native });
  t.after(() => watcher.stop());
  const reports: OomReport[] = [];
  const errors: Error[] = [];
  watcher.start(
    (r) => reports.push(r),
    (e) => errors.push(e),
  );
  await sleep(100);
  assert.deepEqual(reports, []);
  assert.equal(polls(), 1, 'one poll, still waiting');

  // The report in two parts: the first wakes the watcher without completing anything.
  const split = lines.findIndex((l) => l.includes('oom-kill:constraint='));
  kmsg.writeLines(lines.slice(0, split));
  await until(() => polls() === 2, 1000, 'a wake-up for the first part');
  assert.deepEqual(reports, []);
  kmsg.writeLines(lines.slice(split));
  await until(() => reports.length > 0, 1000, 'the report');
  assert.deepEqual(reports, expected);
  assert.equal(expected[0]?.killed[0]?.pid, 7002, 'the fixture kills pid 7002');
  assert.deepEqual(errors, []);
});

test('idle, the watcher sits in one poll; stop() ends it at once and closes the pipe', async (t) => {
  const kmsg = fakeKmsg(t);
  const { native, polls, eventfdsOpen } = countingNative();
  const watcher = new KmsgWatcher({ path: kmsg.path, native });
  const errors: Error[] = [];
  watcher.start(
    () => assert.fail('no report'),
    (e) => errors.push(e),
  );
  assert.equal(kmsg.fds(), 3, "the test's two ends and the watcher's reader");
  assert.equal(eventfdsOpen(), 1);
  await sleep(1500);
  assert.equal(polls(), 1, 'polls started in 1.5 s of silence');
  watcher.stop();
  // The reader stays open until the worker's poll has returned, which the eventfd makes immediate.
  assert.equal(kmsg.fds(), 3);
  await until(() => kmsg.fds() === 2 && eventfdsOpen() === 0, 100, "the watcher's fds closed after stop()");
  assert.equal(polls(), 1);
  assert.deepEqual(errors, []);
  watcher.stop(); // idempotent
});

test('the writer hanging up stops the watcher with one error, and no busy polling', async (t) => {
  const kmsg = fakeKmsg(t);
  const { native, polls, eventfdsOpen } = countingNative();
  const watcher = new KmsgWatcher({ path: kmsg.path, native });
  t.after(() => watcher.stop());
  const errors: Error[] = [];
  watcher.start(
    () => assert.fail('no report'),
    (e) => errors.push(e),
  );
  kmsg.writeLines(['[    1.000000] something unrelated']);
  await until(() => polls() === 2, 1000, 'the wake-up for one record');
  kmsg.hangUp();
  await until(() => errors.length > 0, 1000, 'the error');
  await sleep(100);
  assert.equal(errors.length, 1);
  assert.ok(errors[0] instanceof HostReadError);
  assert.equal(errors[0].message, `${kmsg.path} ended (end of file)`);
  assert.equal(polls(), 2);
  assert.equal(kmsg.fds(), 1, "only the test's read end is left");
  assert.equal(eventfdsOpen(), 0);
  // Stopped for good: a new start() is not "already running", and follows the pipe's new writer... of which
  // there is none: it ends again at once.
  watcher.start(
    () => assert.fail('no report'),
    (e) => errors.push(e),
  );
  await until(() => errors.length === 2, 1000, 'the second error');
  assert.equal(errors[1]?.message, `${kmsg.path} ended (end of file)`);
});

test('start: open and read failures are clear, and leave no fd behind', () => {
  const { native, eventfdsOpen } = countingNative();
  assert.throws(
    () => new KmsgWatcher({ path: '/nonexistent/kmsg', native }).start(() => undefined),
    (e: unknown) => e instanceof HostReadError && e.message === 'cannot open /nonexistent/kmsg: ENOENT',
  );
  const before = openLinks().filter((l) => l === '/proc').length;
  assert.throws(
    () => new KmsgWatcher({ path: '/proc', native }).start(() => undefined),
    (e: unknown) => e instanceof HostReadError && e.message === 'reading the kernel log failed: EISDIR',
  );
  assert.equal(openLinks().filter((l) => l === '/proc').length, before);
  assert.equal(eventfdsOpen(), 0);
});

test('the real /dev/kmsg: starts at its end, waits, stops cleanly', {
  skip: process.getuid?.() === 0 ? false : 'needs root to read /dev/kmsg (dmesg_restrict)',
}, async () => {
  const { native, eventfdsOpen } = countingNative();
  const kmsgFds = () => openLinks().filter((l) => l === '/dev/kmsg').length;
  const before = kmsgFds();
  const watcher = new KmsgWatcher({ native });
  const errors: Error[] = [];
  watcher.start(
    () => undefined,
    (e) => errors.push(e),
  );
  assert.throws(
    () => watcher.start(() => undefined),
    (e: unknown) => e instanceof OomguardError && /already running/.test(e.message),
  );
  assert.equal(kmsgFds(), before + 1);
  await sleep(300);
  watcher.stop();
  await until(() => kmsgFds() === before && eventfdsOpen() === 0, 100, 'the log closed after stop()');
  assert.deepEqual(errors, []);
});
