// Names shown to people cannot forge output: whatever a process calls itself (ANSI escapes, newlines, HTML,
// U+2028, bidi overrides), a text log line stays one line that starts where oomguard starts it, a JSON log
// line parses back to the exact name, a rank table keeps one row per process and `explain` keeps its lines.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { DaemonEvent } from '../../src/observe/events.js';
import { formatEvent } from '../../src/observe/log.js';
import { safeJson, safeText } from '../../src/observe/text/escape.js';
import { renderExplanation } from '../../src/observe/text/explanation.js';
import { renderRankingTable } from '../../src/observe/text/ranking-table.js';
import { explainProcess } from '../../src/policy/explain.js';
import { rankProcesses } from '../../src/policy/rank.js';
import { buildSnapshot } from '../helpers/snapshot-builder.js';
import { fuzzParams, hostileText } from './arbitraries.js';

const params = fuzzParams(300);

/**
 * What must never reach a terminal or a log raw: control characters (\p{Cc}: C0, DEL, C1), line and paragraph separators,
 * bidi embeddings/overrides/isolates/marks, zero-width characters and the BOM.
 */
const FORGING =
  /[\p{Cc}\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]/u;

const at = new Date('2026-11-25T12:00:00.000Z');

function selectEvent(comm: string): DaemonEvent {
  return {
    event: 'select',
    level: 'notice',
    message: `chose pid 4242 (${comm}): largest badness`,
    fields: { pid: 4242, comm },
  };
}

describe('safeText', () => {
  test('escapes each kind of hostile character visibly (exact output)', () => {
    const cases: [string, string][] = [
      ['a\nb', 'a\\nb'],
      ['a\rb\tc', 'a\\rb\\tc'],
      ['\x1b[31mred', '\\x1b[31mred'],
      ['\x9b2J', '\\x9b2J'],
      ['\x7f', '\\x7f'],
      ['back\\slash', 'back\\\\slash'],
      ['line\u2028sep\u2029', 'line\\u2028sep\\u2029'],
      ['\u202egnp.exe', '\\u202egnp.exe'],
      ['\u2066iso\u2069', '\\u2066iso\\u2069'],
      ['zero\u200bwidth\ufeff', 'zero\\u200bwidth\\ufeff'],
      ['<script>alert(1)</script>', '<script>alert(1)</script>'],
      ['ä€😀', 'ä€😀'],
    ];
    for (const [raw, shown] of cases) assert.equal(safeText(raw), shown, JSON.stringify(raw));
  });

  test('the escape is reversible, so distinct names stay distinct', () => {
    const unescapeText = (t: string) =>
      t.replace(/\\(\\|n|t|r|x[0-9a-f]{2}|u[0-9a-f]{4})/g, (_, e: string) =>
        e === '\\'
          ? '\\'
          : e === 'n'
            ? '\n'
            : e === 't'
              ? '\t'
              : e === 'r'
                ? '\r'
                : String.fromCharCode(Number.parseInt(e.slice(1), 16)),
      );
    fc.assert(
      fc.property(hostileText(), (name) => {
        assert.equal(unescapeText(safeText(name)), name);
      }),
      params,
    );
  });
});

describe('log lines', () => {
  test('text: one line, starting with the level and event oomguard gave, whatever the name', () => {
    fc.assert(
      fc.property(hostileText(), (comm) => {
        const line = formatEvent(selectEvent(comm), 'text', at);
        assert.doesNotMatch(line, FORGING);
        assert.ok(line.startsWith('notice  select: chose pid 4242 ('), line);
        assert.equal(line, `notice  select: chose pid 4242 (${safeText(comm)}): largest badness`);
      }),
      params,
    );
  });

  test('JSON: one line with only the keys oomguard wrote, and the exact name after parsing', () => {
    fc.assert(
      fc.property(hostileText(), (comm) => {
        const line = formatEvent(selectEvent(comm), 'json', at);
        assert.doesNotMatch(line, FORGING);
        const parsed = JSON.parse(line) as Record<string, unknown>;
        assert.deepEqual(Object.keys(parsed), ['time', 'level', 'event', 'msg', 'pid', 'comm']);
        assert.equal(parsed.comm, comm);
        assert.equal(parsed.level, 'notice');
      }),
      params,
    );
  });

  test('JSON: U+2028, a bidi override, DEL and C1 controls (CSI) are written as \\u escapes', () => {
    assert.equal(safeJson({ comm: 'a\u2028b\u202ec\n' }), '{"comm":"a\\u2028b\\u202ec\\n"}');
    assert.equal(safeJson({ comm: '\x9b2J\x7f' }), '{"comm":"\\u009b2J\\u007f"}');
  });
});

describe('rank table and explain', () => {
  const snapshotWith = (names: readonly string[]) =>
    buildSnapshot({
      memTotal: 1024 * 1024 * 1024,
      processes: names.map((comm, i) => ({
        pid: 100 + i,
        comm,
        anonPages: 1000 * (i + 1),
        cgroup: `/x${comm}`,
      })),
    });

  test('a rank table has one row per process, each starting with its position and pid', () => {
    fc.assert(
      fc.property(fc.array(hostileText(), { minLength: 1, maxLength: 5 }), (names) => {
        const snap = snapshotWith(names);
        const table = renderRankingTable(rankProcesses(snap, { ranker: 'kernel', cgroup: null }), new Map());
        const lines = table.split('\n');
        assert.equal(lines.length, 2 + names.length, table);
        for (const line of lines) assert.doesNotMatch(line, FORGING);
        // Largest first: pid 100 + n - 1 at position 1.
        lines.slice(2).forEach((row, i) => {
          assert.match(row, new RegExp(`^ *${i + 1} +${100 + names.length - 1 - i}  `), row);
        });
      }),
      { ...params, numRuns: Math.min(params.numRuns, 150) },
    );
  });

  test('explain prints as many lines for a hostile name as for a plain one, none with a raw control', () => {
    const plain = renderExplanation(
      explainProcess(snapshotWith(['a', 'b', 'c']), 101, { ranker: 'kernel', cgroup: null }),
    );
    fc.assert(
      fc.property(fc.array(hostileText(), { minLength: 3, maxLength: 3 }), (names) => {
        const text = renderExplanation(
          explainProcess(snapshotWith(names), 101, { ranker: 'kernel', cgroup: null }),
        );
        assert.equal(text.split('\n').length, plain.split('\n').length, text);
        for (const line of text.split('\n')) assert.doesNotMatch(line, FORGING);
      }),
      { ...params, numRuns: Math.min(params.numRuns, 150) },
    );
  });
});
