// Kubernetes quantities to bytes: exact values worked out by hand from the suffix tables
// (binary Ki = 2^10 … Ei = 2^60; decimal k = 10^3 … E = 10^18; m = 10^-3), fractions rounded up.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  compareExact,
  formatQuantity,
  parseExactQuantity,
  parseQuantity,
  parseQuantityBytes,
} from '../../src/kube/quantity.js';
import { UsageError } from '../../src/model/errors.js';

describe('parseQuantity', () => {
  const cases: [string, bigint][] = [
    ['1Gi', 1073741824n],
    ['500M', 500000000n],
    ['100Mi', 104857600n],
    ['1.5Gi', 1610612736n],
    ['128974848', 128974848n],
    ['129e6', 129000000n],
    ['123Mi', 128974848n],
    ['1k', 1000n],
    ['1Ki', 1024n],
    ['1E', 1000000000000000000n],
    ['1Ei', 1152921504606846976n],
    ['1E3', 1000n],
    ['2e-1', 1n], // 0.2 bytes rounds up
    ['500m', 1n],
    ['1500m', 2n],
    ['0', 0n],
    ['0.0Gi', 0n],
    ['.5Ki', 512n],
    ['1.', 1n],
    ['+64Mi', 67108864n],
    ['3.9Gi', 4187593114n], // 4187593113.6 rounds up
    ['16Ti', 17592186044416n],
  ];
  for (const [text, bytes] of cases) {
    test(`${text} → ${bytes}`, () => assert.equal(parseQuantity(text), bytes));
  }

  test('the int64 ceiling: 7Ei fits, 8Ei (2^63) does not', () => {
    assert.equal(parseQuantity('7Ei'), 8070450532247928832n);
    assert.throws(() => parseQuantity('8Ei', '--capacity'), /^UsageError: --capacity: too large, got "8Ei"/);
  });

  const bad: [string, RegExp][] = [
    ['', /not a number, got ""/],
    ['Gi', /not a number, got "Gi"/],
    ['1Gb', /unknown suffix "Gb", got "1Gb"/],
    ['1 Gi', /unknown suffix " Gi"/],
    [' 1Gi', /not a number/],
    ['1e', /unknown suffix "e"/],
    ['-1Gi', /must not be negative, got "-1Gi"/],
    ['1e99', /too large/],
    ['abc', /not a number/],
    ['1.2.3', /unknown suffix ".3"/],
  ];
  for (const [text, message] of bad) {
    test(`${JSON.stringify(text)} is a usage error naming the flag`, () => {
      assert.throws(
        () => parseQuantity(text, '--request'),
        (e: unknown) =>
          e instanceof UsageError &&
          e.exitCode === 2 &&
          e.message.startsWith('--request: ') &&
          message.test(e.message),
      );
    });
  }

  test('as a number: exact up to 2^53 − 1, a usage error above', () => {
    assert.equal(parseQuantityBytes('7Pi'), 7881299347898368);
    assert.throws(() => parseQuantityBytes('8Pi', '--capacity'), /--capacity: "8Pi" is too large/);
  });
});

describe('exact quantities (CPU)', () => {
  test('100m and 0.1 are equal; 100m and 200m are not, though both round up to 1', () => {
    assert.equal(compareExact(parseExactQuantity('100m'), parseExactQuantity('0.1')), 0);
    assert.equal(compareExact(parseExactQuantity('100m'), parseExactQuantity('200m')), -1);
    assert.equal(compareExact(parseExactQuantity('1'), parseExactQuantity('999m')), 1);
  });
});

describe('formatQuantity', () => {
  test('exact in the largest dividing binary unit, else ~ one decimal', () => {
    assert.equal(formatQuantity(1610612736), '1536Mi');
    assert.equal(formatQuantity(1073741824), '1Gi');
    assert.equal(formatQuantity(-536870912), '-512Mi');
    assert.equal(formatQuantity(1717986944), '~1.6Gi');
    assert.equal(formatQuantity(-107374182), '~-102.4Mi');
    assert.equal(formatQuantity(1000), '1000');
    assert.equal(formatQuantity(0), '0');
  });
});
