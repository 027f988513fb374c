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

// A whole /proc/PID/status of `cat` on Linux 6.18, every line as the kernel printed it.
const whole = `Name:\tcat
Umask:\t0022
State:\tR (running)
Tgid:\t17745
Ngid:\t0
Pid:\t17745
PPid:\t17743
TracerPid:\t0
Uid:\t0\t0\t0\t0
Gid:\t0\t0\t0\t0
FDSize:\t256
Groups:\t 
NStgid:\t17745
NSpid:\t17745
NSpgid:\t17743
NSsid:\t1605
Kthread:\t0
VmPeak:\t    3060 kB
VmSize:\t    3060 kB
VmLck:\t       0 kB
VmPin:\t       0 kB
VmHWM:\t    1768 kB
VmRSS:\t    1768 kB
RssAnon:\t     116 kB
RssFile:\t    1652 kB
RssShmem:\t       0 kB
VmData:\t     360 kB
VmStk:\t     132 kB
VmExe:\t      20 kB
VmLib:\t    1528 kB
VmPTE:\t      44 kB
VmSwap:\t       0 kB
HugetlbPages:\t       0 kB
CoreDumping:\t0
THP_enabled:\t1
untag_mask:\t0xffffffffffffffff
Threads:\t1
SigQ:\t0/96362
SigPnd:\t0000000000000000
ShdPnd:\t0000000000000000
SigBlk:\t0000000000000000
SigIgn:\t0000000000000000
SigCgt:\t0000000000000000
CapInh:\t0000000000000000
CapPrm:\t000001fffeffffff
CapEff:\t000001fffeffffff
CapBnd:\t000001fffeffffff
CapAmb:\t0000000000000000
NoNewPrivs:\t0
Seccomp:\t0
Seccomp_filters:\t0
Speculation_Store_Bypass:\tvulnerable
SpeculationIndirectBranch:\talways enabled
Cpus_allowed:\t3
Cpus_allowed_list:\t0-1
Mems_allowed:\t00000000,00000001
Mems_allowed_list:\t0
voluntary_ctxt_switches:\t0
nonvoluntary_ctxt_switches:\t0
`;

const wholeFields = {
  uid: 0,
  euid: 0,
  rssAnon: 116 * 1024,
  rssFile: 1652 * 1024,
  rssShmem: 0,
  vmSwap: 0,
  vmPte: 44 * 1024,
  kthread: false,
  capEff: 0x1fffeffffffn,
  hasMm: true,
};

test('a whole 6.18 status, in a reused buffer holding a longer earlier file after it', () => {
  assert.deepEqual(parseProcStatus(whole), wholeFields);
  const bytes = Buffer.alloc(64 * 1024, 'VmSwap:\t 999 kB\nUid:\t7\t7\t7\t7\n');
  const length = bytes.write(whole);
  assert.deepEqual(parseProcStatus(bytes, length), wholeFields);
});

test('every length of the buffer up to the file: no line is read past the given length', () => {
  const bytes = Buffer.from(whole);
  const uidEnd = whole.indexOf('\nGid:');
  for (let length = 0; length <= bytes.length; length++) {
    const status = parseProcStatus(bytes, length);
    // Uid needs its second value and the digits after it; before that, no record.
    if (length <= whole.indexOf('Uid:\t0\t0') + 'Uid:\t0\t'.length)
      assert.equal(status, null, String(length));
    if (length > uidEnd) assert.equal(status?.uid, 0, String(length));
  }
  const cut = whole.indexOf('VmPTE:');
  assert.deepEqual(parseProcStatus(bytes, cut), { ...wholeFields, vmPte: 0, capEff: 0n });
});

test('nothing after CapEff is read: the kernel prints no field used here after it', () => {
  const text =
    'Uid:\t5\t6\t6\t6\nVmPTE:\t 8 kB\nCapEff:\t00000000000000ff\nVmSwap:\t 4 kB\nRssAnon:\t 4 kB\n';
  assert.deepEqual(parseProcStatus(text), {
    uid: 5,
    euid: 6,
    rssAnon: 0,
    rssFile: 0,
    rssShmem: 0,
    vmSwap: 0,
    vmPte: 8 * 1024,
    kthread: null,
    capEff: 0xffn,
    hasMm: true,
  });
});

test('CapEff: masks that alternate come back exact (the last one is reused only when equal), short and over-long', () => {
  const cap = (hex: string) => parseProcStatus(`Uid:\t0\t0\t0\t0\nCapEff:\t${hex}\n`)?.capEff;
  assert.equal(cap('000001fffeffffff'), 0x1fffeffffffn);
  assert.equal(cap('0000000000000000'), 0n);
  assert.equal(cap('000001fffeffffff'), 0x1fffeffffffn);
  assert.equal(cap('00000000a80425fb'), 0xa80425fbn);
  assert.equal(cap('ffffffff00000000'), 0xffffffff00000000n);
  assert.equal(cap('1ff'), 0x1ffn);
  assert.equal(cap('ABCDEF'), 0xabcdefn);
  // More than 16 digits: the lowest 64 bits, as before.
  assert.equal(cap('1fedcba9876543210'), 0xfedcba9876543210n);
});

test('a Uid line with one value: no effective uid, no record', () => {
  assert.equal(parseProcStatus('Uid:\t0\nCapEff:\t0\n'), null);
});
