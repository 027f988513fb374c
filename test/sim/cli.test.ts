// The command line: oomguard simulate is deterministic byte for byte, prints the documented JSON, writes
// the chart, runs a real oomguard configuration, and reports bad input with exit code 2.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { REPO, runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'oomguard-sim-cli-'));

describe('oomguard simulate', () => {
  test('the same input gives the same bytes: report, JSON and SVG', async () => {
    const args = (n: number) => [
      'simulate',
      'examples/overbooked.yaml',
      '--policy',
      'kernel',
      '--policy',
      'earlyoom',
      '--policy',
      'oomguard:examples/oomguard.toml',
      '--svg',
      join(dir, `o${n}.svg`),
      '--html',
      join(dir, `o${n}.html`),
    ];
    const a = await runCli(args(1));
    const b = await runCli(args(2));
    assert.equal(a.code, 0, a.stderr);
    assert.equal(a.stdout, b.stdout);
    assert.equal(readFileSync(join(dir, 'o1.svg'), 'utf8'), readFileSync(join(dir, 'o2.svg'), 'utf8'));
    assert.equal(readFileSync(join(dir, 'o1.html'), 'utf8'), readFileSync(join(dir, 'o2.html'), 'utf8'));
    assert.match(a.stdout, /^Scenario: overbooked machine\n/);
    assert.match(a.stdout, /t=79\.8s +kill +kernel +pid \d+ \(java\)/);
    const svg = readFileSync(join(dir, 'o1.svg'), 'utf8');
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.equal((svg.match(/<g class="panel"/g) ?? []).length, 3);
    // One marker per kill, SIGTERM and panic: kernel 2 kills, earlyoom 2 SIGTERMs, oomguard 2 SIGTERMs.
    assert.equal((svg.match(/<circle /g) ?? []).length, 6);
    const c = await runCli(['simulate', 'examples/overbooked.yaml', '--json', '--policy', 'kernel']);
    const d = await runCli(['simulate', 'examples/overbooked.yaml', '--json', '--policy', 'kernel']);
    assert.equal(c.stdout, d.stdout);
  });

  test('--json: {policies: [{policy, events: [{t, type, pid, name, cgroup, by, reason}], summary}]}', async () => {
    const res = await runCli([
      'simulate',
      join(REPO, 'examples/panic.yaml'),
      '--json',
      '--policy',
      'kernel',
      '--policy',
      'earlyoom',
    ]);
    assert.equal(res.code, 0, res.stderr);
    const out = JSON.parse(res.stdout) as {
      policies: { policy: string; events: Record<string, unknown>[]; summary: Record<string, unknown> }[];
    };
    assert.deepEqual(
      out.policies.map((p) => p.policy),
      ['kernel', 'earlyoom'],
    );
    const [kernel, earlyoom] = out.policies;
    assert.deepEqual(Object.keys(kernel?.events[0] ?? {}), [
      't',
      'type',
      'pid',
      'name',
      'cgroup',
      'by',
      'reason',
    ]);
    assert.deepEqual(
      kernel?.events.map((e) => [e.t, e.type, e.by]),
      [
        [40700, 'oom', 'kernel'],
        [40700, 'panic', 'kernel'],
      ],
    );
    assert.equal(kernel?.summary.victims, 0);
    assert.equal(earlyoom?.summary.victims, 1);
    assert.equal(earlyoom?.summary.shortOfMemoryMs, 0);
    for (const key of ['victims', 'memoryFreedBytes', 'shortOfMemoryMs', 'workLostMs', 'panic']) {
      assert.ok(key in (earlyoom?.summary ?? {}), key);
    }
  });

  test('bad input: exit 2 with the file, line and field', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'machine:\n  ram: lots\nrun: { duration: 1s }\n');
    const res = await runCli(['simulate', bad]);
    assert.equal(res.code, 2);
    assert.equal(
      res.stderr,
      `oomguard: ${bad}: line 2: machine.ram: expected a size such as 512MiB, 1.5GiB or 4096 (bytes), got "lots"\n`,
    );
    const pol = await runCli(['simulate', 'examples/panic.yaml', '--policy', 'oom-killer-9000']);
    assert.equal(pol.code, 2);
    assert.match(pol.stderr, /unknown policy "oom-killer-9000"/);
  });
});
