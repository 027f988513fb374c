import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRunArgs } from '../../src/config/flags.js';
import { loadConfig } from '../../src/config/load.js';
import type { Thresholds } from '../../src/config/types.js';
import type { CgroupInfo, MemInfo, Snapshot } from '../../src/model/snapshot.js';
import {
  cgroupFigures,
  evaluateFigures,
  evaluateThresholds,
  scopeWakeUsageBytes,
  systemFigures,
} from '../../src/policy/thresholds.js';
import { cgroup as builderCgroup } from '../helpers/snapshot-builder.js';

const MiB = 1024 * 1024;

function meminfo(over: Partial<MemInfo>): MemInfo {
  return {
    memTotal: 1000 * MiB,
    memFree: 0,
    memAvailable: 500 * MiB,
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
    ...over,
  };
}

/** A v1 cgroup with a 100 MiB limit, unless `over` says otherwise. */
function cgroup(over: Partial<CgroupInfo>): CgroupInfo {
  return builderCgroup(over.path ?? '/oomguard-test-x', {
    version: 1,
    usage: 0,
    limit: 100 * MiB,
    swappiness: 60,
    ...over,
  });
}

function snapshot(mem: MemInfo, cgroups: CgroupInfo[] = []): Snapshot {
  return {
    timeMs: 0,
    pageSize: 4096,
    clockTicks: 100,
    uptimeSec: 1,
    meminfo: mem,
    vmstat: null,
    psi: { memory: null, io: null, cpu: null },
    processes: [],
    cgroupLayout: 'v1',
    cgroups: new Map(cgroups.map((c) => [c.path, c])),
    hostPidNamespace: true,
    selfPid: null,
  };
}

// earlyoom's defaults: 10 % / 5 % for memory and swap.
const EARLYOOM: Thresholds = { term: { percent: 10, bytes: null }, kill: { percent: 5, bytes: null } };
const judge = (m: MemInfo, memory = EARLYOOM, swap = EARLYOOM) =>
  evaluateFigures(systemFigures(m, 'total'), memory, swap);

describe('thresholds: earlyoom rule on the system', () => {
  it('no swap: memory alone decides, at or below each level', () => {
    const cases: [number, string][] = [
      [101, 'ok'], // 10.1 %
      [100, 'term'], // exactly 10 %: "at or below"
      [95, 'term'],
      [51, 'term'],
      [50, 'kill'], // exactly 5 %
      [0, 'kill'],
    ];
    for (const [availMiB, level] of cases) {
      const v = judge(meminfo({ memAvailable: availMiB * MiB }));
      assert.equal(v.level, level, `${availMiB} MiB`);
      assert.equal(v.swapFreePercent, 0);
    }
  });

  it('reports the figures and the reason', () => {
    const v = judge(meminfo({ memAvailable: 95 * MiB }));
    assert.equal(v.memAvailBytes, 95 * MiB);
    assert.equal(v.memAvailPercent, 9.5);
    assert.equal(v.swapFreeBytes, 0);
    assert.equal(v.memTermBytes, 100 * MiB);
    assert.equal(v.memKillBytes, 50 * MiB);
    assert.equal(
      v.why,
      'memory available 95 MiB = 9.5 % (MemAvailable of MemTotal; term ≤ 10 %, kill ≤ 5 %); ' +
        'no swap: memory alone decides → term: memory at the term level',
    );
  });

  it('with swap, both must be short', () => {
    const withSwap = (memMiB: number, swapFreeMiB: number) =>
      judge(meminfo({ memAvailable: memMiB * MiB, swapTotal: 1000 * MiB, swapFree: swapFreeMiB * MiB }));
    assert.equal(withSwap(50, 500).level, 'ok'); // memory at kill level, swap 50 % free
    assert.equal(withSwap(50, 500).why.endsWith('→ ok: swap above the term level'), true);
    assert.equal(withSwap(95, 100).level, 'term'); // 9.5 % and 10 %
    assert.equal(withSwap(40, 100).level, 'term'); // memory 4 %, swap 10 %: swap not at kill level
    assert.equal(withSwap(40, 50).level, 'kill'); // 4 % and 5 %
    assert.equal(withSwap(200, 10).level, 'ok'); // swap short, memory 20 %
    assert.equal(withSwap(200, 10).why.endsWith('→ ok: memory above the term level'), true);
    assert.equal(withSwap(95, 100).swapFreePercent, 10);
  });

  it('-s 100 ignores swap for SIGTERM; its kill level is 50 % as in earlyoom', () => {
    const swap100 = loadConfig({ flags: parseRunArgs(['-s', '100']) }).swap;
    assert.deepEqual(swap100, { term: { percent: 100, bytes: null }, kill: { percent: 50, bytes: null } });
    const m = (memMiB: number, swapFreeMiB: number) =>
      meminfo({ memAvailable: memMiB * MiB, swapTotal: 1000 * MiB, swapFree: swapFreeMiB * MiB });
    assert.equal(judge(m(95, 1000), EARLYOOM, swap100).level, 'term'); // swap entirely free
    assert.equal(judge(m(40, 800), EARLYOOM, swap100).level, 'term'); // 80 % > 50 %: no kill
    assert.equal(judge(m(40, 500), EARLYOOM, swap100).level, 'kill');
    const swapOff = loadConfig({ flags: parseRunArgs(['-s', '100,100']) }).swap;
    assert.equal(judge(m(40, 1000), EARLYOOM, swapOff).level, 'kill');
  });

  it('percent and size: the lower level wins (both must be met)', () => {
    const both: Thresholds = {
      term: { percent: 10, bytes: 50 * MiB },
      kill: { percent: 5, bytes: 25 * MiB },
    };
    assert.equal(judge(meminfo({ memAvailable: 80 * MiB }), both).level, 'ok'); // 8 % but 80 MiB > 50 MiB
    assert.equal(judge(meminfo({ memAvailable: 50 * MiB }), both).level, 'term');
    assert.equal(judge(meminfo({ memAvailable: 40 * MiB }), both).level, 'term'); // 4 % but 40 MiB > 25 MiB
    assert.equal(judge(meminfo({ memAvailable: 25 * MiB }), both).level, 'kill');
    assert.equal(judge(meminfo({ memAvailable: 80 * MiB }), both).memTermBytes, 50 * MiB);
    // The percentage is the lower one when the size is larger: 10 % of 1000 MiB < 500 MiB.
    const big: Thresholds = {
      term: { percent: 10, bytes: 500 * MiB },
      kill: { percent: 5, bytes: 250 * MiB },
    };
    assert.equal(judge(meminfo({ memAvailable: 150 * MiB }), big).level, 'ok');
    assert.equal(judge(meminfo({ memAvailable: 150 * MiB }), big).memTermBytes, 100 * MiB);
  });

  it('size alone (-M): the percentage is not used', () => {
    const cfg = loadConfig({ flags: parseRunArgs(['-M', '204800']) }); // 200 MiB, kill 100 MiB
    assert.deepEqual(cfg.memory, {
      term: { percent: null, bytes: 200 * MiB },
      kill: { percent: null, bytes: 100 * MiB },
    });
    assert.equal(judge(meminfo({ memAvailable: 150 * MiB }), cfg.memory).level, 'term'); // 15 %
    assert.equal(judge(meminfo({ memAvailable: 100 * MiB }), cfg.memory).level, 'kill');
    assert.equal(judge(meminfo({ memAvailable: 201 * MiB }), cfg.memory).level, 'ok');
  });

  it('-m with -M: the lower of the two', () => {
    const cfg = loadConfig({ flags: parseRunArgs(['-m', '10', '-M', '51200']) }); // 10 % and 50 MiB
    assert.equal(judge(meminfo({ memAvailable: 80 * MiB }), cfg.memory).level, 'ok');
    assert.equal(judge(meminfo({ memAvailable: 50 * MiB }), cfg.memory).level, 'term');
  });

  it("percent bases: MemTotal by default, earlyoom's MemAvailable + AnonPages on request", () => {
    const m = meminfo({ memTotal: 4000 * MiB, memAvailable: 100 * MiB, anonPages: 900 * MiB });
    const five: Thresholds = { term: { percent: 5, bytes: null }, kill: { percent: 1, bytes: null } };
    const total = evaluateFigures(systemFigures(m, 'total'), five, EARLYOOM);
    const earlyoom = evaluateFigures(systemFigures(m, 'available+anon'), five, EARLYOOM);
    assert.equal(total.memAvailPercent, 2.5);
    assert.equal(total.level, 'term');
    assert.equal(earlyoom.memAvailPercent, 10);
    assert.equal(earlyoom.level, 'ok');
  });

  it('before Linux 3.14 (no MemAvailable): MemFree + Cached + Buffers − Shmem', () => {
    const m = meminfo({
      memAvailable: null,
      memFree: 50 * MiB,
      cached: 40 * MiB,
      buffers: 20 * MiB,
      shmem: 10 * MiB,
    });
    const v = judge(m);
    assert.equal(v.memAvailBytes, 100 * MiB);
    assert.equal(v.level, 'term');
  });
});

describe('thresholds: a cgroup limit', () => {
  it('v1, usage basis: limit − usage', () => {
    const cg = cgroup({ usage: 92 * MiB, stat: { total_inactive_file: 20 * MiB } });
    const v = evaluateFigures(
      cgroupFigures(cg, 'usage', 0) as NonNullable<ReturnType<typeof cgroupFigures>>,
      EARLYOOM,
      EARLYOOM,
    );
    assert.equal(v.memAvailBytes, 8 * MiB);
    assert.equal(v.memAvailPercent, 8);
    assert.equal(v.level, 'term');
    assert.equal(v.scope, '/oomguard-test-x');
  });

  it('v1, working set: usage − total_inactive_file', () => {
    const cg = cgroup({ usage: 95 * MiB, stat: { total_inactive_file: 20 * MiB, inactive_file: 1 * MiB } });
    const cfg = (basis: 'usage' | 'working-set') =>
      evaluateThresholds(snapshot(meminfo({}), [cg]), {
        memory: EARLYOOM,
        swap: EARLYOOM,
        memoryPercentBase: 'total',
        scopeCgroup: '/oomguard-test-x',
        cgroupAvailable: basis,
      });
    assert.equal(cfg('usage').level, 'kill'); // 5 MiB of 100 MiB
    assert.equal(cfg('working-set').memAvailBytes, 25 * MiB); // 100 − (95 − 20)
    assert.equal(cfg('working-set').level, 'ok');
    assert.equal(
      cfg('working-set').why.startsWith(
        'memory available 25 MiB = 25 % (cgroup /oomguard-test-x: limit 100 MiB − working set 75 MiB ' +
          '(usage 95 MiB − total_inactive_file 20 MiB); term ≤ 10 %',
      ),
      true,
    );
  });

  it('v2 reads inactive_file; a working set never goes below 0', () => {
    const cg = cgroup({
      version: 2,
      usage: 95 * MiB,
      stat: { inactive_file: 5 * MiB, total_inactive_file: 50 * MiB },
    });
    assert.equal(cgroupFigures(cg, 'working-set', 0)?.memAvailBytes, 10 * MiB);
    const cache = cgroup({ version: 2, usage: 10 * MiB, stat: { inactive_file: 30 * MiB } });
    assert.equal(cgroupFigures(cache, 'working-set', 0)?.memAvailBytes, 100 * MiB);
  });

  it('swap counts when the cgroup limits it and the system has swap', () => {
    const cg = (swapUsageMiB: number) =>
      cgroup({ version: 2, usage: 96 * MiB, swapLimit: 50 * MiB, swapUsage: swapUsageMiB * MiB });
    const v = (c: CgroupInfo, sysSwap: number) =>
      evaluateFigures(
        cgroupFigures(c, 'usage', sysSwap) as NonNullable<ReturnType<typeof cgroupFigures>>,
        EARLYOOM,
        EARLYOOM,
      );
    assert.equal(v(cg(45), 1024 * MiB).level, 'term'); // mem 4 %, swap 5 MiB of 50 = 10 %
    assert.equal(v(cg(45), 1024 * MiB).swapFreePercent, 10);
    assert.equal(v(cg(47.5), 1024 * MiB).level, 'kill'); // swap 5 %
    assert.equal(v(cg(10), 1024 * MiB).level, 'ok'); // swap 80 % free
    // The system has no swap: the allowance is moot, memory alone decides.
    assert.equal(v(cg(10), 0).level, 'kill');
    assert.equal(v(cg(10), 0).swapTotalBytes, 0);
    // Allowance capped by the system's swap (the kernel's min(swap.max, total swap)).
    assert.equal(v(cg(10), 20 * MiB).swapTotalBytes, 20 * MiB);
    // Unlimited swap in the cgroup: judged on memory alone.
    assert.equal(v(cgroup({ usage: 96 * MiB, swapLimit: null }), 1024 * MiB).level, 'kill');
    // v1 swappiness 0: no swap allowance.
    assert.equal(
      v(cgroup({ usage: 96 * MiB, swapLimit: 50 * MiB, swapUsage: 0, swappiness: 0 }), 1024 * MiB).level,
      'kill',
    );
  });

  it('a cgroup without a limit is judged on the system; a missing one is an error', () => {
    const s = snapshot(meminfo({ memAvailable: 95 * MiB }), [cgroup({ limit: null })]);
    const settings = {
      memory: EARLYOOM,
      swap: EARLYOOM,
      memoryPercentBase: 'total' as const,
      scopeCgroup: '/oomguard-test-x',
      cgroupAvailable: 'usage' as const,
    };
    const v = evaluateThresholds(s, settings);
    assert.equal(v.level, 'term');
    assert.equal(v.scope, '/');
    assert.equal(
      v.why.startsWith('cgroup /oomguard-test-x has no memory limit, judged on the system: memory'),
      true,
    );
    assert.throws(() => evaluateThresholds(s, { ...settings, scopeCgroup: '/gone' }), {
      message: 'cgroup /gone is not in the snapshot',
    });
  });
});

describe('scopeWakeUsageBytes: where a usage threshold wakes the daemon', () => {
  const settings = (memory: Thresholds) => ({
    memory,
    swap: EARLYOOM,
    memoryPercentBase: 'total' as const,
    scopeCgroup: '/oomguard-test-x',
    cgroupAvailable: 'working-set' as const,
  });

  it('limit − the TERM level: 10 % of a 100 MiB limit wakes at 90 MiB of usage', () => {
    const snap = snapshot(meminfo({}), [cgroup({ usage: 30 * MiB })]);
    const v = evaluateThresholds(snap, settings(EARLYOOM));
    assert.equal(scopeWakeUsageBytes(snap, v), 90 * MiB);
  });

  it('a size level: TERM at 16 MiB available wakes at 84 MiB', () => {
    const snap = snapshot(meminfo({}), [cgroup({ usage: 30 * MiB })]);
    const v = evaluateThresholds(
      snap,
      settings({ term: { percent: null, bytes: 16 * MiB }, kill: EARLYOOM.kill }),
    );
    assert.equal(scopeWakeUsageBytes(snap, v), 84 * MiB);
  });

  it('none for an unlimited scope (judged on the system) or a TERM level that never applies', () => {
    const unlimited = snapshot(meminfo({}), [cgroup({ limit: null, usage: 30 * MiB })]);
    assert.equal(scopeWakeUsageBytes(unlimited, evaluateThresholds(unlimited, settings(EARLYOOM))), null);
    const snap = snapshot(meminfo({}), [cgroup({ usage: 30 * MiB })]);
    const never = evaluateThresholds(
      snap,
      settings({ term: { percent: null, bytes: null }, kill: EARLYOOM.kill }),
    );
    assert.equal(scopeWakeUsageBytes(snap, never), null);
  });
});
