import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseVmstat } from '../../../../src/host/linux/parse/vmstat.js';

test('the counters by name; others ignored', () => {
  const text = `nr_free_pages 6130511
workingset_refault_anon 3
workingset_refault_file 50080
pswpin 10
pswpout 20
pgsteal_kswapd 5
pgsteal_direct 6
pgsteal_khugepaged 0
pgscan_kswapd 7
pgscan_direct 8
pgscan_direct_throttle 0
oom_kill 1
`;
  assert.deepEqual(parseVmstat(text), {
    pgscanKswapd: 7,
    pgscanDirect: 8,
    pgstealKswapd: 5,
    pgstealDirect: 6,
    oomKill: 1,
    workingsetRefaultAnon: 3,
    workingsetRefaultFile: 50080,
    pswpin: 10,
    pswpout: 20,
  });
});

test('keys an old kernel lacks read as 0', () => {
  assert.deepEqual(parseVmstat('pgscan_kswapd 9\n'), {
    pgscanKswapd: 9,
    pgscanDirect: 0,
    pgstealKswapd: 0,
    pgstealDirect: 0,
    oomKill: 0,
    workingsetRefaultAnon: 0,
    workingsetRefaultFile: 0,
    pswpin: 0,
    pswpout: 0,
  });
});
