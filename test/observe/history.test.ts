// The kill history: what the daemon's events become on disk, rotation by size, and reading it back with the
// torn and foreign lines skipped and counted. Expected lines are written out by hand.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { DaemonEvent } from '../../src/observe/events.js';
import { EventBus } from '../../src/observe/events.js';
import { createHistorySink, parseHistoryLine, readHistory } from '../../src/observe/history.js';

function tempDir(t: import('node:test').TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'oomguard-history-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const AT = new Date('2026-11-02T10:11:12.345Z');

const SIGNAL: DaemonEvent = {
  event: 'signal',
  level: 'notice',
  message: 'sent SIGTERM to pid 42 (hog): memory short',
  fields: { pid: 42, comm: 'hog', signal: 'SIGTERM', rssBytes: 1024, reason: 'memory short', dryRun: false },
};
const EXIT: DaemonEvent = {
  event: 'exit',
  level: 'notice',
  message: 'pid 42 (hog) exited 120 ms after the first signal',
  fields: { pid: 42, comm: 'hog', signal: 'SIGTERM', pids: [42], afterMs: 120 },
};
const REPORT: DaemonEvent = { event: 'report', level: 'info', message: 'memory available 1 GiB' };

// {"time":"2026-11-02T10:11:12.345Z","event":"exit","message":""}\n is 64 bytes: 8 + 26 + 9 + 6 + 11 + 2 + 1 + 1.
const TINY_BASE = 64;

/** An exit event without fields whose line, written at AT, is exactly 100 bytes; its message starts with `tag`. */
function line100(tag: string): DaemonEvent {
  return { event: 'exit', level: 'notice', message: tag.padEnd(100 - TINY_BASE, '.') };
}

describe('history: writing', () => {
  test('signal and exit events become one JSON line each, with every field; other events are not kept', (t) => {
    const file = join(tempDir(t), 'state/history.jsonl');
    const bus = new EventBus();
    bus.subscribe(createHistorySink({ file, now: () => AT }));
    bus.emit(REPORT);
    bus.emit(SIGNAL);
    bus.emit({ event: 'still-alive', level: 'warning', message: 'pid 42 still alive' });
    bus.emit(EXIT);
    assert.equal(
      readFileSync(file, 'utf8'),
      '{"pid":42,"comm":"hog","signal":"SIGTERM","rssBytes":1024,"reason":"memory short","dryRun":false,' +
        '"time":"2026-11-02T10:11:12.345Z","event":"signal","message":"sent SIGTERM to pid 42 (hog): memory short"}\n' +
        '{"pid":42,"comm":"hog","signal":"SIGTERM","pids":[42],"afterMs":120,' +
        '"time":"2026-11-02T10:11:12.345Z","event":"exit","message":"pid 42 (hog) exited 120 ms after the first signal"}\n',
    );
  });

  test('a field cannot pass itself off as the time, event or message', (t) => {
    const file = join(tempDir(t), 'h.jsonl');
    createHistorySink({ file, now: () => AT })({
      ...EXIT,
      fields: { time: 'forged', event: 'forged', message: 'forged' },
    });
    const entry = parseHistoryLine(readFileSync(file, 'utf8').trim());
    assert.deepEqual(entry, { time: AT.toISOString(), event: 'exit', message: EXIT.message, fields: {} });
  });

  test('the line of an exit event without fields is 64 bytes plus its message', (t) => {
    const file = join(tempDir(t), 'h.jsonl');
    createHistorySink({ file, now: () => AT })({ event: 'exit', level: 'notice', message: '' });
    assert.equal(
      readFileSync(file, 'utf8'),
      '{"time":"2026-11-02T10:11:12.345Z","event":"exit","message":""}\n',
    );
    assert.equal(readFileSync(file).length, TINY_BASE);
  });

  test('rotation: a line that would pass maxBytes starts a new file; FILE.1 … FILE.keep are kept', (t) => {
    const dir = tempDir(t);
    const file = join(dir, 'h.jsonl');
    // Lines of 100 bytes, at most 250 bytes a file: two lines a file.
    const sink = createHistorySink({ file, maxBytes: 250, keep: 2, now: () => AT });
    for (let i = 0; i < 7; i++) sink(line100(String(i)));
    const lines = (f: string) =>
      readFileSync(f, 'utf8')
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { message: string }).message[0]);
    // 7 lines: [0 1] [2 3] [4 5] [6]; keep 2 drops the oldest file.
    assert.deepEqual(lines(file), ['6']);
    assert.deepEqual(lines(`${file}.1`), ['4', '5']);
    assert.deepEqual(lines(`${file}.2`), ['2', '3']);
    assert.throws(() => readFileSync(`${file}.3`), { code: 'ENOENT' });
    assert.equal(readFileSync(file).length, 100);
    // Reading sees the kept files oldest first.
    assert.deepEqual(
      readHistory(file).entries.map((e) => e.message[0]),
      ['2', '3', '4', '5', '6'],
    );
  });

  test('rotation picks up the size of a file left by an earlier run', (t) => {
    const file = join(tempDir(t), 'h.jsonl');
    writeFileSync(file, `${'x'.repeat(199)}\n`);
    createHistorySink({ file, maxBytes: 250, keep: 1, now: () => AT })(line100('n'));
    assert.equal(readFileSync(`${file}.1`, 'utf8'), `${'x'.repeat(199)}\n`);
    assert.equal(readFileSync(file).length, 100);
  });

  test('keep 0: the file starts over', (t) => {
    const file = join(tempDir(t), 'h.jsonl');
    const sink = createHistorySink({ file, maxBytes: 150, keep: 0, now: () => AT });
    sink(line100('n'));
    sink(line100('n'));
    assert.equal(readFileSync(file).length, 100);
    assert.throws(() => readFileSync(`${file}.1`), { code: 'ENOENT' });
  });

  test('a write that fails is reported, not thrown, and the next one works once the cause is gone', (t) => {
    const dir = tempDir(t);
    const file = join(dir, 'h.jsonl');
    mkdirSync(file); // a directory where the file should be
    const errors: string[] = [];
    const sink = createHistorySink({ file, now: () => AT, onError: (m) => errors.push(m) });
    sink(EXIT);
    assert.equal(errors.length, 1);
    assert.match(errors[0] ?? '', new RegExp(`^cannot write the kill history ${file}: EISDIR`));
    rmSync(file, { recursive: true });
    sink(EXIT);
    assert.equal(errors.length, 1);
    assert.equal(readHistory(file).entries.length, 1);
  });

  test('bad limits are refused', () => {
    assert.throws(() => createHistorySink({ file: '/x', maxBytes: 0 }), /maxBytes must be positive/);
    assert.throws(() => createHistorySink({ file: '/x', keep: -1 }), /keep a whole number/);
  });
});

describe('history: reading', () => {
  test('corrupt and foreign lines are skipped and counted; limit keeps the newest', (t) => {
    const file = join(tempDir(t), 'h.jsonl');
    const good = (pid: number) =>
      JSON.stringify({ time: '2026-11-02T10:00:00.000Z', event: 'exit', message: `m${pid}`, pid });
    writeFileSync(
      file,
      [
        good(1),
        '{"time":"2026-11-02T10:00:00.000Z","event":"exit","mess', // torn by a crash
        '[1,2]',
        '{"time":5,"event":"exit","message":"m"}',
        '',
        good(2),
        'not json',
        good(3),
      ].join('\n'),
    );
    const all = readHistory(file);
    assert.equal(all.skipped, 4);
    assert.deepEqual(all.files, [file]);
    assert.deepEqual(
      all.entries.map((e) => e.fields.pid),
      [1, 2, 3],
    );
    assert.deepEqual(all.entries[0], {
      time: '2026-11-02T10:00:00.000Z',
      event: 'exit',
      message: 'm1',
      fields: { pid: 1 },
    });
    assert.deepEqual(
      readHistory(file, { limit: 2 }).entries.map((e) => e.fields.pid),
      [2, 3],
    );
  });

  test('no file: no entries, no files, no error', (t) => {
    assert.deepEqual(readHistory(join(tempDir(t), 'none.jsonl')), { entries: [], skipped: 0, files: [] });
  });

  test('a file that exists but cannot be read is an error', (t) => {
    const dir = tempDir(t);
    mkdirSync(join(dir, 'h.jsonl'));
    assert.throws(() => readHistory(join(dir, 'h.jsonl')), /h\.jsonl is a directory/);
  });
});
