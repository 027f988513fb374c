// Live kernel OOM reports from /dev/kmsg: each read() returns one record "prio,seq,time_us,flags;message"
// (then " KEY=value" lines); a non-blocking read says EAGAIN when no record is waiting and EPIPE when the ring
// buffer overwrote records before we read them. Reports come out as soon as the kernel names the victim.
import { closeSync, constants, openSync, readSync } from 'node:fs';
import { HostReadError, OomguardError } from '../../model/errors.js';
import { OomReportAssembler } from '../../postmortem/parse.js';
import type { OomReport } from '../../postmortem/report.js';

export interface KmsgWatchOptions {
  /** Default /dev/kmsg. */
  readonly path?: string;
  /**
   * How often to look for new records, in ms (default 1000). The reports are for the log, not for a
   * decision, so once a second is soon enough; at 10 a second the empty reads were most of the idle
   * daemon's CPU time (BENCHMARKS.md, "Footprint").
   */
  readonly pollMs?: number;
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

export class KmsgWatcher {
  private fd: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  // A few recent reports are enough to attach the reaper's line, which follows its kill within seconds.
  private readonly assembler = new OomReportAssembler(8);
  private readonly buffer = Buffer.alloc(RECORD_MAX);

  constructor(private readonly options: KmsgWatchOptions = {}) {}

  /**
   * Opens the log and skips what is already in it (reading it through is the same as seeking to the end, which
   * Node cannot do on a character device), then calls onReport for each OOM report completed from now on.
   * A read error stops the watcher and goes to onError.
   */
  start(onReport: (report: OomReport) => void, onError?: (error: Error) => void): void {
    if (this.fd !== null) throw new OomguardError('the kernel log watcher is already running');
    const path = this.options.path ?? '/dev/kmsg';
    try {
      this.fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (e) {
      throw new HostReadError(`cannot open ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, path);
    }
    this.drain(null);
    this.timer = setInterval(() => {
      try {
        this.drain(onReport);
      } catch (e) {
        this.stop();
        onError?.(e as Error);
      }
    }, this.options.pollMs ?? 1000);
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  /** Reads every waiting record; with no callback they are only skipped. */
  private drain(onReport: ((report: OomReport) => void) | null): void {
    const fd = this.fd;
    if (fd === null) return;
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, this.buffer, 0, RECORD_MAX, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') return;
        if (code === 'EPIPE') {
          // The next read resumes at the oldest record still there; the lost ones may have been a report's.
          if (onReport) this.assembler.noteGap('kernel log records were overwritten before they were read');
          continue;
        }
        throw new HostReadError(
          `reading the kernel log failed: ${code ?? String(e)}`,
          this.options.path ?? '/dev/kmsg',
        );
      }
      if (n === 0) return;
      if (onReport === null) continue;
      for (const line of kmsgRecordLines(this.buffer.toString('utf8', 0, n))) this.assembler.feed(line);
      for (const report of this.assembler.takeCompleted()) onReport(report);
    }
  }
}
