// Reads small kernel files into one reused Buffer: open/read/close for per-process files, and fds kept
// open for the files read every sample (seq_file regenerates them on a read at offset 0).
import { closeSync, openSync, readSync } from 'node:fs';
import { HostReadError } from '../../model/errors.js';

/** Returned for a file that is not there: absent, or its process has exited. */
export const GONE = -1;

/** Errno codes meaning "no longer there" for files under /proc/PID (ENOENT: exited; ESRCH: exiting). */
const GONE_CODES = new Set(['ENOENT', 'ESRCH']);
/** A kept file that cannot be read at all: absent, or PSI compiled in but disabled at boot. */
const UNAVAILABLE_CODES = new Set(['ENOENT', 'EOPNOTSUPP']);

export function errnoCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : String(error);
}

export class FileReader {
  /** Holds the last file read, bytes [0, length). Replaced by a larger one when a file does not fit. */
  buf: Buffer = Buffer.allocUnsafe(64 * 1024);
  private readonly kept = new Map<string, number>();

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
      if (length === this.buf.length) {
        const bigger = Buffer.allocUnsafe(this.buf.length * 2);
        this.buf.copy(bigger, 0, 0, length);
        this.buf = bigger;
      }
      const room = this.buf.length - length;
      const n = readSync(fd, this.buf, length, room, length);
      length += n;
      if (n === 0 || (shortReadIsEnd && n < room)) return length;
    }
  }

  private failed(path: string, error: unknown, goneCodes: ReadonlySet<string>): number {
    const code = errnoCode(error);
    if (goneCodes.has(code)) return GONE;
    throw new HostReadError(`cannot read ${path}: ${code}`, path);
  }
}
