import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../src/model/errors.js';
import {
  childrenByParent,
  isqrt,
  type Legacy24Input,
  type Legacy2635Input,
  legacyInputFromProcess,
  legacyPoints24,
  legacyPoints2635,
  s,
  shiftHz,
} from '../../src/score/legacy.js';
import { buildSnapshot, PAGE } from '../helpers/snapshot-builder.js';

describe('2.4 s(): rough square root, never 0 (reference values)', () => {
  const values: Array<[number, number]> = [
    [0, 1],
    [1, 1],
    [3, 1],
    [4, 2],
    [15, 3],
    [16, 3],
    [78, 7],
    [100, 9],
    [1024, 24],
  ];
  for (const [x, expected] of values) it(`s(${x}) = ${expected}`, () => assert.equal(s(x), expected));
});

describe('isqrt', () => {
  it('is the exact floor square root', () => {
    assert.equal(isqrt(0), 0);
    assert.equal(isqrt(3), 1);
    assert.equal(isqrt(4), 2);
    assert.equal(isqrt(19), 4);
    assert.equal(isqrt(97), 9);
    assert.equal(isqrt(2 ** 52), 2 ** 26);
    assert.equal(isqrt((2 ** 26 + 1) ** 2 - 1), 2 ** 26);
  });
});

describe('SHIFT_HZ', () => {
  it('follows include/linux/jiffies.h', () => {
    assert.equal(shiftHz(100), 7);
    assert.equal(shiftHz(250), 8);
    assert.equal(shiftHz(300), 8);
    assert.equal(shiftHz(1000), 10);
    assert.equal(shiftHz(1024), 10);
    assert.equal(shiftHz(12), 4);
    assert.throws(() => shiftHz(11), UsageError);
  });
});

describe('Linux 2.4 badness, HZ 100 (reference vectors)', () => {
  // CPU 80000 ticks → 78 → s = 7; age 2000000 ticks → 15 → s(15) = 3 → s(3) = 1.
  const plain: Legacy24Input = {
    totalVmPages: 262144,
    cpuTicks: 80000,
    ageTicks: 2000000,
    hz: 100,
    nice: 0,
    root: false,
    capSysAdmin: false,
    capSysRawio: false,
  };

  it('plain: 262144 / 7 / 1 = 37449', () => assert.equal(legacyPoints24(plain), 37449));
  it('root: ÷ 4 = 9362', () => assert.equal(legacyPoints24({ ...plain, root: true }), 9362));
  it('brand-new task: 262144', () => {
    assert.equal(legacyPoints24({ ...plain, cpuTicks: 0, ageTicks: 0 }), 262144);
  });
  it('CAP_SYS_ADMIN counts like root; CAP_SYS_RAWIO divides again: 37449 / 4 / 4 = 2340', () => {
    assert.equal(legacyPoints24({ ...plain, capSysAdmin: true }), 9362);
    assert.equal(legacyPoints24({ ...plain, capSysAdmin: true, capSysRawio: true }), 2340);
  });
  it('nice > 0 doubles: 74898', () => assert.equal(legacyPoints24({ ...plain, nice: 5 }), 74898));
});

describe('Linux 2.6.35 badness, HZ 1000 (reference vectors)', () => {
  // CPU 800000 jiffies → 97, isqrt 9; age 20000 s → 19, isqrt(isqrt) 2.
  const plain: Legacy2635Input = {
    totalVmPages: 262144,
    childrenVmPages: [],
    cpuJiffies: 800000,
    hz: 1000,
    runSeconds: 20000,
    nice: 0,
    capSysAdmin: false,
    capSysResource: false,
    capSysRawio: false,
    oomAdj: 0,
  };

  it('plain: 14563', () => assert.equal(legacyPoints2635(plain), 14563));
  it('CAP_SYS_ADMIN: 3640', () => assert.equal(legacyPoints2635({ ...plain, capSysAdmin: true }), 3640));
  it('oom_adj +3: 116504', () => assert.equal(legacyPoints2635({ ...plain, oomAdj: 3 }), 116504));
  it('oom_adj −2: 3640', () => assert.equal(legacyPoints2635({ ...plain, oomAdj: -2 }), 3640));
  it('two children of 100000 pages: 362146 / 9 / 2 = 20119', () => {
    assert.equal(legacyPoints2635({ ...plain, childrenVmPages: [100000, 100000] }), 20119);
  });
  it('nice > 0: 29126', () => assert.equal(legacyPoints2635({ ...plain, nice: 1 }), 29126));
  it('5000 jiffies of CPU, 300 s old: both terms 0, 262144', () => {
    assert.equal(legacyPoints2635({ ...plain, cpuJiffies: 5000, runSeconds: 300 }), 262144);
  });
  it('oom_adj −17: 0', () => assert.equal(legacyPoints2635({ ...plain, oomAdj: -17 }), 0));

  it('more by hand', () => {
    // CAP_SYS_RESOURCE alone ÷ 4; with CAP_SYS_RAWIO ÷ 4 again: 14563 / 4 / 4 = 910.
    assert.equal(legacyPoints2635({ ...plain, capSysResource: true }), 3640);
    assert.equal(legacyPoints2635({ ...plain, capSysAdmin: true, capSysRawio: true }), 910);
    // Disjoint cpuset ÷ 8: 14563 / 8 = 1820.
    assert.equal(legacyPoints2635({ ...plain, cpusetDisjoint: true }), 1820);
    // A start time after "uptime" means run 0: 262144 / 9 = 29127.
    assert.equal(legacyPoints2635({ ...plain, runSeconds: -5 }), 29127);
    // 0 points with a positive oom_adj become 1 first: 1 << 3 = 8.
    assert.equal(legacyPoints2635({ ...plain, totalVmPages: 0, oomAdj: 3 }), 8);
    // HZ 250: 800000 >> 11 = 390, isqrt 19: 262144 / 19 = 13797, / 2 = 6898.
    assert.equal(legacyPoints2635({ ...plain, hz: 250 }), 6898);
    // oom_adj 15 on the plain task: 14563 × 32768 = 477200384 (beyond 32 bits: no overflow in JS).
    assert.equal(legacyPoints2635({ ...plain, oomAdj: 15 }), 477200384);
  });
});

describe('2.6.35 inputs from a snapshot', () => {
  // USER_HZ 100: 80000 ticks = 800 s of CPU = 800000 jiffies at HZ 1000. Uptime 30000 s, started
  // at 10000 s (1000000 ticks): run 20000 s. CapEff has CAP_SYS_ADMIN (21) only.
  const snap = buildSnapshot({
    clockTicks: 100,
    uptimeSec: 30000.75,
    processes: [
      {
        pid: 100,
        vmPages: 262144,
        cpuTicks: 80000,
        startTicks: 1000000,
        capEff: 1n << 21n,
        oomScoreAdj: 500,
        nice: 3,
      },
      { pid: 101, ppid: 100, vmPages: 100000 },
      { pid: 102, ppid: 100, vmPages: 100000 },
      { pid: 103, ppid: 100, vmPages: 0, hasMm: false, state: 'Z' },
      { pid: 104, ppid: 101, vmPages: 5 },
    ],
  });
  const [parent] = snap.processes;
  assert.ok(parent);

  it('converts ticks, seconds, capabilities, oom_adj and children', () => {
    const children = childrenByParent(snap.processes).get(100) ?? [];
    assert.deepEqual(
      children.map((c) => c.pid),
      [101, 102, 103],
    );
    assert.deepEqual(legacyInputFromProcess(parent, snap, children), {
      totalVmPages: 262144,
      childrenVmPages: [100000, 100000],
      cpuJiffies: 800000,
      hz: 1000,
      runSeconds: 20000,
      nice: 3,
      capSysAdmin: true,
      capSysResource: false,
      capSysRawio: false,
      oomAdj: 8,
    });
  });

  it('reads CAP_SYS_RAWIO (17) and CAP_SYS_RESOURCE (24) from CapEff', () => {
    const p = { ...parent, capEff: (1n << 17n) | (1n << 24n) };
    const input = legacyInputFromProcess(p, snap, []);
    assert.equal(input.capSysRawio, true);
    assert.equal(input.capSysResource, true);
    assert.equal(input.capSysAdmin, false);
  });

  it('gives the reference result for the reference process', () => {
    const p = { ...parent, capEff: 0n, oomScoreAdj: 0, nice: 0 };
    const children = childrenByParent(snap.processes).get(100) ?? [];
    assert.equal(legacyPoints2635(legacyInputFromProcess(p, snap, children)), 20119);
    assert.equal(legacyPoints2635(legacyInputFromProcess(p, snap, [])), 14563);
  });

  it('page counts use the snapshot page size', () => {
    assert.equal(legacyInputFromProcess(parent, { ...snap, pageSize: 2 * PAGE }, []).totalVmPages, 131072);
  });
});
