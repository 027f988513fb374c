// The test sandbox's reading of the kernel log: which memcg OOM kills came while an earlier victim in the
// same memcg was still being torn down. The lines are the kernel's own (Linux 6.18, this machine's log of the
// CI run where the simulator agreement test failed), trimmed to the lines the parser reads.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseKernelOomKills } from './sandbox.js';

const kill = (at: string, memcg: string, task: string, pid: number) =>
  `[${at}] oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=${memcg},task_memcg=${memcg},task=${task},pid=${pid},uid=0`;
const usage = (at: string, used: number, limit: number) =>
  `[${at}] memory: usage ${used}kB, limit ${limit}kB, failcnt 87`;

test('a second kill 4 ms after the first, with usage 8 MiB below the limit, came during a teardown', () => {
  const m = '/oomguard-test-sim-1794-mx7ozc82-2';
  const log = [
    usage('14031.373254', 153600, 153600),
    '[14031.373291] Tasks state (memory values in pages):',
    kill('14031.373299', m, 'ag-adj500', 1817),
    usage('14031.377504', 145508, 153600),
    kill('14031.377547', m, 'ag-large', 1816),
  ].join('\n');
  assert.deepEqual(parseKernelOomKills(log), [
    { memcg: m, comm: 'ag-adj500', pid: 1817, at: 14031.373299, duringTeardown: false },
    { memcg: m, comm: 'ag-large', pid: 1816, at: 14031.377547, duringTeardown: true },
  ]);
});

test('usage at the limit 4 ms after a kill is a teardown too; 210 ms later, at the limit, it is a new OOM', () => {
  const b = '/oomguard-test-sim-4372-mx7prt6i-10';
  const log = [
    usage('15375.124355', 102400, 102400),
    kill('15375.124405', b, 'ag-b2', 4435),
    usage('15375.127947', 102400, 102400),
    kill('15375.127979', b, 'ag-bgrow', 4436),
    usage('15375.338000', 102400, 102400),
    kill('15375.338100', b, 'ag-other', 4437),
  ].join('\n');
  assert.deepEqual(
    parseKernelOomKills(log).map((k) => [k.comm, k.duringTeardown]),
    [
      ['ag-b2', false],
      ['ag-bgrow', true],
      ['ag-other', false],
    ],
  );
});

test('a first kill short of the limit by less than a charge batch, and kills in other memcgs, are no teardown', () => {
  const log = [
    usage('14029.245040', 204728, 204800), // 72 KiB short: the kernel charges 64 pages at a time
    kill('14029.245093', '/a', 'ag-big', 1811),
    usage('14029.249000', 100000, 204800),
    kill('14029.249100', '/b', 'ag-y', 1812), // 4 ms later, 100 MiB short, but the first kill in /b
  ].join('\n');
  assert.deepEqual(
    parseKernelOomKills(log).map((k) => [k.memcg, k.comm, k.duringTeardown]),
    [
      ['/a', 'ag-big', false],
      ['/b', 'ag-y', false],
    ],
  );
});
