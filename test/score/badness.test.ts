import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  adjPages,
  effectiveOomDomain,
  globalTotalPages,
  memcgTotalPages,
  oomBadness,
  oomScore,
  parentCgroup,
} from '../../src/score/badness.js';
import { cgroup, GIB, MIB, meminfo, PAGE } from '../helpers/snapshot-builder.js';

// Reference §7: 16 GiB RAM, no swap, PAGE 4096.
const T16 = 4194304;

describe('oomBadness and oomScore: reference vectors K1–K8', () => {
  it('K1: 4 GiB + 100 MiB resident, VmPTE 8192 kB, adj 0', () => {
    const badness = oomBadness({
      rssPages: 1048576 + 25600,
      swapPages: 0,
      pageTablePages: 2048,
      adj: 0,
      totalPages: T16,
    });
    assert.equal(badness, 1076224);
    assert.equal(oomScore(badness, T16), 837);
  });

  it('K2: adj 500 adds 500 × 4194 pages', () => {
    const badness = oomBadness({
      rssPages: 262144,
      swapPages: 0,
      pageTablePages: 128,
      adj: 500,
      totalPages: T16,
    });
    assert.equal(badness, 2359272);
    assert.equal(oomScore(badness, T16), 1041);
  });

  it('K3: adj −500 makes badness negative', () => {
    const badness = oomBadness({
      rssPages: 262144,
      swapPages: 0,
      pageTablePages: 0,
      adj: -500,
      totalPages: T16,
    });
    assert.equal(badness, -1834856);
    assert.equal(oomScore(badness, T16), 375);
  });

  it('K4: truncation toward zero gives 3 where floor would give 2', () => {
    const badness = oomBadness({
      rssPages: 14000,
      swapPages: 0,
      pageTablePages: 0,
      adj: -999,
      totalPages: T16,
    });
    assert.equal(badness, -4175806);
    assert.equal(oomScore(badness, T16), 3);
  });

  it('K5', () => {
    const badness = oomBadness({
      rssPages: 10000,
      swapPages: 0,
      pageTablePages: 0,
      adj: -999,
      totalPages: T16,
    });
    assert.equal(badness, -4179806);
    assert.equal(oomScore(badness, T16), 2);
  });

  it('K6: all of RAM with adj 1000 scores 1999', () => {
    const badness = oomBadness({
      rssPages: 4194304,
      swapPages: 0,
      pageTablePages: 0,
      adj: 1000,
      totalPages: T16,
    });
    assert.equal(badness, 8388304);
    assert.equal(oomScore(badness, T16), 1999);
  });

  it('K7: an ineligible task reads 0', () => {
    assert.equal(oomScore(null, T16), 0);
  });

  it('K8: 8 GiB RAM + 2 GiB swap, swap and page tables counted', () => {
    const t = globalTotalPages(meminfo(8 * GIB, 2 * GIB), PAGE);
    assert.equal(t.pages, 2621440);
    const badness = oomBadness({
      rssPages: 262144 + 5120 + 16384,
      swapPages: 65536,
      pageTablePages: 512,
      adj: 100,
      totalPages: t.pages,
    });
    assert.equal(badness, 611796);
    assert.equal(oomScore(badness, t.pages), 822);
  });

  it('K9: memcg T = 131072 gives 145600 and 105600; oom_score uses the global T', () => {
    const t = memcgTotalPages(cgroup('/k9', { limit: 512 * MIB, swapLimit: 0 }), meminfo(16 * GIB), PAGE);
    assert.equal(t?.pages, 131072);
    const p1 = oomBadness({
      rssPages: 80000,
      swapPages: 0,
      pageTablePages: 100,
      adj: 500,
      totalPages: 131072,
    });
    const p2 = oomBadness({
      rssPages: 40000,
      swapPages: 0,
      pageTablePages: 100,
      adj: 500,
      totalPages: 131072,
    });
    assert.equal(p1, 145600);
    assert.equal(p2, 105600);
    const g1 = oomBadness({ rssPages: 80000, swapPages: 0, pageTablePages: 100, adj: 500, totalPages: T16 });
    const g2 = oomBadness({ rssPages: 40000, swapPages: 0, pageTablePages: 100, adj: 500, totalPages: T16 });
    assert.equal(oomScore(g1, T16), 1012);
    assert.equal(oomScore(g2, T16), 1006);
  });

  it('takes trunc(T/1000) before multiplying by adj', () => {
    // T = 1999 pages: trunc(T/1000) = 1, so adj 999 adds 999 pages (not 999 × 1.999 = 1997).
    assert.equal(adjPages(999, 1999), 999);
    assert.equal(adjPages(-999, 1999), -999);
    // Below 1000 pages adj has no weight at all.
    assert.equal(adjPages(1000, 999), 0);
  });

  it('oom_score truncates a negative per-mille toward zero (hand: −1 × 1000 / 3 = −333.3 → −333)', () => {
    // (1000 − 333) × 2 / 3 = 444.67 → 444; floor would have given −334 → 444 too, so also check −1000/3.
    assert.equal(oomScore(-1, 3), 444);
    // badness −2, T 3: −666.7 → −666; (334 × 2)/3 = 222.67 → 222 (floor: −667 → 222 as well, 333×2/3=222).
    assert.equal(oomScore(-2, 3), 222);
    // badness −1, T 1000: −1 → 999 × 2 / 3 = 666.
    assert.equal(oomScore(-1, 1000), 666);
  });
});

describe('globalTotalPages', () => {
  it('16 GiB without swap is 4194304 pages and says how', () => {
    const t = globalTotalPages(meminfo(16 * GIB), PAGE);
    assert.equal(t.pages, T16);
    assert.match(
      t.source,
      /MemTotal 4194304 pages \(16384 MiB\) \+ SwapTotal 0 pages \(0 MiB\) = 4194304 pages/,
    );
  });

  it('counts RAM and swap in whole pages of the given size (64 KiB pages)', () => {
    assert.equal(globalTotalPages(meminfo(16 * GIB, 1 * GIB), 65536).pages, 262144 + 16384);
  });

  it('refuses a meminfo without RAM', () => {
    assert.throws(() => globalTotalPages(meminfo(0), PAGE), /MemTotal 0/);
  });
});

describe('memcgTotalPages', () => {
  const noSwap = meminfo(16 * GIB);
  const swap1G = meminfo(16 * GIB, 1 * GIB); // 262144 swap pages

  it('v2 with swap.max 0: the limit alone', () => {
    const t = memcgTotalPages(cgroup('/a', { limit: 512 * MIB, swapLimit: 0 }), swap1G, PAGE);
    assert.equal(t?.pages, 131072);
    assert.match(
      t?.source ?? '',
      /^memcg \/a: memory\.max 131072 pages \(512 MiB\) \+ swap allowance 0 pages/,
    );
  });

  it('v2 with swap.max unlimited: limit + all of swap', () => {
    assert.equal(memcgTotalPages(cgroup('/a', { limit: 512 * MIB }), swap1G, PAGE)?.pages, 131072 + 262144);
  });

  it('v2 with swap.max below total swap: limit + swap.max', () => {
    const c = cgroup('/a', { limit: 512 * MIB, swapLimit: 256 * MIB });
    assert.equal(memcgTotalPages(c, swap1G, PAGE)?.pages, 131072 + 65536);
  });

  it('v2 with swap.max above total swap: capped by total swap', () => {
    const c = cgroup('/a', { limit: 512 * MIB, swapLimit: 4 * GIB });
    assert.equal(memcgTotalPages(c, swap1G, PAGE)?.pages, 131072 + 262144);
  });

  it('v2 on a machine without swap: the limit', () => {
    assert.equal(memcgTotalPages(cgroup('/a', { limit: 512 * MIB }), noSwap, PAGE)?.pages, 131072);
  });

  it('v1 with memsw: min(memsw − limit, total swap)', () => {
    const c = cgroup('/a', { version: 1, limit: 1 * GIB, memswLimit: 1.5 * GIB, swappiness: 60 });
    // 1.5 GiB − 1 GiB = 131072 pages < 262144 swap pages.
    assert.equal(memcgTotalPages(c, swap1G, PAGE)?.pages, 262144 + 131072);
    // Only 256 MiB of swap: 65536 pages.
    assert.equal(memcgTotalPages(c, meminfo(16 * GIB, 256 * MIB), PAGE)?.pages, 262144 + 65536);
    assert.match(memcgTotalPages(c, swap1G, PAGE)?.source ?? '', /memory\.limit_in_bytes 262144 pages/);
  });

  it('v1 with memsw unlimited or absent: limit + total swap', () => {
    const c = cgroup('/a', { version: 1, limit: 1 * GIB, swappiness: 60 });
    assert.equal(memcgTotalPages(c, swap1G, PAGE)?.pages, 262144 + 262144);
  });

  it('swappiness 0: no swap allowance (v1 with memsw)', () => {
    const c = cgroup('/a', { version: 1, limit: 1 * GIB, memswLimit: 2 * GIB, swappiness: 0 });
    const t = memcgTotalPages(c, swap1G, PAGE);
    assert.equal(t?.pages, 262144);
    assert.match(t?.source ?? '', /memory\.swappiness 0/);
  });

  it('a limit of 0 counts as 1 page', () => {
    assert.equal(memcgTotalPages(cgroup('/a', { limit: 0, swapLimit: 0 }), swap1G, PAGE)?.pages, 1);
  });

  it('truncates a limit that is not a whole number of pages', () => {
    // 1000000 B / 4096 = 244.14 → 244.
    assert.equal(memcgTotalPages(cgroup('/a', { limit: 1_000_000 }), noSwap, PAGE)?.pages, 244);
  });

  it('an unlimited memcg has no T of its own', () => {
    assert.equal(memcgTotalPages(cgroup('/a'), swap1G, PAGE), null);
  });
});

describe('effectiveOomDomain', () => {
  const cgroups = new Map(
    [
      cgroup('/'),
      cgroup('/a', { limit: 1 * GIB }),
      cgroup('/a/b'),
      cgroup('/ab'),
      cgroup('/x'),
      cgroup('/x/y', { limit: 64 * MIB }),
    ].map((c) => [c.path, c]),
  );

  it('is the cgroup itself when it has a limit', () => {
    assert.equal(effectiveOomDomain('/x/y', cgroups)?.path, '/x/y');
  });

  it('walks up to the nearest limited ancestor, passing over cgroups the snapshot lacks', () => {
    assert.equal(effectiveOomDomain('/a/b', cgroups)?.path, '/a');
    assert.equal(effectiveOomDomain('/a/b/c/d', cgroups)?.path, '/a');
  });

  it('does not mistake a name prefix for an ancestor', () => {
    assert.equal(effectiveOomDomain('/ab', cgroups), null);
  });

  it('is null when nothing up to the root is limited', () => {
    assert.equal(effectiveOomDomain('/x', cgroups), null);
    assert.equal(effectiveOomDomain('/', cgroups), null);
  });

  it('parentCgroup', () => {
    assert.equal(parentCgroup('/a/b'), '/a');
    assert.equal(parentCgroup('/a'), '/');
    assert.equal(parentCgroup('/'), null);
  });
});
