// Scenario files: units, defaults, and errors that name the line and the field.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseScenario, ScenarioError } from '../../src/sim/parse.js';
import { parseShare, parseSimRate, parseSimSize, parseSimTime } from '../../src/sim/units.js';

const MiB = 1024 * 1024;

describe('units', () => {
  test('sizes, times, rates and shares', () => {
    assert.equal(parseSimSize('512MiB'), 512 * MiB);
    assert.equal(parseSimSize('1.5GiB'), 1536 * MiB);
    assert.equal(parseSimSize('4KiB'), 4096);
    assert.equal(parseSimSize(4096), 4096);
    assert.equal(parseSimSize('10MB'), null);
    assert.equal(parseSimSize('-1MiB'), null);
    assert.equal(parseSimTime('100ms'), 100);
    assert.equal(parseSimTime('1.5s'), 1500);
    assert.equal(parseSimTime('2min'), 120_000);
    assert.equal(parseSimTime('30d'), 2_592_000_000);
    assert.equal(parseSimTime('30'), null);
    assert.equal(parseSimRate('100MiB/s'), 100 * MiB);
    assert.equal(parseSimRate('-10MiB/s'), -10 * MiB);
    assert.equal(parseSimRate('60MiB/min'), MiB);
    assert.equal(parseSimRate('100MiB'), null);
    assert.equal(parseShare('50%'), 0.5);
    assert.equal(parseShare(2), 2);
  });
});

function errorOf(text: string): string {
  try {
    parseScenario('s.yaml', text);
  } catch (e) {
    assert.ok(e instanceof ScenarioError);
    assert.equal(e.exitCode, 2);
    return e.message;
  }
  assert.fail('expected a ScenarioError');
}

describe('parseScenario', () => {
  test('defaults: 4 KiB pages, overcommit 0, panic 0, cgroup v2, 100 ms steps, adj 0, uid 1000', () => {
    const s = parseScenario(
      's.yaml',
      'machine: { ram: 1GiB }\nrun: { duration: 10s }\nprocesses: [{ name: a }]\n',
    );
    assert.equal(s.machine.pageSize, 4096);
    assert.equal(s.kernel.overcommitMemory, 0);
    assert.equal(s.kernel.panicOnOom, 0);
    assert.equal(s.kernel.cgroupVersion, 2);
    assert.equal(s.run.stepMs, 100);
    assert.equal(s.processes[0]?.adj, 0);
    assert.equal(s.processes[0]?.uid, 1000);
    assert.equal(s.processes[0]?.cgroup, '/');
    assert.equal(s.kube.evictionHard, 100 * MiB);
  });

  test('errors name the line and the field', () => {
    const text = [
      'machine:',
      '  ram: 1GiB',
      'run:',
      '  duration: 10s',
      'processes:',
      '  - name: a',
      '  - name: b',
      '    grow: fast',
    ].join('\n');
    assert.equal(
      errorOf(text),
      's.yaml: line 8: processes[1].grow: expected a rate such as 100MiB/s, -10MiB/s or 1GiB/min, got "fast"',
    );
    assert.equal(
      errorOf('machine: { ram: 1GiB, colour: red }\nrun: { duration: 1s }\n'),
      's.yaml: line 1: machine.colour: unknown field (known here: ram, swap, page_size, kernel_reserved, page_cache, uptime, clock_ticks)',
    );
    assert.equal(errorOf('machine: { ram: 1GiB }\n'), 's.yaml: line 1: run: missing');
    assert.equal(
      errorOf('machine: { ram: 1GiB }\nrun: { duration: 1s }\nkernel:\n  panic_on_oom: 3\n'),
      's.yaml: line 4: kernel.panic_on_oom: expected one of 0, 1, 2, got 3',
    );
    assert.equal(
      errorOf(
        'machine: { ram: 1GiB }\nrun: { duration: 1s }\nprocesses: [{ name: a }]\nevents:\n  - { at: 1s, do: exit, process: zz }\n',
      ),
      's.yaml: line 5: events: no process has the id "zz"',
    );
    assert.match(errorOf('machine: [\n'), /^s\.yaml: line \d+: invalid YAML: /);
    assert.equal(
      errorOf('machine: { ram: 1GiB }\nrun: { duration: 1s }\nprocesses: [{ name: a, cgroup: /nowhere }]\n'),
      's.yaml: line 3: process a: cgroup /nowhere is not in the cgroups list',
    );
  });

  test('pods: cgroup paths and the kubelet adj from the QoS class (16 GiB node)', () => {
    const s = parseScenario(
      'k.yaml',
      `machine: { ram: 16GiB }
run: { duration: 1s }
pods:
  - name: g
    containers: [{ name: c, request: 1GiB, limit: 1GiB, processes: [{ name: p }] }]
  - name: b
    containers: [{ name: c, request: 4GiB, processes: [{ name: p }] }]
  - name: e
    containers: [{ name: c, processes: [{ name: p }] }]
`,
    );
    const procs = s.pods.map((p) => p.containers[0]?.processes[0]);
    assert.deepEqual(
      procs.map((p) => [p?.cgroup, p?.adj]),
      [
        ['/kubepods/podg/c', -997],
        // Reference vector: Burstable, request 4Gi on 16 GiB → 750.
        ['/kubepods/burstable/podb/c', 750],
        ['/kubepods/besteffort/pode/c', 1000],
      ],
    );
  });
});

describe('docs/scenario.schema.json', () => {
  test('names exactly the fields the parser accepts', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { REPO } = await import('../helpers/cli.js');
    const { SCENARIO_KEYS } = await import('../../src/sim/parse.js');
    type Obj = { properties: Record<string, unknown>; items?: Obj };
    const schema = JSON.parse(readFileSync(join(REPO, 'docs/scenario.schema.json'), 'utf8')) as Obj & {
      $defs: { process: Obj };
    };
    const keys = (o: Obj) => Object.keys(o.properties).sort();
    const p = schema.properties as Record<string, Obj>;
    const item = (k: string) => (p[k] as Obj).items as Obj;
    assert.deepEqual(keys(schema), [...SCENARIO_KEYS.top].sort());
    assert.deepEqual(keys(p.machine as Obj), [...SCENARIO_KEYS.machine].sort());
    assert.deepEqual(keys(p.kernel as Obj), [...SCENARIO_KEYS.kernel].sort());
    assert.deepEqual(keys(p.run as Obj), [...SCENARIO_KEYS.run].sort());
    assert.deepEqual(keys(item('cgroups')), [...SCENARIO_KEYS.cgroup].sort());
    assert.deepEqual(keys(item('shm')), [...SCENARIO_KEYS.shm].sort());
    assert.deepEqual(keys(schema.$defs.process), [...SCENARIO_KEYS.process].sort());
    assert.deepEqual(keys(item('pods')), [...SCENARIO_KEYS.pod].sort());
    assert.deepEqual(
      keys((item('pods').properties.containers as Obj).items as Obj),
      [...SCENARIO_KEYS.container].sort(),
    );
    assert.deepEqual(keys(p.kube as Obj), [...SCENARIO_KEYS.kube].sort());
    assert.deepEqual(keys(item('events')), [...SCENARIO_KEYS.event].sort());
  });
});
