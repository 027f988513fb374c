// The kubelet's memory eviction order: reference §7 "Eviction ranking" (B, A, C, D, E), pods without
// statistics, critical pods, ties, and the pod-list parser's messages.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseEvictionCandidates } from '../../src/kube/eviction-input.js';
import { type EvictionCandidate, rankForEviction } from '../../src/kube/eviction-order.js';
import { MI } from './helpers.js';

const REFERENCE = JSON.stringify([
  { name: 'A', priority: 0, memoryRequestBytes: 0, workingSetBytes: '300Mi' },
  { name: 'B', priority: 0, memoryRequestBytes: '1Gi', workingSetBytes: '1.5Gi' },
  { name: 'C', priority: 1000, memoryRequestBytes: '256Mi', workingSetBytes: '2Gi' },
  { name: 'D', priority: 0, memoryRequestBytes: '4Gi', workingSetBytes: '3.9Gi' },
  { name: 'E', priority: 0, memoryRequestBytes: '2Gi', workingSetBytes: '1Gi' },
]);

describe('reference ranking', () => {
  const ranked = rankForEviction(parseEvictionCandidates(REFERENCE, 'pods.json'));
  test('order B, A, C, D, E', () => {
    assert.deepEqual(
      ranked.map((r) => r.pod.name),
      ['B', 'A', 'C', 'D', 'E'],
    );
    assert.deepEqual(
      ranked.map((r) => r.position),
      [1, 2, 3, 4, 5],
    );
  });
  test('overage and the over-request flag', () => {
    assert.deepEqual(
      ranked.map((r) => [r.exceedsRequest, r.overageBytes]),
      [
        [true, 512 * MI],
        [true, 300 * MI],
        [true, 1792 * MI],
        [false, 4187593114 - 4096 * MI], // 3.9Gi rounds up to 4187593114: −107374182 (−102.4Mi)
        [false, -1024 * MI],
      ],
    );
  });
  test('each reason names the key that put the pod before the next', () => {
    assert.deepEqual(
      ranked.map((r) => r.reason),
      [
        'working set 1536Mi over request 1Gi (+512Mi); priority 0; before A: larger working set − request (+512Mi > +300Mi)',
        'working set 300Mi over request 0 (+300Mi); priority 0; before C: lower priority (0 < 1000)',
        'working set 2Gi over request 256Mi (+1792Mi); priority 1000; before D: D is within its request',
        'working set ~3.9Gi within request 4Gi (~-102.4Mi); priority 0; before E: larger working set − request (~-102.4Mi > -1Gi)',
        'working set 1Gi within request 2Gi (-1Gi); priority 0; last to be evicted',
      ],
    );
  });
});

const pod = (
  name: string,
  ws: number | null,
  request = 0,
  priority = 0,
  critical: string | null = null,
): EvictionCandidate => ({
  name,
  priority,
  memoryRequestBytes: request,
  workingSetBytes: ws,
  critical,
});

describe('rules beyond the table', () => {
  test('pods without statistics go first, lower priority first among them', () => {
    const r = rankForEviction([
      pod('big', 8000 * MI),
      pod('nostats-hi', null, 0, 10),
      pod('nostats-lo', null, 0, -5),
    ]);
    assert.deepEqual(
      r.map((x) => x.pod.name),
      ['nostats-lo', 'nostats-hi', 'big'],
    );
    assert.equal(
      r[1]?.reason,
      'no usage statistics; priority 10; before big: pods without statistics go first',
    );
    assert.equal(r[0]?.exceedsRequest, null);
  });
  test('working set equal to the request is not over it', () => {
    const r = rankForEviction([pod('equal', 100 * MI, 100 * MI), pod('over', 1, 0)]);
    assert.deepEqual(
      r.map((x) => x.pod.name),
      ['over', 'equal'],
    );
  });
  test('critical pods are never evicted: listed last with position 0, whatever their usage', () => {
    const r = rankForEviction([
      pod('etcd', 9000 * MI, 0, 2000001000, 'priority 2000001000 ≥ 2000000000'),
      pod('web', 10 * MI),
    ]);
    assert.deepEqual(
      r.map((x) => [x.pod.name, x.position, x.evictable]),
      [
        ['web', 1, true],
        ['etcd', 0, false],
      ],
    );
    assert.equal(r[0]?.reason.endsWith('last to be evicted'), true);
    assert.match(r[1]?.reason ?? '', /critical pod \(priority 2000001000 ≥ 2000000000\): never evicted$/);
  });
  test('full ties are flagged and keep their input order', () => {
    const r = rankForEviction([pod('x', 5 * MI), pod('y', 5 * MI), pod('z', 4 * MI)]);
    assert.deepEqual(
      r.map((p) => [p.pod.name, p.tied]),
      [
        ['x', true],
        ['y', false],
        ['z', false],
      ],
    );
    assert.match(r[0]?.reason ?? '', /tied on every key/);
  });
});

describe('parseEvictionCandidates', () => {
  const fails = (json: unknown, message: string) =>
    assert.throws(() => parseEvictionCandidates(JSON.stringify(json), 'pods.json'), {
      name: 'UsageError',
      message,
    });
  test('priority ≥ 2000000000 or critical: true makes a pod critical; defaults 0', () => {
    const pods = parseEvictionCandidates(
      JSON.stringify([
        { name: 'a', priority: 2000000000, workingSetBytes: 1 },
        { name: 'b', critical: true, workingSetBytes: null },
        { name: 'c', workingSetBytes: 5 },
      ]),
      'x.json',
    );
    assert.deepEqual(pods, [
      {
        name: 'a',
        priority: 2000000000,
        memoryRequestBytes: 0,
        workingSetBytes: 1,
        critical: 'priority 2000000000 ≥ 2000000000',
      },
      { name: 'b', priority: 0, memoryRequestBytes: 0, workingSetBytes: null, critical: 'marked critical' },
      { name: 'c', priority: 0, memoryRequestBytes: 0, workingSetBytes: 5, critical: null },
    ]);
  });
  test('malformed input names the file and the field', () => {
    fails(
      [
        { name: 'a', workingSetBytes: 1 },
        { name: 'b', workingSetBytes: 1 },
        { name: 'c', memoryRequestBytes: true, workingSetBytes: 1 },
      ],
      'pods.json: [2].memoryRequestBytes: expected a number, got true',
    );
    fails(
      [{ name: 'a', memoryRequestBytes: -1, workingSetBytes: 1 }],
      'pods.json: [0].memoryRequestBytes: expected a number of bytes (a whole number ≥ 0), got -1',
    );
    fails(
      [{ name: 'a', memoryRequestBytes: '1GB', workingSetBytes: 1 }],
      'pods.json: [0].memoryRequestBytes: unknown suffix "GB", got "1GB" (expected a Kubernetes quantity such as 100Mi, 1.5Gi, 500M or 129e6)',
    );
    fails(
      [{ name: 'a' }],
      'pods.json: [0].workingSetBytes: expected a number (or null: no statistics), got nothing',
    );
    fails([{ workingSetBytes: 1 }], 'pods.json: [0].name: expected a string, got nothing');
    fails(
      [{ name: 'a', priority: 1.5, workingSetBytes: 1 }],
      'pods.json: [0].priority: expected a number (a whole number), got 1.5',
    );
    fails(
      [
        { name: 'a', workingSetBytes: 1 },
        { name: 'a', workingSetBytes: 2 },
      ],
      'pods.json: [1].name: "a" is also the name of [0]',
    );
    fails({ name: 'a' }, 'pods.json: (top level): expected a list, got an object');
    fails([7], 'pods.json: [0]: expected an object, got 7');
    assert.throws(
      () => parseEvictionCandidates('[{', 'pods.json'),
      /^UsageError: pods.json: not valid JSON: /,
    );
  });
});
