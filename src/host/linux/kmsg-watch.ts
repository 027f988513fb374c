// Live kernel OOM reports from /dev/kmsg: each read() returns one record "prio,seq,time_us,flags;message"
// (then " KEY=value" lines); a non-blocking read says EAGAIN when no record is waiting and EPIPE when the ring
// buffer overwrote records before we read them. Reports come out as soon as the kernel names the victim.
// Between records the watcher sleeps in one poll() without timeout (FdWaiter): an idle log costs no wake-up,
// where reading on a 1 s timer cost one a second (BENCHMARKS.md, "Footprint").
import { closeSync, constants, openSync, readSync } from 'node:fs';
import { HostReadError, OomguardError } from '../../model/errors.js';
import { OomReportAssembler } from '../../postmortem/parse.js';
import type { OomReport } from '../../postmortem/report.js';
import { FdWaiter } from './fd-waiter.js';
import { type NativeWaitCalls, POLLERR, POLLHUP, POLLIN, POLLNVAL } from './native.js';

export interface KmsgWatchOptions {
  /** Default /dev/kmsg. Tests give a pipe in packet mode, which reads back one record per read() too. */
  readonly path?: string;
  /** The native calls for the poll; default loadNative()'s. start() throws when there are none. */
  readonly native?: NativeWaitCalls;
}

/** One record as the line dmesg would print: "[    5.678901] message", one entry per line of the message. */
export function kmsgRecordLines(record: string): string[] {
  const head = record.split('\n', 1)[0] ?? '';
  const semi = head.indexOf(';');
  if (semi < 0) return [];
  const timeUs = Number(head.slice(0, semi).split(',')[2] ?? Number.NaN);
  // The kernel escapes non-printable bytes (newlines included) as \xNN.
  const message = head
    .slice(semi + 1)
    .replace(/\\x([0-9a-f]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  const stamp = Number.isFinite(timeUs)
    ? `[${String(Math.trunc(timeUs / 1e6)).padStart(5)}.${String(timeUs % 1e6).padStart(6, '0')}] `
    : '';
  return message.split('\n').map((line) => stamp + line);
}

const RECORD_MAX = 64 * 1024;

/** One start(): its fd and waiter are released when its poll has returned, which may be after stop(). */
interface Run {
  readonly fd: number;
  readonly waiter: FdWaiter;
  stopped: boolean;
}

type Drained = 'again' | 'eof';

export class KmsgWatcher {
  private run: Run | null = null;
  // A few recent reports are enough to attach the reaper's line, which follows its kill within seconds.
  private readonly assembler = new OomReportAssembler(8);
  private readonly buffer = Buffer.alloc(RECORD_MAX);

  constructor(private readonly options: KmsgWatchOptions = {}) {}

  private get path(): string {
    return this.options.path ?? '/dev/kmsg';
  }

  /**
   * Opens the log and skips what is already in it (reading it through is the same as seeking to the end, which
   * Node cannot do on a character device), then calls onReport for each OOM report completed from now on.
   * A read error, or the end of the file (a pipe whose writer hung up; /dev/kmsg has no end), stops the
   * watcher and goes to onError.
   */
  start(onReport: (report: OomReport) => void, onError?: (error: Error) => void): void {
    if (this.run !== null) throw new OomguardError('the kernel log watcher is already running');
    const waiter = this.options.native ? new FdWaiter(this.options.native) : new FdWaiter();
    let fd: number;
    try {
      fd = openSync(this.path, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (e) {
      waiter.close();
      throw new HostReadError(
        `cannot open ${this.path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
        this.path,
      );
    }
    try {
      this.drain(fd, null);
    } catch (e) {
      closeSync(fd);
      waiter.close();
      throw e;
    }
    const run: Run = { fd, waiter, stopped: false };
    this.run = run;
    void this.follow(run, onReport, onError);
  }

  /** Stops at once: the poll is woken, and the log is closed as soon as it has returned. */
  stop(): void {
    const run = this.run;
    if (run === null) return;
    this.run = null;
    run.stopped = true;
    run.waiter.close();
  }

  private async follow(
    run: Run,
    onReport: (report: OomReport) => void,
    onError: ((error: Error) => void) | undefined,
  ): Promise<void> {
    let failure: Error | null = null;
    try {
      while (!run.stopped) {
        const result = await run.waiter.wait([{ fd: run.fd, events: POLLIN }], -1);
        if (run.stopped || result.kind !== 'ready') break;
        const revents = result.revents[0] ?? 0;
        if ((revents & POLLNVAL) !== 0)
          throw new HostReadError(`polling ${this.path}: fd not open (POLLNVAL)`, this.path);
        // /dev/kmsg adds POLLERR to POLLIN when records were overwritten: the read says EPIPE, drain notes it.
        // A pipe says POLLHUP once its writer is gone; what the writer left is read first.
        const drained = this.drain(run.fd, onReport);
        if (drained === 'eof') throw new HostReadError(`${this.path} ended (end of file)`, this.path);
        if ((revents & (POLLHUP | POLLERR)) !== 0 && (revents & POLLIN) === 0) {
          // Nothing to read, and poll() would answer at once from now on: a pipe whose writer is gone.
          const what = (revents & POLLHUP) !== 0 ? 'POLLHUP' : 'POLLERR';
          throw new HostReadError(`${this.path} hung up (${what})`, this.path);
        }
      }
    } catch (e) {
      failure = e as Error;
    } finally {
      // The poll has returned: no worker thread looks at the fd any more, so it can be closed.
      run.waiter.close();
      closeSync(run.fd);
    }
    if (failure !== null && !run.stopped) {
      this.stop();
      onError?.(failure);
    }
  }

  /** Reads every waiting record; with no callback they are only skipped. */
  private drain(fd: number, onReport: ((report: OomReport) => void) | null): Drained {
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, this.buffer, 0, RECORD_MAX, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') return 'again';
        if (code === 'EPIPE') {
          // The next read resumes at the oldest record still there; the lost ones may have been a report's.
          if (onReport) this.assembler.noteGap('kernel log records were overwritten before they were read');
          continue;
        }
        throw new HostReadError(`reading the kernel log failed: ${code ?? String(e)}`, this.path);
      }
      // /dev/kmsg never ends (EAGAIN when empty); a pipe or a file does.
      if (n === 0) return 'eof';
      if (onReport === null) continue;
      for (const line of kmsgRecordLines(this.buffer.toString('utf8', 0, n))) this.assembler.feed(line);
      for (const report of this.assembler.takeCompleted()) onReport(report);
    }
  }
}
