import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  bytesToPages,
  describePages,
  formatMiB,
  pageTablePages,
  processPages,
} from '../../src/score/pages.js';
import { proc } from '../helpers/snapshot-builder.js';

describe('pages', () => {
  it('bytesToPages truncates', () => {
    assert.equal(bytesToPages(4095, 4096), 0);
    assert.equal(bytesToPages(4096, 4096), 1);
    assert.equal(bytesToPages(8191, 4096), 1);
    assert.equal(bytesToPages(16 * 1024 ** 3, 4096), 4194304);
  });

  it('page tables: ⌊VmPTE × 1024 / PAGE⌋', () => {
    assert.equal(pageTablePages(8192 * 1024, 4096), 2048); // K1: 8192 kB
    assert.equal(pageTablePages(10 * 1024, 4096), 2); // 10 kB → 2.5 → 2
    // ppc64 fragments with 64 KiB pages: 40 kB of page tables count as 0 pages.
    assert.equal(pageTablePages(40 * 1024, 65536), 0);
  });

  it('processPages splits a process into the badness terms', () => {
    const p = proc({ pid: 5, rssAnon: 409600, rssFile: 8192, rssShmem: 4096, swap: 12288, pageTables: 6144 });
    assert.deepEqual(processPages(p, 4096), { anon: 100, file: 2, shmem: 1, swap: 3, pageTables: 1 });
  });

  it('formats MiB with at most two decimals', () => {
    assert.equal(formatMiB(512 * 1024 * 1024), '512 MiB');
    assert.equal(formatMiB(512 * 1024), '0.5 MiB');
    assert.equal(formatMiB(-1024 * 1024), '-1 MiB');
    assert.equal(formatMiB(1024 * 1024 * 1.125), '1.13 MiB');
    assert.equal(describePages(131072, 4096), '131072 pages (512 MiB)');
  });
});
