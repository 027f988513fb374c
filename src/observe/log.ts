// Log lines on stdout: readable text by default, one JSON object a line with --json. Under systemd
// (JOURNAL_STREAM is set) each line starts with a <N> syslog priority, which journald turns into
// its PRIORITY field. Writes are synchronous: a log line must not wait behind a kill.
import { writeSync } from 'node:fs';
import type { DaemonEvent, EventSink, Level } from './events.js';
import { safeJson, safeText } from './text/escape.js';

const PRIORITY: Record<Level, number> = { error: 3, warning: 4, notice: 5, info: 6, debug: 7 };
const ORDER: Record<Level, number> = { debug: 0, info: 1, notice: 2, warning: 3, error: 4 };

export interface LogOptions {
  readonly format: 'text' | 'json';
  /** Prefix lines with <N> priorities for journald. */
  readonly journald: boolean;
  /** Least severe level written. */
  readonly minLevel: Level;
  readonly fd?: number;
  readonly now?: () => Date;
}

const LINE_KEYS = new Set(['time', 'level', 'event', 'msg']);

export function formatEvent(e: DaemonEvent, format: 'text' | 'json', time: Date): string {
  if (format === 'json') {
    // The line's own keys win: a field cannot pass itself off as the line's level or time.
    const fields = Object.entries(e.fields ?? {}).filter(([k]) => !LINE_KEYS.has(k));
    return safeJson({
      time: time.toISOString(),
      level: e.level,
      event: e.event,
      msg: e.message,
      ...Object.fromEntries(fields),
    });
  }
  return `${e.level.padEnd(7)} ${e.event}: ${safeText(e.message)}`;
}

export function createLogSink(opts: LogOptions): EventSink {
  const fd = opts.fd ?? 1;
  const now = opts.now ?? (() => new Date());
  return (e) => {
    if (ORDER[e.level] < ORDER[opts.minLevel]) return;
    // JSON lines are escaped by safeJson, text lines by safeText, both in formatEvent.
    // journald stamps lines itself; elsewhere text lines carry their own time.
    const t = now();
    const prefix = opts.journald
      ? `<${PRIORITY[e.level]}>`
      : opts.format === 'text'
        ? `${t.toISOString()} `
        : '';
    writeSync(fd, `${prefix}${formatEvent(e, opts.format, t)}\n`);
  };
}
