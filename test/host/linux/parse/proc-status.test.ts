import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseProcStatus } from '../../../../src/host/linux/parse/proc-status.js';

// Trimmed from a real Linux 6.18 /proc/1/status.
const live = `Name:\tprocess_api
Umask:\t0022
State:\tS (sleeping)
Tgid:\t1
PPid:\t0
Uid:\t1000\t0\t0\t0
Gid:\t0\t0\t0\t0
Kthread:\t0
VmPeak:\t   45084 kB
VmSize:\t   33752 kB
VmRSS:\t    8648 kB
RssAnon:\t    2724 kB
RssFile:\t       8 kB
RssShmem:\t    5916 kB
VmData:\t   26164 kB
VmPTE:\t     100 kB
VmSwap:\t      12 kB
Threads:\t11
CapInh:\t0000000000000000
CapPrm:\t000001ffffffffff
CapEff:\t000001ffffffffff
CapBnd:\t000001fffeffffff
`;

test('a live status: uids, Rss split, swap, page tables, caps; kB become bytes', () => {
  assert.deepEqual(parseProcStatus(live), {
    uid: 1000,
    euid: 0,
    rssAnon: 2724 * 1024,
    rssFile: 8 * 1024,
    rssShmem: 5916 * 1024,
    vmSwap: 12 * 1024,
    vmPte: 100 * 1024,
    kthread: false,
    capEff: 0x1ffffffffffn,
    hasMm: true,
  });
});

test('a kernel thread: Kthread 1, no Vm lines, so no mm', () => {
  const text =
    'Name:\tkthreadd\nState:\tS (sleeping)\nUid:\t0\t0\t0\t0\nKthread:\t1\nThreads:\t1\nCapEff:\t000001ffffffffff\n';
  assert.deepEqual(parseProcStatus(text), {
    uid: 0,
    euid: 0,
    rssAnon: 0,
    rssFile: 0,
    rssShmem: 0,
    vmSwap: 0,
    vmPte: 0,
    kthread: true,
    capEff: 0x1ffffffffffn,
    hasMm: false,
  });
});

test('a zombie on a kernel without the Kthread line: kthread null, hasMm false', () => {
  const status = parseProcStatus('Name:\tworker\nState:\tZ (zombie)\nUid:\t0\t0\t0\t0\nThreads:\t1\n');
  assert.equal(status?.kthread, null);
  assert.equal(status?.hasMm, false);
});

test('a full 64-bit CapEff stays exact', () => {
  const status = parseProcStatus('Uid:\t0\t0\t0\t0\nCapEff:\tfedcba9876543210\n');
  assert.equal(status?.capEff, 0xfedcba9876543210n);
});

test('no Uid line (an empty read of an exiting task): null', () => {
  assert.equal(parseProcStatus(''), null);
  assert.equal(parseProcStatus('Name:\tx\n'), null);
});
