import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatBytes, formatPercent, parseDuration, parseSize } from '../../src/config/units.js';

describe('units', () => {
  it('sizes', () => {
    const cases: [unknown, number | null][] = [
      ['512MiB', 536_870_912],
      ['1G', 1_073_741_824],
      ['1g', 1_073_741_824],
      ['100KiB', 102_400],
      ['100K', 102_400],
      ['1.5GiB', 1_610_612_736],
      ['2 MiB', 2_097_152],
      ['1MB', 1_000_000],
      ['1kB', 1000],
      ['1TiB', 1_099_511_627_776],
      ['4096', 4096],
      ['12B', 12],
      [4096, 4096],
      [10.9, 10],
      ['ten', null],
      ['-1G', null],
      ['1 parsec', null],
      ['', null],
      [-5, null],
      [true, null],
    ];
    for (const [input, bytes] of cases) assert.equal(parseSize(input), bytes, JSON.stringify(input));
  });

  it('durations need a unit', () => {
    const cases: [unknown, number | null][] = [
      ['200ms', 200],
      ['5s', 5000],
      ['1.5s', 1500],
      ['1min', 60_000],
      ['1h', 3_600_000],
      ['0s', 0],
      ['5', null],
      [5, null],
      ['5 fortnights', null],
      ['-1s', null],
    ];
    for (const [input, ms] of cases) assert.equal(parseDuration(input), ms, JSON.stringify(input));
  });

  it('formatting', () => {
    assert.equal(formatBytes(95 * 1024 * 1024), '95 MiB');
    assert.equal(formatBytes(1536 * 1024 * 1024), '1.5 GiB');
    assert.equal(formatBytes(100), '100 B');
    assert.equal(formatPercent(9.5), '9.5 %');
    assert.equal(formatPercent(100 / 3), '33.33 %');
  });
});
