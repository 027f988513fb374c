// Reads small kernel files into one reused Buffer: fds kept open for the files read every look (seq_file
// regenerates them on a read at offset 0), open/read/close for others, and ProcFiles for the /proc/PID files
// of a process scan (openat on a kept /proc fd). libc through koffi where it loads, node:fs otherwise.
import { closeSync, openSync, readSync } from 'node:fs';
import { endianness } from 'node:os';
import { HostReadError } from '../../model/errors.js';
import { errnoName, NativeCallError, type NativeFileCalls, O_RDONLY_CLOEXEC } from './native.js';

/** Returned for a file that is not there: absent, or its process has exited. */
export const GONE = -1;

/** Errno codes meaning "no longer there" for files under /proc/PID (ENOENT: exited; ESRCH: exiting). */
const GONE_CODES = new Set(['ENOENT', 'ESRCH']);
const ENOENT = 2;
const ESRCH = 3;
/**
 * A kept file that cannot be read at all: absent, or PSI compiled in but disabled at boot (errno 95, which
 * Node names EOPNOTSUPP or ENOTSUP depending on where the name comes from).
 */
const UNAVAILABLE_CODES = new Set(['ENOENT', 'EOPNOTSUPP', 'ENOTSUP']);

export function errnoCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : String(error);
}

export class FileReader {
  /** Holds the last file read, bytes [0, length). Replaced by a larger one when a file does not fit. */
  buf: Buffer = Buffer.allocUnsafe(64 * 1024);
  private readonly kept = new Map<string, number>();

  /**
   * native: libc's pread for the kept files where koffi loads. The daemon reads them every look, and in a
   * process that has just woken a read cost ~0.016 ms through koffi against ~0.042 ms through node:fs's
   * readSync and its argument checks (BENCHMARKS.md, "Footprint", third round).
   */
  constructor(private readonly native: Pick<NativeFileCalls, 'pread'> | null = null) {}

  /**
   * Reads `path` whole; its length in `buf`, or GONE. Other errors throw HostReadError naming file and
   * errno. `shortReadIsEnd`: the file is generated in one piece (single_open /proc/PID files such as
   * stat, status, oom_score_adj, cgroup), so a read that does not fill the buffer reached its end and
   * the extra read that would return 0 is saved — syscalls dominate the cost of a process scan.
   */
  read(path: string, shortReadIsEnd = false): number {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (error) {
      return this.failed(path, error, GONE_CODES);
    }
    try {
      return this.readFd(fd, shortReadIsEnd);
    } catch (error) {
      return this.failed(path, error, GONE_CODES);
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Like read(), through an fd kept open across calls; GONE when the file is absent or unsupported. The kept
   * files (meminfo, uptime, vmstat, PSI) are seq_files, which fill a read as far as they can: a short read is
   * the end, and the second read that would return 0 is saved on every look.
   */
  readKept(path: string): number {
    let fd = this.kept.get(path);
    if (fd === undefined) {
      try {
        fd = openSync(path, 'r');
      } catch (error) {
        return this.failed(path, error, UNAVAILABLE_CODES);
      }
      this.kept.set(path, fd);
    }
    try {
      return this.readFd(fd, true);
    } catch (error) {
      return this.failed(path, error, UNAVAILABLE_CODES);
    }
  }

  /** Replaces buf by one twice as large that starts with its first `length` bytes, for a file that did not fit. */
  grow(length: number): void {
    const bigger = Buffer.allocUnsafe(this.buf.length * 2);
    this.buf.copy(bigger, 0, 0, length);
    this.buf = bigger;
  }

  /** The last file read, as text. */
  text(length: number): string {
    return this.buf.toString('utf8', 0, length);
  }

  close(): void {
    for (const fd of this.kept.values()) closeSync(fd);
    this.kept.clear();
  }

  /** pread from offset 0 until end of file, growing buf when the file does not fit. */
  private readFd(fd: number, shortReadIsEnd: boolean): number {
    let length = 0;
    for (;;) {
      if (length === this.buf.length) this.grow(length);
      const room = this.buf.length - length;
      const n = this.pread(fd, room, length);
      length += n;
      if (n === 0 || (shortReadIsEnd && n < room)) return length;
    }
  }

  /** Up to `room` bytes at `offset` into buf[offset..]; throws an error with an errno `code` on failure. */
  private pread(fd: number, room: number, offset: number): number {
    if (this.native === null) return readSync(fd, this.buf, offset, room, offset);
    const n = this.native.pread(fd, offset === 0 ? this.buf : this.buf.subarray(offset), offset);
    if (n < 0) throw new NativeCallError('pread', -n);
    return n;
  }

  private failed(path: string, error: unknown, goneCodes: ReadonlySet<string>): number {
    const code = errnoCode(error);
    if (goneCodes.has(code)) return GONE;
    throw new HostReadError(`cannot read ${path}: ${code}`, path);
  }
}

/**
 * The files of /proc/PID a process scan reads, as NUL-terminated names for openat: single_open files only
 * (cmdline is not one: it is copied out of the process's memory as it is read, so it goes through
 * FileReader.read, which reads until end of file).
 */
export type ProcFileName = 'stat' | 'status' | 'oom_score_adj' | 'oom_score' | 'cgroup';
const NAME_BYTES: Record<ProcFileName, Buffer> = {
  stat: Buffer.from('stat\0'),
  status: Buffer.from('status\0'),
  oom_score_adj: Buffer.from('oom_score_adj\0'),
  oom_score: Buffer.from('oom_score\0'),
  cgroup: Buffer.from('cgroup\0'),
};

/**
 * Reads the files of /proc/PID directories into a FileReader's buffer, the way a process scan does: at(pid)
 * once, then read(name) for each of its files. With the native calls it opens `PID/NAME` relative to a kept fd
 * of the proc directory, from bytes written into one reused path buffer: no path string per file, and the
 * kernel resolves two components instead of three. The files are single_open ones (generated whole on the
 * first read), so a read that does not fill the buffer reached the end. Without the native calls (or when the
 * proc directory cannot be opened) it reads `${procDir}/PID/NAME` through node:fs with the same answers.
 *
 * Errors as FileReader.read: ENOENT/ESRCH (the process exited or is exiting) → GONE; any other errno →
 * HostReadError naming the file and the errno.
 */
export class ProcFiles {
  private dirfd = -1;
  private readonly path = Buffer.alloc(32);
  private dirents: Buffer | null = null;
  private pidEnd = 0;
  private pid = 0;

  constructor(
    private readonly reader: FileReader,
    private readonly procDir: string,
    private readonly native: NativeFileCalls | null,
  ) {
    if (native !== null) {
      const dir = Buffer.from(`${procDir}\0`);
      this.dirfd = native.openat(-100 /* AT_FDCWD */, dir, O_RDONLY_CLOEXEC);
    }
  }

  /** Whether reads go through openat on the kept proc directory fd. */
  get direct(): boolean {
    return this.dirfd >= 0;
  }

  /**
   * The pids the proc directory lists, in its order (ascending on Linux), read with getdents64 on the kept fd:
   * no string per entry. null without the native calls: the caller lists the directory itself.
   */
  listPids(): number[] | null {
    const pids: number[] = [];
    return this.forEachPid((pid) => pids.push(pid)) ? pids : null;
  }

  /**
   * Calls visit(pid) for each pid the proc directory lists, in its order, as the listing goes, a buffer of
   * entries at a time: reading a process's files right after its entry was listed costs ~0.6 µs less a
   * process than after listing every pid first (10,000 processes: ~41 against ~48 ms for their oom_scores;
   * the kernel's data for the process is still in the CPU caches). false without the native calls: the
   * caller lists the directory itself. visit may read files through this object but must not list again.
   */
  forEachPid(visit: (pid: number) => void): boolean {
    if (this.dirfd < 0) return false;
    const native = this.native as NativeFileCalls;
    const rewound = native.seekSet(this.dirfd, 0);
    if (rewound < 0) this.listFailed(-rewound);
    // About 130 entries: small enough to stay in the caches, few enough calls (80 for 10,000 processes).
    this.dirents ??= Buffer.allocUnsafe(4096);
    const buf = this.dirents;
    const le = endianness() === 'LE';
    for (;;) {
      const n = native.getdents64(this.dirfd, buf);
      if (n < 0) this.listFailed(-n);
      if (n === 0) return true;
      // struct linux_dirent64: u64 d_ino, s64 d_off, u16 d_reclen, u8 d_type, char d_name[] (NUL-terminated).
      for (let at = 0; at < n; ) {
        const reclen = le ? buf.readUInt16LE(at + 16) : buf.readUInt16BE(at + 16);
        let i = at + 19;
        let pid = 0;
        let c = buf[i] as number;
        if (c >= 0x30 && c <= 0x39) {
          for (; c >= 0x30 && c <= 0x39; c = buf[++i] as number) pid = pid * 10 + (c - 0x30);
          if (c === 0) visit(pid);
        }
        at += reclen;
      }
    }
  }

  /** Points the following reads at /proc/PID. */
  at(pid: number): void {
    this.pid = pid;
    // The decimal digits of pid, then '/': at most 7 digits (PID_MAX_LIMIT is 4,194,304).
    let digits = 1;
    for (let p = pid; p >= 10; p = Math.trunc(p / 10)) digits++;
    let p = pid;
    for (let i = digits - 1; i >= 0; i--) {
      this.path[i] = 0x30 + (p % 10);
      p = Math.trunc(p / 10);
    }
    this.path[digits] = 0x2f;
    this.pidEnd = digits + 1;
  }

  /** The whole file NAME of the current pid: its length in the reader's buf, or GONE. */
  read(name: ProcFileName): number {
    if (this.dirfd < 0) return this.reader.read(this.filePath(name), true);
    const native = this.native as NativeFileCalls;
    // A byte loop: Buffer#copy is a native call, dearer than a dozen bytes.
    const nameBytes = NAME_BYTES[name];
    const path = this.path;
    for (let i = 0, at = this.pidEnd; i < nameBytes.length; i++, at++) path[at] = nameBytes[i] as number;
    const fd = native.openat(this.dirfd, this.path, O_RDONLY_CLOEXEC);
    if (fd < 0) return this.failed(name, -fd);
    let length = 0;
    let n = 0;
    try {
      for (;;) {
        const buf = this.reader.buf;
        n = native.read(fd, length === 0 ? buf : buf.subarray(length));
        if (n < 0) break;
        length += n;
        if (length < buf.length) break; // a short read of a single_open file is its end
        this.reader.grow(length);
      }
    } finally {
      native.close(fd);
    }
    return n < 0 ? this.failed(name, -n) : length;
  }

  /** The error for NAME of the current pid read whole but not what it should be (`what` says how). */
  malformed(name: ProcFileName, what: string): HostReadError {
    const path = this.filePath(name);
    return new HostReadError(`${path}: ${what}`, path);
  }

  /** The path of NAME of the current pid, for errors and the node:fs fallback. */
  filePath(name: ProcFileName): string {
    return `${this.procDir}/${this.pid}/${name}`;
  }

  close(): void {
    if (this.dirfd >= 0) (this.native as NativeFileCalls).close(this.dirfd);
    this.dirfd = -1;
  }

  private listFailed(errno: number): never {
    throw new HostReadError(`cannot list ${this.procDir}: ${errnoName(errno)}`, this.procDir);
  }

  private failed(name: ProcFileName, errno: number): number {
    if (errno === ENOENT || errno === ESRCH) return GONE;
    const path = this.filePath(name);
    throw new HostReadError(`cannot read ${path}: ${errnoName(errno)}`, path);
  }
}
