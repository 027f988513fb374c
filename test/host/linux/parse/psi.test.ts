import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePsi } from '../../../../src/host/linux/parse/psi.js';

test('some and full lines', () => {
  const text =
    'some avg10=11.49 avg60=3.63 avg300=1.06 total=7086181\nfull avg10=0.15 avg60=0.08 avg300=0.04 total=1208456\n';
  assert.deepEqual(parsePsi(text), {
    some: { avg10: 11.49, avg60: 3.63, avg300: 1.06, totalUs: 7086181 },
    full: { avg10: 0.15, avg60: 0.08, avg300: 0.04, totalUs: 1208456 },
  });
});

test('cpu on older kernels has no full line', () => {
  assert.deepEqual(parsePsi('some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n'), {
    some: { avg10: 0, avg60: 0, avg300: 0, totalUs: 0 },
    full: null,
  });
});

test('no valid some line: null', () => {
  assert.equal(parsePsi(''), null);
  assert.equal(parsePsi('some avg10=x avg60=0.00 avg300=0.00 total=0\n'), null);
  assert.equal(parsePsi('some avg10=1.00\n'), null);
});
