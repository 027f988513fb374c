// Log lines: text for people (escaped), one JSON object a line for machines, <N> priorities for journald.
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { EventBus } from '../../src/observe/events.js';
import { createLogSink, formatEvent } from '../../src/observe/log.js';

const at = new Date('2026-11-25T12:00:00.000Z');

function capture(
  opts: { format: 'text' | 'json'; journald: boolean; minLevel: 'debug' | 'info' },
  emit: (bus: EventBus) => void,
): string {
  const path = join(mkdtempSync(join(tmpdir(), 'oomguard-log-')), 'out');
  const fd = openSync(path, 'w');
  const bus = new EventBus();
  bus.subscribe(createLogSink({ ...opts, fd, now: () => at }));
  emit(bus);
  closeSync(fd);
  return readFileSync(path, 'utf8');
}

test('JSON lines carry time, level, event, message and every field', () => {
  const out = capture({ format: 'json', journald: false, minLevel: 'info' }, (bus) => {
    bus.emit({
      event: 'signal',
      level: 'notice',
      message: 'sent SIGTERM',
      fields: { pid: 42, comm: 'a\nb', rssBytes: 1024 },
    });
  });
  assert.equal(
    out,
    '{"time":"2026-11-25T12:00:00.000Z","level":"notice","event":"signal","msg":"sent SIGTERM","pid":42,"comm":"a\\nb","rssBytes":1024}\n',
  );
});

test('text lines are stamped and escape control characters a process name may hold', () => {
  const out = capture({ format: 'text', journald: false, minLevel: 'info' }, (bus) => {
    bus.emit({ event: 'select', level: 'notice', message: 'chose pid 7 (evil\n2026 fake line\u001b[2J)' });
    bus.emit({ event: 'select', level: 'debug', message: 'dropped below the level' });
  });
  assert.equal(out, '2026-11-25T12:00:00.000Z notice  select: chose pid 7 (evil\\n2026 fake line\\x1b[2J)\n');
});

test('under journald each line starts with its syslog priority and no time stamp', () => {
  const out = capture({ format: 'text', journald: true, minLevel: 'debug' }, (bus) => {
    for (const level of ['error', 'warning', 'notice', 'info', 'debug'] as const) {
      bus.emit({ event: 'report', level, message: level });
    }
  });
  assert.equal(
    out,
    '<3>error   report: error\n<4>warning report: warning\n<5>notice  report: notice\n<6>info    report: info\n<7>debug   report: debug\n',
  );
});

test('a failing sink does not stop the others', () => {
  const bus = new EventBus();
  const seen: string[] = [];
  bus.subscribe(() => {
    throw new Error('closed pipe');
  });
  bus.subscribe((e) => seen.push(e.event));
  bus.emit({ event: 'exit', level: 'info', message: 'x' });
  assert.deepEqual(seen, ['exit']);
  assert.equal(formatEvent({ event: 'exit', level: 'info', message: 'x' }, 'text', at), 'info    exit: x');
});
