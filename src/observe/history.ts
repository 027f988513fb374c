// The kill history on disk: one JSON object a line for every signal oomguard sends (or would send, in a dry
// run) and every victim's exit, so `oomguard history`, `oomguard top` and the dashboard can say what was
// killed and why after the log has scrolled away. The file is size-bounded: when the next line would push it
// past maxBytes it becomes FILE.1, FILE.1 becomes FILE.2 and so on, and the oldest beyond `keep` goes.
import {
  appendFileSync,
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { OomguardError } from '../model/errors.js';
import type { DaemonEvent, EventName, EventSink } from './events.js';

/** Where packages keep the history (systemd's StateDirectory=oomguard). */
export const DEFAULT_HISTORY_FILE = '/var/lib/oomguard/history.jsonl';
export const DEFAULT_HISTORY_MAX_BYTES = 1024 * 1024;
export const DEFAULT_HISTORY_KEEP = 3;

/** The events that make up a kill: oomguard's own, and the kernel's (decoded from its log). */
export const HISTORY_EVENTS: readonly EventName[] = ['signal', 'exit', 'kernel-oom'];

/** One line of the history: when, which event, its message, and the event's fields as they were. */
export interface HistoryEntry {
  /** ISO 8601 time the event was recorded. */
  readonly time: string;
  readonly event: string;
  readonly message: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

export interface HistoryWriterOptions {
  readonly file: string;
  /** The current file never grows past this (a single longer line still gets a file of its own). */
  readonly maxBytes?: number;
  /** Rotated files kept beside the current one: FILE.1 … FILE.keep. 0 = the current file only. */
  readonly keep?: number;
  readonly now?: () => Date;
  /** Told when a line cannot be written (full disk, read-only file system); the kill path carries on. */
  readonly onError?: (message: string) => void;
}

/** The line written for one event: its fields first, so `time`, `event` and `message` cannot be overridden. */
export function historyLine(e: DaemonEvent, time: Date): string {
  return `${JSON.stringify({ ...e.fields, time: time.toISOString(), event: e.event, message: e.message })}\n`;
}

/** An EventSink that appends every kill event to the history file, synchronously (a crash loses nothing). */
export function createHistorySink(opts: HistoryWriterOptions): EventSink {
  const maxBytes = opts.maxBytes ?? DEFAULT_HISTORY_MAX_BYTES;
  const keep = opts.keep ?? DEFAULT_HISTORY_KEEP;
  const now = opts.now ?? (() => new Date());
  if (!(maxBytes > 0) || !Number.isSafeInteger(keep) || keep < 0) {
    throw new OomguardError(`history: maxBytes must be positive and keep a whole number ≥ 0`);
  }
  let size: number | null = null;
  return (e) => {
    if (!HISTORY_EVENTS.includes(e.event)) return;
    const line = historyLine(e, now());
    const bytes = Buffer.byteLength(line);
    try {
      size ??= currentSize(opts.file);
      if (size > 0 && size + bytes > maxBytes) {
        rotate(opts.file, keep);
        size = 0;
      }
      appendFileSync(opts.file, line, { mode: 0o640 });
      size += bytes;
    } catch (err) {
      // Unknown size after a failure: measure again next time rather than trust a count that may be off.
      size = null;
      opts.onError?.(`cannot write the kill history ${opts.file}: ${(err as Error).message}`);
    }
  };
}

/** The file's size, creating its directory when missing (0 for a file not yet written). */
function currentSize(file: string): number {
  mkdirSync(dirname(file), { recursive: true, mode: 0o750 });
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  try {
    return fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
}

function rotate(file: string, keep: number): void {
  if (keep === 0) {
    rmSync(file, { force: true });
    return;
  }
  rmSync(`${file}.${keep}`, { force: true });
  for (let i = keep - 1; i >= 1; i--) renameIfExists(`${file}.${i}`, `${file}.${i + 1}`);
  renameIfExists(file, `${file}.1`);
}

function renameIfExists(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

export interface HistoryRead {
  /** Oldest first. */
  readonly entries: readonly HistoryEntry[];
  /** Lines that were not a history entry (torn by a crash, edited by hand), skipped. */
  readonly skipped: number;
  /** The files that existed and were read, oldest first; empty when nothing has been recorded yet. */
  readonly files: readonly string[];
}

export interface HistoryReadOptions {
  /** Only the newest N entries. */
  readonly limit?: number;
  /** How many rotated files (FILE.1 …) to read besides FILE; default: every one up to the first missing. */
  readonly keep?: number;
}

/** Rotated files are looked for up to this number when `keep` is not given. */
const MAX_ROTATED = 1000;

/**
 * Reads the rotated files, oldest first, then FILE. A file that does not exist is not an error (nothing was
 * killed yet, or rotation has not reached it); one that exists and cannot be read is.
 */
export function readHistory(file: string, opts: HistoryReadOptions = {}): HistoryRead {
  const texts: { name: string; text: string }[] = [];
  for (let i = 1; i <= (opts.keep ?? MAX_ROTATED); i++) {
    const text = readIfExists(`${file}.${i}`);
    if (text === null) {
      if (opts.keep === undefined) break;
      continue;
    }
    texts.unshift({ name: `${file}.${i}`, text });
  }
  const current = readIfExists(file);
  if (current !== null) texts.push({ name: file, text: current });
  const entries: HistoryEntry[] = [];
  let skipped = 0;
  for (const { text } of texts) {
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const entry = parseHistoryLine(line);
      if (entry === null) skipped++;
      else entries.push(entry);
    }
  }
  const limit = opts.limit;
  return {
    entries: limit === undefined ? entries : entries.slice(-limit),
    skipped,
    files: texts.map((t) => t.name),
  };
}

function readIfExists(file: string): string | null {
  try {
    if (statSync(file).isDirectory()) throw new OomguardError(`history: ${file} is a directory`);
    return readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof OomguardError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new OomguardError(`history: cannot read ${file}: ${(err as Error).message}`);
  }
}

/** One line back into an entry; null when it is not a JSON object with a string time, event and message. */
export function parseHistoryLine(line: string): HistoryEntry | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const { time, event, message, ...fields } = value as Record<string, unknown>;
  if (typeof time !== 'string' || typeof event !== 'string' || typeof message !== 'string') return null;
  return { time, event, message, fields };
}

/**
 * The newest `limit` entries, for views that redraw every second: FILE and FILE.1 (enough to cover a rotation
 * that just happened) are read again only when FILE changed since the last call.
 */
export function createRecentHistoryReader(file: string, limit: number): () => HistoryRead {
  let seen: string | null = null;
  let last: HistoryRead = { entries: [], skipped: 0, files: [] };
  return () => {
    let stamp: string;
    try {
      const st = statSync(file);
      stamp = `${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch {
      stamp = 'absent';
    }
    if (stamp !== seen) {
      last = readHistory(file, { limit, keep: 1 });
      seen = stamp;
    }
    return last;
  };
}
