// The screens of `oomguard top` as pure functions: every expected line below is written out by hand from the
// frame's numbers (sizes in binary units, bars of 30 cells with the used share filled and rounded).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Candidate, Ranking } from '../../src/model/ranking.js';
import type { MemInfo } from '../../src/model/snapshot.js';
import type { HistoryEntry } from '../../src/observe/history.js';
import {
  bar,
  memoryLine,
  psiLine,
  renderTop,
  swapLine,
  type TopFrame,
} from '../../src/observe/top/render.js';
import { paint } from '../../src/observe/top/screen.js';
import { commandForInput, sortVictims } from '../../src/observe/top/sort.js';

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

function meminfo(fields: Partial<MemInfo>): MemInfo {
  return {
    memTotal: 16 * GIB,
    memFree: 0,
    memAvailable: 8 * GIB,
    buffers: 0,
    cached: 0,
    swapCached: 0,
    activeAnon: 0,
    inactiveAnon: 0,
    activeFile: 0,
    inactiveFile: 0,
    anonPages: 0,
    shmem: 0,
    sReclaimable: 0,
    sUnreclaim: 0,
    swapTotal: 0,
    swapFree: 0,
    commitLimit: 0,
    committedAs: 0,
    hugetlb: 0,
    ...fields,
  };
}

function candidate(c: Partial<Candidate> & Pick<Candidate, 'pid' | 'comm' | 'position'>): Candidate {
  return {
    uid: 0,
    pgid: c.pid,
    startTicks: 100,
    cgroup: '/',
    rssBytes: 0,
    rssAnonBytes: 0,
    rssFileBytes: 0,
    rssShmemBytes: 0,
    swapBytes: 0,
    pageTableBytes: 0,
    oomScoreAdj: 0,
    totalPages: 4194304,
    badness: 1,
    oomScore: 0,
    kernelOomScore: null,
    killable: true,
    key: 1,
    tied: false,
    ...c,
  };
}

// Kill order: 30 (pos 1), 7 (pos 2), 500 (pos 3); by RSS: 7, 500, 30; by pid: 7, 30, 500.
const CANDIDATES: Candidate[] = [
  candidate({
    pid: 30,
    comm: 'chrome',
    position: 1,
    uid: 1000,
    rssBytes: 512 * MIB,
    oomScoreAdj: 300,
    oomScore: 850,
  }),
  candidate({
    pid: 7,
    comm: 'java',
    position: 2,
    uid: 1001,
    rssBytes: 3 * GIB,
    oomScore: 700,
    cgroup: '/app',
  }),
  candidate({
    pid: 500,
    comm: 'evil\x1b[2J',
    position: 3,
    rssBytes: 1 * GIB,
    oomScoreAdj: -500,
    oomScore: 400,
  }),
  candidate({ pid: 1, comm: 'init', position: 0, killable: false, badness: null, reason: 'host init' }),
];

const RANKING: Ranking = {
  ranker: 'kernel',
  scope: '/',
  pageSize: 4096,
  totalPages: 4194304,
  globalTotalPages: 4194304,
  totalPagesSource: 'global',
  candidates: CANDIDATES,
};

const KILL: HistoryEntry = {
  time: '2026-11-02T10:11:12.345Z',
  event: 'signal',
  message: 'sent SIGKILL to pid 44 (hog)',
  fields: { pid: 44, comm: 'hog', signal: 'SIGKILL', rssBytes: 2 * GIB, reason: 'memory 3.0 % <= 5 %' },
};

function frame(over: Partial<TopFrame> = {}): TopFrame {
  return {
    time: new Date('2026-11-02T10:20:30.999Z'),
    meminfo: meminfo({ swapTotal: 10 * GIB, swapFree: 4 * GIB }),
    psi: {
      some: { avg10: 12.5, avg60: 3, avg300: 1, totalUs: 10 },
      full: { avg10: 4.25, avg60: 1, avg300: 0, totalUs: 5 },
    },
    ranking: RANKING,
    users: new Map([[1000, 'alice']]),
    kills: [KILL],
    killsNote: null,
    ...over,
  };
}

describe('top: header lines', () => {
  test('bar fills the used share, rounded, and clamps outside 0..1', () => {
    assert.equal(bar(0.5, 10), '[#####.....]');
    assert.equal(bar(0.26, 10), '[###.......]');
    assert.equal(bar(1.7, 4), '[####]');
    assert.equal(bar(-1, 4), '[....]');
    assert.equal(bar(Number.NaN, 4), '[....]');
  });

  test('memory: available of total, bar of the used part', () => {
    assert.equal(
      memoryLine(meminfo({})),
      `Mem  [${'#'.repeat(15)}${'.'.repeat(15)}] 8.00 GiB available of 16.0 GiB (50.0 %)`,
    );
  });

  test('memory before Linux 3.14: MemFree + Cached + Buffers − Shmem stands in for MemAvailable', () => {
    // 2 + 1 + 1 − 0 = 4 GiB of 16: 12/16 used = 22.5 cells, rounded to 23.
    const m = meminfo({ memAvailable: null, memFree: 2 * GIB, cached: GIB, buffers: GIB });
    assert.equal(
      memoryLine(m),
      `Mem  [${'#'.repeat(23)}${'.'.repeat(7)}] 4.00 GiB available of 16.0 GiB (25.0 %)`,
    );
  });

  test('swap: free of total, or none', () => {
    assert.equal(swapLine(meminfo({})), 'Swap none');
    assert.equal(
      swapLine(meminfo({ swapTotal: 10 * GIB, swapFree: 4 * GIB })),
      `Swap [${'#'.repeat(18)}${'.'.repeat(12)}] 4.00 GiB free of 10.0 GiB (40.0 %)`,
    );
  });

  test('PSI: some and full avg10, or why not', () => {
    assert.equal(psiLine(frame().psi), 'PSI  memory some avg10 12.50 %  full avg10 4.25 %');
    assert.equal(psiLine(null), 'PSI  memory pressure not available');
    const noFull = { some: { avg10: 1, avg60: 0, avg300: 0, totalUs: 0 }, full: null };
    assert.equal(psiLine(noFull), 'PSI  memory some avg10 1.00 %  full avg10 -');
  });
});

describe('top: the whole screen', () => {
  test('kill order, escaped names, user names, recent kills', () => {
    const lines = renderTop(frame(), 'score', { columns: 200, rows: 40 });
    assert.deepEqual(lines, [
      'oomguard top  2026-11-02 10:20:30 UTC  ranker kernel  scope /',
      `Mem  [${'#'.repeat(15)}${'.'.repeat(15)}] 8.00 GiB available of 16.0 GiB (50.0 %)`,
      `Swap [${'#'.repeat(18)}${'.'.repeat(12)}] 4.00 GiB free of 10.0 GiB (40.0 %)`,
      'PSI  memory some avg10 12.50 %  full avg10 4.25 %',
      '',
      'Next victims: 3 killable of 4, sorted by score   keys: s score  r rss  p pid  q quit',
      '#  PID  USER   NAME              RSS  SWAP   ADJ  SCORE  CGROUP',
      '1   30  alice  chrome        512 MiB   0 B   300    850  /',
      '2    7  1001   java         3.00 GiB   0 B     0    700  /app',
      '3  500  0      evil\\x1b[2J  1.00 GiB   0 B  -500    400  /',
      '',
      'Recent kills',
      'TIME (UTC)           EVENT   PID  NAME  SIGNAL        RSS  DETAIL',
      '2026-11-02 10:11:12  signal   44  hog   SIGKILL  2.00 GiB  memory 3.0 % <= 5 %',
    ]);
  });

  test('sorted by RSS and by pid; the # column keeps the kill position', () => {
    const pids = (sort: 'rss' | 'pid') =>
      renderTop(frame(), sort, { columns: 200, rows: 40 })
        .slice(7, 10)
        .map((l) => l.trim().split(/\s+/).slice(0, 2).join(' '));
    assert.deepEqual(pids('rss'), ['2 7', '3 500', '1 30']);
    assert.deepEqual(pids('pid'), ['2 7', '1 30', '3 500']);
  });

  test('a small screen: the victims shrink to fit, lines are cut to the width', () => {
    // 10 rows − 6 header − 1 blank − 2 kill lines (title and note) leave 1 for the table, raised to 2: its
    // header and the first victim; the screen is then one line too long and the last (the note) is cut.
    const f = frame({ kills: [], killsNote: 'no kills recorded' });
    const small = renderTop(f, 'score', { columns: 200, rows: 10 });
    assert.equal(small.length, 10);
    assert.deepEqual(small.slice(6), [
      '#  PID  USER   NAME        RSS  SWAP  ADJ  SCORE  CGROUP',
      '1   30  alice  chrome  512 MiB   0 B  300    850  /',
      '',
      'Recent kills',
    ]);
    const narrow = renderTop(f, 'score', { columns: 12, rows: 40 });
    assert.ok(narrow.every((l) => l.length <= 12));
    assert.equal(narrow[0], 'oomguard top');
    assert.equal(narrow.at(-1), '  no kills r');
  });

  test('a message takes the last line', () => {
    const lines = renderTop(frame(), 'score', { columns: 200, rows: 40 }, 'cannot read: gone');
    assert.equal(lines.at(-1), 'cannot read: gone');
  });
});

describe('top: keys and sorting', () => {
  test('keys', () => {
    assert.deepEqual(commandForInput('q'), { kind: 'quit' });
    assert.deepEqual(commandForInput('\u0003'), { kind: 'quit' });
    assert.deepEqual(commandForInput('r'), { kind: 'sort', key: 'rss' });
    assert.deepEqual(commandForInput('m'), { kind: 'sort', key: 'rss' });
    assert.deepEqual(commandForInput('p'), { kind: 'sort', key: 'pid' });
    assert.deepEqual(commandForInput('s'), { kind: 'sort', key: 'score' });
    assert.equal(commandForInput('x'), null);
    // An arrow key's escape sequence holds no command letter.
    assert.equal(commandForInput('\x1b[A'), null);
    // Several keys in one chunk: the last sort counts, a quit anywhere wins.
    assert.deepEqual(commandForInput('rp'), { kind: 'sort', key: 'pid' });
    assert.deepEqual(commandForInput('rqp'), { kind: 'quit' });
  });

  test('only killable candidates, in the chosen order', () => {
    assert.deepEqual(
      sortVictims(CANDIDATES, 'score').map((c) => c.pid),
      [30, 7, 500],
    );
    assert.deepEqual(
      sortVictims(CANDIDATES, 'rss').map((c) => c.pid),
      [7, 500, 30],
    );
    assert.deepEqual(
      sortVictims(CANDIDATES, 'pid').map((c) => c.pid),
      [7, 30, 500],
    );
  });

  test('paint: home, erase to end of each line, CR LF between lines, erase below', () => {
    assert.equal(paint(['a', 'b']), '\x1b[Ha\x1b[K\r\nb\x1b[K\x1b[J');
  });
});
