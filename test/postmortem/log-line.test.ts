import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kmsgRecordLines } from '../../src/host/linux/kmsg-watch.js';
import { parseLogLine } from '../../src/postmortem/log-line.js';
import { parseOomReports } from '../../src/postmortem/parse.js';

const MSG =
  'Out of memory: Killed process 7 (a b) total-vm:1kB, anon-rss:2kB, file-rss:3kB, shmem-rss:4kB, UID:0 pgtables:5kB oom_score_adj:6';

test('every log format yields the same kernel text', () => {
  const cases: [string, string | null, string | null][] = [
    [`[ 1281.927874] ${MSG}`, null, '1281.927874'],
    [`[ 1281.927874][  T1234] ${MSG}`, null, '1281.927874'],
    [`[Mon Dec  8 17:51:31 2025] ${MSG}`, null, 'Mon Dec  8 17:51:31 2025'],
    [`<3>[ 1281.927874] ${MSG}`, null, '1281.927874'],
    [`kern  :err   : [ 1281.927874] ${MSG}`, null, '1281.927874'],
    [`Apr 18 02:17:55 mdw kernel: ${MSG}`, 'mdw', 'Apr 18 02:17:55'],
    [`Apr  8 02:17:55 mdw kernel: [ 5.000001] ${MSG}`, 'mdw', 'Apr  8 02:17:55'],
    [`Jan 02 03:04:05.123456 h1 kernel: ${MSG}`, 'h1', 'Jan 02 03:04:05.123456'],
    [`2024-01-02T03:04:05+0000 h2 kernel: ${MSG}`, 'h2', '2024-01-02T03:04:05+0000'],
    [MSG, null, null],
  ];
  for (const [raw, host, stamp] of cases) {
    const line = parseLogLine(raw, 1, null);
    assert.deepEqual([line.text, line.host, line.stamp, line.fromKernel], [MSG, host, stamp, true], raw);
  }
  assert.equal(
    parseLogLine('Apr 18 02:17:55 mdw containerd[88]: Killed process 1 (x)', 1, null).fromKernel,
    false,
  );
  // An unprefixed continuation line belongs to the host of the line before.
  assert.equal(parseLogLine('  active_file:1 inactive_file:2', 2, 'mdw').host, 'mdw');
});

test('Killed process variants of 2.6.32, 3.10 (RHEL), 4.x and 5.x+', () => {
  const kill = (line: string) => parseOomReports(line)[0]?.killed[0];
  assert.deepEqual(
    kill('Killed process 11726, UID 498, (mysqld) total-vm:7823732kB, anon-rss:2539268kB, file-rss:768kB'),
    {
      context: '',
      pid: 11726,
      comm: 'mysqld',
      totalVmKb: 7823732,
      anonRssKb: 2539268,
      fileRssKb: 768,
      shmemRssKb: null,
      uid: 498,
      pgtablesKb: null,
      oomScoreAdj: null,
    },
  );
  assert.equal(
    kill(
      'Killed process 18177 (palo_be), UID 0, total-vm:70347780kB, anon-rss:45563572kB, file-rss:0kB, shmem-rss:0kB',
    )?.uid,
    0,
  );
  // A comm with spaces and parentheses.
  assert.equal(
    kill('Killed process 5 (Web (Content)) total-vm:1kB, anon-rss:1kB, file-rss:1kB, shmem-rss:1kB')?.comm,
    'Web (Content)',
  );
  assert.deepEqual(kill(MSG), {
    context: 'Out of memory',
    pid: 7,
    comm: 'a b',
    totalVmKb: 1,
    anonRssKb: 2,
    fileRssKb: 3,
    shmemRssKb: 4,
    uid: 0,
    pgtablesKb: 5,
    oomScoreAdj: 6,
  });
});

test('a /dev/kmsg record becomes dmesg lines: stamp from time_us, \\xNN unescaped, dictionary dropped', () => {
  assert.deepEqual(
    kmsgRecordLines(
      '6,1234,5678901,-;hog invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\n SUBSYSTEM=x\n',
    ),
    ['[    5.678901] hog invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0'],
  );
  assert.deepEqual(kmsgRecordLines('6,7,12000000,c;anon 1\\x0afile 2\\x5cok'), [
    '[   12.000000] anon 1',
    '[   12.000000] file 2\\ok',
  ]);
  assert.deepEqual(kmsgRecordLines('garbage without a separator'), []);
});

test('the OOM group kill and the no-victim ending', () => {
  const group = parseOomReports(
    [
      'a invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0',
      'Tasks in /g are going to be killed due to memory.oom.group set',
      'Memory cgroup out of memory: Killed process 10 (a) total-vm:1kB, anon-rss:1kB, file-rss:1kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0',
      'Memory cgroup out of memory: Killed process 11 (b) total-vm:1kB, anon-rss:1kB, file-rss:1kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0',
    ].join('\n'),
  );
  assert.equal(group.length, 1);
  assert.deepEqual(
    group[0]?.killed.map((k) => k.pid),
    [10, 11],
  );
  assert.equal(group[0]?.oomGroup, '/g');
  const none = parseOomReports(
    'a invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\nOut of memory and no killable processes...',
  );
  assert.equal(none[0]?.partial, false);
  assert.equal(none[0]?.noKill, 'Out of memory and no killable processes...');
  // Without the group line a second Killed line is a report of its own, not a second victim of this one.
  const two = parseOomReports(
    [
      'a invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0',
      'Out of memory: Killed process 10 (a) total-vm:1kB, anon-rss:1kB, file-rss:1kB, shmem-rss:0kB',
      'Out of memory: Killed process 11 (b) total-vm:1kB, anon-rss:1kB, file-rss:1kB, shmem-rss:0kB',
    ].join('\n'),
  );
  assert.deepEqual(
    two.map((r) => [r.killed.map((k) => k.pid), r.partial]),
    [
      [[10], false],
      [[11], true],
    ],
  );
});
