// `oomguard run` at the command line: bad configuration and bad flags stop it with exit 2 and a specific
// message; --check-config and -h answer and stop.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { DaemonProcess } from '../helpers/daemon-process.js';

const tmp = mkdtempSync(join(tmpdir(), 'oomguard-run-cli-'));
function file(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

test('bad configuration files and flags: exact message, exit 2, nothing starts', async () => {
  const bad = file('bad.toml', '[memory]\nterm_percent = "ten"\n');
  const typo = file('typo.toml', '[memory]\nterm_percnt = 5\n');
  const cases: [string[], number, string][] = [
    [
      ['run', '--config', bad],
      2,
      `oomguard: ${bad}: memory.term_percent: expected a number from 0 to 100, got "ten"\n`,
    ],
    [
      ['run', '--config', typo],
      2,
      `oomguard: ${typo}: memory.term_percnt: unknown key (known keys here: term_percent, kill_percent, term_size, kill_size, percent_of)\n`,
    ],
    [
      ['run', '--config', '/nonexistent/oomguard.toml'],
      2,
      'oomguard: /nonexistent/oomguard.toml: cannot read the configuration: no such file\n',
    ],
    [['run', '-m', 'abc'], 2, 'oomguard: -m: expected a percentage from 0 to 100, got "abc"\n'],
    [['run', '--bogus'], 2, 'oomguard: unknown option "--bogus"\n'],
    [
      ['run', '--dry-run', '--cgroup', '/oomguard-no-such-cgroup'],
      1,
      'oomguard: cgroup /oomguard-no-such-cgroup: no such memory cgroup (looked in /sys/fs/cgroup/memory/oomguard-no-such-cgroup)\n',
    ],
  ];
  for (const [args, code, stderr] of cases) {
    const res = await runCli(args);
    assert.equal(res.stderr, stderr, args.join(' '));
    assert.equal(res.code, code, args.join(' '));
    assert.equal(res.stdout, '', 'nothing started');
  }
});

test('--check-config prints the merged configuration and stops; -h prints the flags', async () => {
  const good = file('good.toml', '[memory]\nterm_percent = 15\n[action]\ngrace = "2s"\n');
  const res = await runCli(['run', '--config', good, '-M', '1048576', '--check-config']);
  assert.equal(res.code, 0, res.stderr);
  const [first, ...rest] = res.stdout.split('\n');
  assert.equal(first, `${good}: configuration OK`);
  const config = JSON.parse(rest.join('\n')) as { memory: { term: unknown; kill: unknown }; graceMs: number };
  // The file's 15 % and the flag's 1 GiB (given in KiB, as earlyoom takes -M); kill levels are half of each.
  assert.deepEqual(config.memory.term, { percent: 15, bytes: 1073741824 });
  assert.deepEqual(config.memory.kill, { percent: 7.5, bytes: 536870912 });
  assert.equal(config.graceMs, 2000);

  const help = await runCli(['run', '-h']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: oomguard run \[options\]/);
});

test('run --listen serves /metrics and the dashboard next to the daemon (dry run)', async () => {
  const d = await DaemonProcess.start(['--dry-run', '--listen', '127.0.0.1:0', '-r', '0']);
  try {
    const up = await d.waitFor((e) => e.event === 'start' && /^dashboard on /.test(e.msg), 10000);
    const url = /^dashboard on (http:\/\/127\.0\.0\.1:\d+\/),/.exec(up.msg)?.[1];
    assert.ok(url, up.msg);
    const metrics = await fetch(`${url}metrics`);
    assert.equal(metrics.status, 200);
    assert.match(await metrics.text(), /^oomguard_memory_available_bytes \d+$/m);
    const post = await fetch(`${url}metrics`, { method: 'POST' });
    assert.equal(post.status, 405, 'read-only');
  } finally {
    assert.equal(await d.stop(), 0);
  }
});
