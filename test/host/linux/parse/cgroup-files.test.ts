import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  parseKeyValues,
  parseLimit,
  parseNumber,
  parseOomControl,
  parsePidList,
} from '../../../../src/host/linux/parse/cgroup-files.js';

test('key value files by key, new keys anywhere', () => {
  assert.deepEqual(parseKeyValues('anon 4096\nfile 8192\nzswap 0\n'), { anon: 4096, file: 8192, zswap: 0 });
  assert.deepEqual(parseKeyValues('low 0\nhigh 5\nmax 0\noom 1\noom_kill 1\noom_group_kill 1\n'), {
    low: 0,
    high: 5,
    max: 0,
    oom: 1,
    oom_kill: 1,
    oom_group_kill: 1,
  });
  assert.deepEqual(parseKeyValues('\nbroken\nx notanumber\n'), {});
});

test('limits: max and the v1 near-2^63 values mean unlimited; real numbers stay', () => {
  assert.equal(parseLimit('max\n'), null);
  assert.equal(parseLimit('9223372036854771712\n'), null); // v1, 4 KiB pages
  assert.equal(parseLimit('9223372036854710272\n'), null); // v1, 64 KiB pages
  assert.equal(parseLimit('67108864\n'), 67108864);
  assert.equal(parseLimit('0\n'), 0);
  assert.equal(parseLimit('1099511627776\n'), 1099511627776); // 1 TiB is a real limit
  assert.equal(parseLimit('lots\n'), undefined);
  assert.equal(parseLimit(''), undefined);
});

test('single numbers', () => {
  assert.equal(parseNumber('60\n'), 60);
  assert.equal(parseNumber('-1\n'), -1);
  assert.equal(parseNumber('1.5\n'), undefined);
  assert.equal(parseNumber('\n'), undefined);
});

test('v1 memory.oom_control, with and without the 4.13 oom_kill line', () => {
  assert.deepEqual(parseOomControl('oom_kill_disable 0\nunder_oom 0\noom_kill 7\n'), {
    oomKillDisable: false,
    underOom: false,
    oomKill: 7,
  });
  assert.deepEqual(parseOomControl('oom_kill_disable 1\nunder_oom 1\n'), {
    oomKillDisable: true,
    underOom: true,
    oomKill: null,
  });
});

test('cgroup.procs', () => {
  assert.deepEqual(parsePidList('1\n23\n456\n'), [1, 23, 456]);
  assert.deepEqual(parsePidList(''), []);
});
