import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMeminfo } from '../../../../src/host/linux/parse/meminfo.js';

// Real /proc/meminfo of a 24 GiB Linux 6.18 machine (lines the parser ignores trimmed).
const live = `MemTotal:       24683656 kB
MemFree:        24522044 kB
MemAvailable:   24452320 kB
Buffers:             804 kB
Cached:            89952 kB
SwapCached:            0 kB
Active:            14436 kB
Inactive:          72644 kB
Active(anon):       1520 kB
Inactive(anon):     3764 kB
Active(file):      12916 kB
Inactive(file):    68880 kB
SwapTotal:       2097148 kB
SwapFree:        2097000 kB
AnonPages:          6416 kB
Shmem:              8952 kB
SReclaimable:      15836 kB
SUnreclaim:        18668 kB
CommitLimit:    12341828 kB
Committed_AS:      45940 kB
HugePages_Total:       0
Hugepagesize:       2048 kB
Hugetlb:            4096 kB
`;

test('kB become bytes, field by field', () => {
  assert.deepEqual(parseMeminfo(live), {
    memTotal: 25276063744,
    memFree: 25110573056,
    memAvailable: 25039175680,
    buffers: 823296,
    cached: 92110848,
    swapCached: 0,
    activeAnon: 1556480,
    inactiveAnon: 3854336,
    activeFile: 13225984,
    inactiveFile: 70533120,
    anonPages: 6569984,
    shmem: 9166848,
    sReclaimable: 16216064,
    sUnreclaim: 19116032,
    swapTotal: 2147479552,
    swapFree: 2147328000,
    commitLimit: 12638031872,
    committedAs: 47042560,
    hugetlb: 4194304,
  });
});

test('kernels before 3.14 have no MemAvailable: null, not 0', () => {
  const old = live.replace(/^MemAvailable:.*\n/m, '');
  assert.equal(parseMeminfo(old)?.memAvailable, null);
  assert.equal(parseMeminfo(old)?.memTotal, 25276063744);
});

test('not meminfo: null', () => {
  assert.equal(parseMeminfo(''), null);
  assert.equal(parseMeminfo('MemFree: 1 kB\n'), null);
});
