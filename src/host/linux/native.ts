// The only module that loads koffi. Loaded lazily and synchronously on first use, so importing this file
// on a machine without koffi (or without a prebuilt binary for it) costs nothing and crashes nothing:
// loadNative() then says why, and callers fall back.
import { createRequire } from 'node:module';
import { constants as osConstants } from 'node:os';

type Koffi = typeof import('koffi');
type KoffiFunction = ReturnType<ReturnType<Koffi['load']>['func']>;

// Syscall numbers shared by x86-64 and arm64 (the generic table took them over unchanged).
const SYS_PIDFD_SEND_SIGNAL = 424;
const SYS_PIDFD_OPEN = 434;
const SYS_PROCESS_MRELEASE = 448;

export const POLLIN = 0x1;
export const POLLPRI = 0x2;
export const POLLERR = 0x8;
export const POLLHUP = 0x10;
export const POLLNVAL = 0x20;

/** eventfd(2) flags: the values of O_NONBLOCK and O_CLOEXEC, the same on x86-64 and arm64. */
export const EFD_NONBLOCK = 0o4000;
export const EFD_CLOEXEC = 0o2000000;

/** Every call returns its non-negative result, or the negated errno (kernel style) when it failed. */
export interface NativeCalls {
  /** pidfd_open(pid, 0): a pidfd. */
  pidfdOpen(pid: number): number;
  /** pidfd_send_signal(pidfd, signo, NULL, 0): 0. */
  pidfdSendSignal(pidfd: number, signo: number): number;
  /** process_mrelease(pidfd, 0): 0. */
  processMrelease(pidfd: number): number;
  /** poll() on one fd without blocking the caller for longer than timeoutMs: the revents. */
  poll(fd: number, events: number, timeoutMs: number): number;
  /** The same poll() on koffi's worker thread, so the event loop keeps running meanwhile. */
  pollAsync(fd: number, events: number, timeoutMs: number): Promise<number>;
  /** getxattr(path, name): the value as text (up to XATTR_VALUE_MAX bytes), or the negated errno (-ENODATA: none). */
  getxattr(path: string, name: string): string | number;
}

export interface PollEntry {
  readonly fd: number;
  /** POLLIN, POLLPRI, ...: what to wait for; POLLERR, POLLHUP and POLLNVAL are reported regardless. */
  readonly events: number;
}

/**
 * The calls behind waits that need no timer (FdWaiter). Kept apart from NativeCalls so that stand-ins
 * written for NativeCalls stay complete.
 */
export interface NativeWaitCalls {
  /** eventfd(initval, flags): an fd whose 8-byte counter wakes poll() with POLLIN while it is non-zero. */
  eventfd(initval: number, flags: number): number;
  /**
   * poll() over all entries on koffi's worker thread, timeoutMs -1 for none: the revents of each entry, in
   * order (all 0 on timeout). Rejects with a NativeCallError (EINTR when a signal hit the worker thread).
   *
   * The worker is a libuv threadpool thread (koffi queues napi async work), and the pool has 4 threads
   * unless UV_THREADPOOL_SIZE says otherwise: while 4 polls are waiting, fs.promises, dns.lookup and zlib
   * wait too. Poll once for several fds rather than once per fd.
   */
  pollManyAsync(entries: readonly PollEntry[], timeoutMs: number): Promise<number[]>;
}

/**
 * open/read/close through libc for the process scan's many small /proc files (src/host/linux/file-reader.ts):
 * a path written as bytes into a reused buffer, relative to a kept directory fd, costs no string per file.
 */
export interface NativeFileCalls {
  /** openat(dirfd, path, flags): an fd. `path` holds NUL-terminated bytes. */
  openat(dirfd: number, path: Uint8Array, flags: number): number;
  /** read(fd, buf, buf.length): the bytes read (0 at the end). */
  read(fd: number, buf: Uint8Array): number;
  /** close(fd): 0. */
  close(fd: number): number;
  /** getdents64(fd, buf, buf.length): bytes of struct linux_dirent64 records (0 at the end). */
  getdents64(fd: number, buf: Uint8Array): number;
  /** lseek(fd, offset, SEEK_SET): the new offset. */
  seekSet(fd: number, offset: number): number;
  /** pread(fd, buf, buf.length, offset): the bytes read (0 at the end). */
  pread(fd: number, buf: Uint8Array, offset: number): number;
}

/** open(2) flags, the same on x86-64 and arm64: O_RDONLY | O_CLOEXEC. */
export const O_RDONLY_CLOEXEC = 0o2000000;

/** A native call that failed with errno. */
export class NativeCallError extends Error {
  /** The errno name, e.g. EINTR (or "errno N" for one Node does not name). */
  readonly code: string;
  constructor(
    readonly call: string,
    readonly errno: number,
  ) {
    const code = errnoName(errno);
    super(`${call} failed: ${code}`);
    this.name = 'NativeCallError';
    this.code = code;
  }
}

let errnoNames: Map<number, string> | null = null;

/** "EINTR" for 4: the name errno.h gives a (positive) errno value. */
export function errnoName(errno: number): string {
  errnoNames ??= new Map(Object.entries(osConstants.errno).map(([name, value]) => [value, name]));
  return errnoNames.get(errno) ?? `errno ${errno}`;
}

/** Longest extended-attribute value read; the oomd xattrs hold a few bytes ("1"). */
const XATTR_VALUE_MAX = 256;

export type NativeLoad =
  | { readonly ok: true; readonly calls: NativeCalls & NativeWaitCalls & NativeFileCalls }
  | { readonly ok: false; readonly reason: string };

let cached: NativeLoad | null = null;

/** koffi's bindings to libc, loaded once; { ok: false, reason } when they cannot be loaded here. */
export function loadNative(): NativeLoad {
  cached ??= tryLoad();
  return cached;
}

function tryLoad(): NativeLoad {
  if (process.platform !== 'linux') return { ok: false, reason: `not Linux (${process.platform})` };
  try {
    const koffi = createRequire(import.meta.url)('koffi') as Koffi;
    return { ok: true, calls: bind(koffi) };
  } catch (error) {
    return { ok: false, reason: `koffi could not be loaded: ${(error as Error).message}` };
  }
}

function bind(koffi: Koffi): NativeCalls & NativeWaitCalls & NativeFileCalls {
  const libc = koffi.load('libc.so.6');
  const syscall = libc.func('long syscall(long nr, ...)');
  const poll = libc.func('int poll(void *fds, unsigned long nfds, int timeout)');
  const eventfd = libc.func('int eventfd(unsigned int initval, int flags)');
  const getxattr = libc.func(
    'long getxattr(const char *path, const char *name, void *value, unsigned long size)',
  );
  const openat = libc.func('int openat(int dirfd, const void *path, int flags)');
  const read = libc.func('long read(int fd, void *buf, unsigned long count)');
  const close = libc.func('int close(int fd)');
  const getdents64 = libc.func('long getdents64(int fd, void *buf, unsigned long count)');
  const lseek = libc.func('long lseek(int fd, long offset, int whence)');
  const pread = libc.func('long pread(int fd, void *buf, unsigned long count, long offset)');
  // errno must be read right after the call, before anything else can touch it.
  const result = (value: number): number => (value < 0 ? -koffi.errno() : value);
  return {
    pidfdOpen: (pid) => result(syscall(SYS_PIDFD_OPEN, 'int', pid, 'uint', 0)),
    pidfdSendSignal: (pidfd, signo) =>
      result(syscall(SYS_PIDFD_SEND_SIGNAL, 'int', pidfd, 'int', signo, 'void *', null, 'uint', 0)),
    processMrelease: (pidfd) => result(syscall(SYS_PROCESS_MRELEASE, 'int', pidfd, 'uint', 0)),
    poll: (fd, events, timeoutMs) => {
      const fds = pollFds([{ fd, events }]);
      const ready = result(poll(fds, 1, timeoutMs));
      return ready < 0 ? ready : fds.readInt16LE(6);
    },
    pollAsync: async (fd, events, timeoutMs) =>
      (await pollManyAsync(koffi, poll, [{ fd, events }], timeoutMs))[0] ?? 0,
    eventfd: (initval, flags) => result(eventfd(initval, flags)),
    pollManyAsync: (entries, timeoutMs) => pollManyAsync(koffi, poll, entries, timeoutMs),
    openat: (dirfd, path, flags) => result(openat(dirfd, path, flags)),
    read: (fd, buf) => result(read(fd, buf, buf.length)),
    close: (fd) => result(close(fd)),
    getdents64: (fd, buf) => result(getdents64(fd, buf, buf.length)),
    seekSet: (fd, offset) => result(lseek(fd, offset, 0)),
    pread: (fd, buf, offset) => result(pread(fd, buf, buf.length, offset)),
    getxattr: (path, name) => {
      const value = Buffer.alloc(XATTR_VALUE_MAX);
      const length = result(getxattr(path, name, value, value.length));
      return length < 0 ? length : value.toString('utf8', 0, length);
    },
  };
}

/** An array of struct pollfd { int fd; short events; short revents; }. */
function pollFds(entries: readonly PollEntry[]): Buffer {
  const fds = Buffer.alloc(8 * entries.length);
  entries.forEach(({ fd, events }, i) => {
    fds.writeInt32LE(fd, 8 * i);
    fds.writeInt16LE(events, 8 * i + 4);
  });
  return fds;
}

function pollManyAsync(
  koffi: Koffi,
  poll: KoffiFunction,
  entries: readonly PollEntry[],
  timeoutMs: number,
): Promise<number[]> {
  // `fds` stays referenced by this closure until the callback ran, so the worker writes into live memory.
  const fds = pollFds(entries);
  return new Promise<number[]>((resolve, reject) => {
    poll.async(fds, entries.length, timeoutMs, (error: unknown, ready: number) => {
      if (error) reject(error);
      // koffi hands the worker thread's errno back for the length of this callback.
      else if (ready < 0)
        reject(new NativeCallError(`poll(${entries.map((e) => e.fd).join(', ')})`, koffi.errno()));
      else resolve(entries.map((_, i) => fds.readInt16LE(8 * i + 6)));
    });
  });
}

/** libsystemd's sd_notify(3): > 0 sent, 0 no NOTIFY_SOCKET, < 0 the negated errno. */
export type SdNotifyCall = (state: string) => number;

export type SystemdLoad =
  | { readonly ok: true; readonly sdNotify: SdNotifyCall }
  | { readonly ok: false; readonly reason: string };

let systemdCached: SystemdLoad | null = null;

/** sd_notify from libsystemd.so.0, loaded once; { ok: false, reason } where there is no libsystemd. */
export function loadSystemd(): SystemdLoad {
  systemdCached ??= tryLoadSystemd();
  return systemdCached;
}

function tryLoadSystemd(): SystemdLoad {
  if (process.platform !== 'linux') return { ok: false, reason: `not Linux (${process.platform})` };
  try {
    const koffi = createRequire(import.meta.url)('koffi') as Koffi;
    const sdNotify = koffi
      .load('libsystemd.so.0')
      .func('int sd_notify(int unset_environment, const char *state)');
    // unset_environment 0: the watchdog keeps using NOTIFY_SOCKET after READY=1.
    return { ok: true, sdNotify: (state) => sdNotify(0, state) };
  } catch (error) {
    return { ok: false, reason: `libsystemd.so.0 could not be loaded: ${(error as Error).message}` };
  }
}
