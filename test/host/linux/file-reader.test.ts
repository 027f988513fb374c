// ProcFiles: the process scan's reader of /proc/PID files, through koffi's openat on a kept directory fd or
// through node:fs, with the same answers: the bytes, GONE for a process that is gone, HostReadError otherwise.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FileReader, GONE, ProcFiles } from '../../../src/host/linux/file-reader.js';
import { loadNative, type NativeFileCalls } from '../../../src/host/linux/native.js';
import { HostReadError } from '../../../src/model/errors.js';

const ENOENT = 2;
const ESRCH = 3;
const EACCES = 13;

function nativeFiles(): NativeFileCalls {
  const load = loadNative();
  assert.ok(load.ok, load.ok ? '' : load.reason);
  return load.calls;
}

/** A fake proc directory: pids 7, 42 and 1234567 with files, and entries that are not processes. */
function procTree(t: { after(fn: () => void): void }): string {
  const root = mkdtempSync(join(tmpdir(), 'oomguard-procfiles-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const proc = join(root, 'proc');
  for (const pid of ['7', '42', '1234567']) mkdirSync(join(proc, pid), { recursive: true });
  writeFileSync(join(proc, '7/stat'), '7 (sleep) S 1 7 7 0 -1 4194304\n');
  writeFileSync(join(proc, '7/oom_score_adj'), '-17\n');
  writeFileSync(join(proc, '42/status'), 'x'.repeat(200_000)); // longer than the reader's first buffer
  mkdirSync(join(proc, '42/oom_score_adj')); // a directory where a file belongs
  writeFileSync(join(proc, '1234567/cgroup'), '0::/a\n');
  writeFileSync(join(proc, 'meminfo'), 'MemTotal: 1024 kB\n');
  mkdirSync(join(proc, 'sys'));
  mkdirSync(join(proc, '12ab'));
  symlinkSync('7', join(proc, 'self'));
  return proc;
}

for (const how of ['openat through koffi', 'node:fs'] as const) {
  test(`${how}: the bytes of each file, GONE when absent, HostReadError naming file and errno`, (t) => {
    const proc = procTree(t);
    const reader = new FileReader();
    const files = new ProcFiles(reader, proc, how === 'node:fs' ? null : nativeFiles());
    t.after(() => files.close());
    assert.equal(files.direct, how !== 'node:fs');
    const text = (length: number) => reader.buf.toString('latin1', 0, length);

    files.at(7);
    assert.equal(text(files.read('stat')), '7 (sleep) S 1 7 7 0 -1 4194304\n');
    assert.equal(text(files.read('oom_score_adj')), '-17\n');
    assert.equal(files.read('status'), GONE);
    assert.equal(files.filePath('status'), `${proc}/7/status`);

    files.at(42);
    const length = files.read('status');
    assert.equal(length, 200_000);
    assert.equal(text(length), readFileSync(join(proc, '42/status'), 'latin1'));
    assert.throws(
      () => files.read('oom_score_adj'),
      (e: unknown) =>
        e instanceof HostReadError && e.message === `cannot read ${proc}/42/oom_score_adj: EISDIR`,
    );

    files.at(1234567);
    assert.equal(text(files.read('cgroup')), '0::/a\n');
    files.at(8);
    assert.equal(files.read('stat'), GONE);

    const listed = files.listPids();
    if (how === 'node:fs') assert.equal(listed, null);
    else
      assert.deepEqual(
        listed?.sort((a, b) => a - b),
        [7, 42, 1234567],
      );
    // Listing again rewinds the directory.
    if (how !== 'node:fs')
      assert.deepEqual(
        files.listPids()?.sort((a, b) => a - b),
        [7, 42, 1234567],
      );
  });
}

test('forEachPid: every pid of a listing longer than one buffer, each read as it is listed', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'oomguard-procfiles-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  // 600 entries of 32 bytes or more: several getdents64 calls of the 4 KiB buffer.
  const made: number[] = [];
  for (let pid = 100_000; pid < 100_600; pid++) {
    mkdirSync(join(root, String(pid)));
    writeFileSync(join(root, `${pid}/oom_score_adj`), `${pid % 1000}\n`);
    made.push(pid);
  }
  mkdirSync(join(root, 'sys'));
  const reader = new FileReader();
  const files = new ProcFiles(reader, root, nativeFiles());
  t.after(() => files.close());
  const seen = new Map<number, string>();
  assert.equal(
    files.forEachPid((pid) => {
      files.at(pid);
      seen.set(pid, reader.buf.toString('latin1', 0, files.read('oom_score_adj')));
    }),
    true,
  );
  assert.deepEqual(
    [...seen.keys()].sort((a, b) => a - b),
    made,
  );
  assert.equal(seen.get(100_042), '42\n');
  assert.equal(seen.get(100_599), '599\n');
  // Without the native calls the caller lists the directory itself.
  assert.equal(
    new ProcFiles(reader, root, null).forEachPid(() => assert.fail('no visit')),
    false,
  );
});

test('errno from the native calls: ENOENT and ESRCH are a process gone, any other names the file', (t) => {
  const real = nativeFiles();
  let openErrno = 0;
  let readErrno = 0;
  const closed: number[] = [];
  const fake: NativeFileCalls = {
    ...real,
    openat: (dirfd, path, flags) => (openErrno ? -openErrno : real.openat(dirfd, path, flags)),
    read: (fd, buf) => (readErrno ? -readErrno : real.read(fd, buf)),
    close: (fd) => {
      closed.push(fd);
      return real.close(fd);
    },
  };
  const proc = procTree(t);
  const files = new ProcFiles(new FileReader(), proc, fake);
  t.after(() => files.close());
  files.at(7);
  readErrno = ESRCH; // the task exited between open and read
  assert.equal(files.read('stat'), GONE);
  assert.equal(closed.length, 1); // the fd is closed all the same
  readErrno = EACCES;
  assert.throws(
    () => files.read('stat'),
    (e: unknown) => e instanceof HostReadError && e.message === `cannot read ${proc}/7/stat: EACCES`,
  );
  assert.equal(closed.length, 2);
  readErrno = 0;
  openErrno = ENOENT;
  assert.equal(files.read('stat'), GONE);
  openErrno = EACCES;
  assert.throws(
    () => files.read('oom_score_adj'),
    (e: unknown) => e instanceof HostReadError && e.message === `cannot read ${proc}/7/oom_score_adj: EACCES`,
  );
  assert.equal(closed.length, 2); // nothing opened, nothing closed
});

test('the real /proc: this process reads as node:fs reads it, and lists itself', (t) => {
  const reader = new FileReader();
  const files = new ProcFiles(reader, '/proc', nativeFiles());
  t.after(() => files.close());
  files.at(process.pid);
  const length = files.read('oom_score_adj');
  assert.equal(
    reader.buf.toString('latin1', 0, length),
    readFileSync(`/proc/${process.pid}/oom_score_adj`, 'latin1'),
  );
  const stat = reader.buf.toString('latin1', 0, files.read('stat'));
  assert.ok(stat.startsWith(`${process.pid} (`), stat);
  const pids = files.listPids() ?? [];
  assert.ok(pids.includes(process.pid));
  assert.deepEqual(
    pids,
    [...pids].sort((a, b) => a - b),
    'procfs lists pids in ascending order',
  );
});

test('FileReader with libc pread: the same bytes as node:fs, a kept file re-read from its start, files past the first buffer', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'oomguard-pread-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const small = join(dir, 'meminfo');
  const big = join(dir, 'big');
  writeFileSync(small, 'MemTotal: 1024 kB\n');
  // Varied bytes: a read at the wrong offset past the first 64 KiB buffer would not give them back.
  const bigText = Array.from({ length: 30_000 }, (_, i) => String(i).padStart(5, '0')).join('');
  writeFileSync(big, bigText);
  const viaPread = new FileReader(nativeFiles());
  const viaFs = new FileReader();
  t.after(() => {
    viaPread.close();
    viaFs.close();
  });
  for (const reader of [viaPread, viaFs]) {
    assert.equal(reader.text(reader.readKept(small)), 'MemTotal: 1024 kB\n');
    writeFileSync(small, 'MemTotal: 2048 kB\n'); // same length: the kept fd reads it anew from offset 0
    assert.equal(reader.text(reader.readKept(small)), 'MemTotal: 2048 kB\n');
    writeFileSync(small, 'MemTotal: 1024 kB\n');
    assert.equal(reader.readKept(big), 150_000);
    assert.equal(reader.text(150_000), bigText);
    assert.equal(reader.readKept(join(dir, 'absent')), GONE);
  }
});

test('FileReader with libc pread: errno from pread is GONE where the file may be missing, else names the file', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'oomguard-pread-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'pressure');
  writeFileSync(file, 'some avg10=0.00\n');
  let errno = 0;
  const real = nativeFiles();
  const reader = new FileReader({
    pread: (fd, buf, offset) => (errno ? -errno : real.pread(fd, buf, offset)),
  });
  t.after(() => reader.close());
  assert.equal(reader.readKept(file), 16);
  errno = 95; // EOPNOTSUPP: PSI compiled in but off at boot
  assert.equal(reader.readKept(file), GONE);
  errno = EACCES;
  assert.throws(
    () => reader.readKept(file),
    (e: unknown) => e instanceof HostReadError && e.message === `cannot read ${file}: EACCES`,
  );
  errno = ESRCH; // a per-process file whose task exited between open and read
  assert.equal(reader.read(file, true), GONE);
});
