import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseProcStat } from '../../../../src/host/linux/parse/proc-stat.js';

/** A stat line as Linux 6.x prints it, with the fields after the comm taken from a real `sleep`. */
function statLine(comm: string): string {
  return `4036 (${comm}) S 1 4033 2197 0 -1 4194304 201 0 1 0 7 3 0 0 20 0 1 0 66048 2990080 393 18446744073709551615 94323640868864 94323640886793 140725754200960 0 0 0 0 6 0 1 0 0 17 1 0 0 0 0 0 94323640900880 94323640902144 94323987681280 140725754206952 140725754206960 140725754206960 140725754208233 0\n`;
}

const sleepFields = {
  pid: 4036,
  state: 'S',
  ppid: 1,
  pgrp: 4033,
  session: 2197,
  flags: 4194304,
  utime: 7,
  stime: 3,
  nice: 0,
  numThreads: 1,
  startTime: 66048,
  vsize: 2990080,
};

test('a plain stat line: every field by its number', () => {
  assert.deepEqual(parseProcStat(statLine('sleep')), { ...sleepFields, comm: 'sleep' });
});

test('hostile comms run from the first ( to the last )', () => {
  for (const comm of [
    ')',
    ') (',
    'a) (b',
    '((',
    'x) S 1 2 3',
    'with spaces',
    'x\ny z',
    '(sd-pam)',
    'abcdefghijklmno',
  ]) {
    assert.deepEqual(parseProcStat(statLine(comm)), { ...sleepFields, comm }, JSON.stringify(comm));
  }
});

test('a Buffer with a length reads only the first bytes, as the host passes its reused buffer', () => {
  const bytes = Buffer.from(`${statLine('a) (b')}garbage (left) by a longer earlier file`);
  const length = Buffer.byteLength(statLine('a) (b'));
  assert.deepEqual(parseProcStat(bytes, length), { ...sleepFields, comm: 'a) (b' });
});

test('multi-byte UTF-8 in comm is decoded', () => {
  assert.equal(parseProcStat(statLine('café'))?.comm, 'café');
});

test('kthreadd from Linux 6.18: PF_KTHREAD in flags, negative fields parse', () => {
  const line =
    '2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 -5 1 0 14 0 0 18446744073709551615 0 0 0 0 0 0 0 2147483647 0 1 0 0 0 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n';
  const stat = parseProcStat(line);
  assert.equal(stat?.flags, 2129984);
  assert.equal((stat?.flags ?? 0) & 0x00200000, 0x00200000);
  assert.equal(stat?.ppid, 0);
  assert.equal(stat?.nice, -5);
  assert.equal(stat?.startTime, 14);
});

test('not a stat line: null, never a throw', () => {
  assert.equal(parseProcStat(''), null);
  assert.equal(parseProcStat('4036 sleep S 1'), null);
  assert.equal(parseProcStat('4036 (sleep'), null);
  assert.equal(parseProcStat('4036 (sleep) S 1 2 3'), null);
});

test('a ) at every alignment before the fields, and a 63-byte kernel-thread name, are found', () => {
  for (let n = 0; n < 12; n++) {
    for (const comm of [')'.repeat(n), `${'x'.repeat(n)})`, `(${')'.repeat(n)}y`]) {
      assert.deepEqual(parseProcStat(statLine(comm)), { ...sleepFields, comm }, JSON.stringify(comm));
    }
  }
  const long = 'kworker/u16:3-events_unbound) (flush-8:0) and a name of 63 bytes';
  assert.equal(Buffer.byteLength(long.slice(0, 63)), 63);
  assert.deepEqual(parseProcStat(statLine(long.slice(0, 63))), { ...sleepFields, comm: long.slice(0, 63) });
});

test('a stat line cut short: null, whatever the length', () => {
  const bytes = Buffer.from(statLine('a) (b'));
  const full = bytes.length;
  for (let length = 0; length < full; length++) {
    const stat = parseProcStat(bytes, length);
    // Field 23 (vsize) ends at the space before field 24: any shorter read lacks it.
    if (stat !== null) assert.ok(length > bytes.indexOf(' 2990080') + 1, String(length));
  }
  assert.deepEqual(parseProcStat(bytes, full), { ...sleepFields, comm: 'a) (b' });
});

test('comms that share a length but not their bytes, one after another, each come back as written', () => {
  for (const comm of [
    'abc',
    'abd',
    'abc',
    'abc',
    'ab\u00e9',
    'abc',
    '',
    'x'.repeat(63),
    `${'x'.repeat(62)}y`,
  ]) {
    assert.equal(parseProcStat(statLine(comm))?.comm, comm);
  }
});
