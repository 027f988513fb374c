// Every way the command line can be used wrongly ends with one specific message on stderr, nothing on stdout,
// and its exit code: 2 for usage (flags, arguments; commander's own "error: ..." lines), 1 for what is not
// there or cannot be read. --help and --version are not errors.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { REPO, runCli } from '../helpers/cli.js';

const FIXTURES = join(REPO, 'test/fixtures');
const V1 = join(FIXTURES, 'v1');
const V2 = join(FIXTURES, 'v2');
const BROKEN = join(FIXTURES, 'broken');

async function fails(args: readonly string[], code: number, stderr: string): Promise<void> {
  const r = await runCli(args);
  assert.equal(r.stderr, stderr, `stderr of ${args.join(' ')}`);
  assert.equal(r.stdout, '', `stdout of ${args.join(' ')}`);
  assert.equal(r.code, code, `exit code of ${args.join(' ')}`);
}

describe('usage errors: exit 2', { concurrency: true }, () => {
  test('a pid that is not a positive whole number', async () => {
    await Promise.all([
      fails(
        ['explain', 'abc', '--root', V2],
        2,
        'oomguard: explain: expected a process id (a positive whole number), got "abc"\n',
      ),
      fails(['explain', '--root', V2], 2, "error: missing required argument 'pid'\n"),
    ]);
  });

  test('--top 0, --top abc, --top -1', async () => {
    await Promise.all([
      fails(
        ['rank', '--top', '0', '--root', V2],
        2,
        'oomguard: --top: expected a positive whole number, got "0"\n',
      ),
      fails(
        ['rank', '--top', 'abc', '--root', V2],
        2,
        'oomguard: --top: expected a positive whole number, got "abc"\n',
      ),
      fails(
        ['rank', '--top=-1', '--root', V2],
        2,
        'oomguard: --top: expected a positive whole number, got "-1"\n',
      ),
    ]);
  });

  test('an unknown --policy (commander lists the choices)', async () => {
    const message =
      "error: option '--policy <name>' argument 'foo' is invalid. Allowed choices are kernel, rss, legacy, cgroup, oomd-pressure, oomd-swap, size-growth, kube.\n";
    await fails(['explain', '11', '--policy', 'foo', '--root', V2], 2, message);
  });

  test('an unknown command, an unknown flag, an extra argument (commander messages reach stderr)', async () => {
    await Promise.all([
      fails(['frobnicate'], 2, "error: unknown command 'frobnicate'\n"),
      fails(['rank', '--frob', '--root', V2], 2, "error: unknown option '--frob'\n"),
      fails(
        ['rank', 'extra', '--root', V2],
        2,
        "error: too many arguments for 'rank'. Expected 0 arguments but got 1.\n",
      ),
    ]);
  });

  test('a --cgroup that is not an absolute path', async () => {
    await Promise.all([
      fails(
        ['rank', '--cgroup', 'workload', '--root', V2],
        2,
        'oomguard: --cgroup: expected an absolute cgroup path such as /system.slice, got "workload"\n',
      ),
      fails(
        ['explain', '11', '--cgroup', '/workload/../oomguard-test-2', '--root', V2],
        2,
        'oomguard: --cgroup: expected an absolute cgroup path such as /system.slice, got "/workload/../oomguard-test-2"\n',
      ),
    ]);
  });

  test('explain --cgroup of a process outside that cgroup', async () => {
    await fails(
      ['explain', '10', '--cgroup', '/oomguard-test-2', '--root', V2],
      2,
      'oomguard: process 10 (java) is in cgroup /workload, outside /oomguard-test-2\n',
    );
  });

  test('no command at all: the help, on stderr', async () => {
    const r = await runCli([]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^Usage: oomguard \[options\] \[command\]\n/);
  });
});

describe('what is not there or cannot be read: exit 1', { concurrency: true }, () => {
  test('a missing --root directory, and a --root without proc/', async (t) => {
    const empty = mkdtempSync(join(tmpdir(), 'oomguard-cli-noproc-'));
    t.after(() => rmSync(empty, { recursive: true, force: true }));
    const missing = join(empty, 'not-here');
    await Promise.all([
      fails(['rank', '--root', missing], 1, `oomguard: --root ${missing}: no such directory\n`),
      fails(['rank', '--root', empty], 1, `oomguard: --root ${empty}: no proc/meminfo under it\n`),
    ]);
  });

  test('an unknown pid, and a pid whose process vanished (stat but no status)', async () => {
    await Promise.all([
      fails(['explain', '999999', '--root', V2], 1, 'oomguard: no such process: 999999\n'),
      fails(['explain', '500', '--root', V1], 1, 'oomguard: no such process: 500\n'),
      fails(
        ['explain', '999999', '--cgroup', '/oomguard-test-2', '--root', V2],
        1,
        'oomguard: no such process: 999999\n',
      ),
    ]);
  });

  test('a --cgroup that does not exist names the cgroup and where it was looked for', async () => {
    await Promise.all([
      fails(
        ['rank', '--cgroup', '/nope', '--root', V2],
        1,
        `oomguard: cgroup /nope: no such memory cgroup (looked in ${V2}/sys/fs/cgroup/nope)\n`,
      ),
      fails(
        ['rank', '--cgroup', '/nope', '--root', V1, '--json'],
        1,
        `oomguard: cgroup /nope: no such memory cgroup (looked in ${V1}/sys/fs/cgroup/memory/nope)\n`,
      ),
    ]);
  });

  test('unreadable cgroups in the broken tree', async () => {
    const cg = `${BROKEN}/sys/fs/cgroup`;
    await Promise.all([
      fails(
        ['rank', '--cgroup', '/stat-is-dir', '--root', BROKEN],
        1,
        `oomguard: cgroup /stat-is-dir: cannot read ${cg}/stat-is-dir/memory.stat: EISDIR\n`,
      ),
      fails(
        ['rank', '--cgroup', '/not-a-dir', '--root', BROKEN],
        1,
        `oomguard: cgroup /not-a-dir: cannot read ${cg}/not-a-dir/cgroup.procs: ENOTDIR\n`,
      ),
      fails(
        ['rank', '--cgroup', '/garbled', '--root', BROKEN],
        1,
        `oomguard: cgroup /garbled: ${cg}/garbled/memory.max holds "lots", not a number\n`,
      ),
    ]);
  });

  test('a copy of v2 whose /oomguard-test-2/memory.stat is a directory', async (t) => {
    const root = mkdtempSync(join(tmpdir(), 'oomguard-cli-statdir-'));
    t.after(() => rmSync(root, { recursive: true, force: true }));
    cpSync(V2, root, { recursive: true });
    const stat = join(root, 'sys/fs/cgroup/oomguard-test-2/memory.stat');
    rmSync(stat);
    cpSync(join(BROKEN, 'sys/fs/cgroup/stat-is-dir/memory.stat'), stat, { recursive: true });
    await fails(
      ['rank', '--cgroup', '/oomguard-test-2', '--root', root],
      1,
      `oomguard: cgroup /oomguard-test-2: cannot read ${stat}: EISDIR\n`,
    );
  });
});

describe('help and version: exit 0 on stdout', { concurrency: true }, () => {
  test('oomguard --help, oomguard help, rank --help, explain --help, --version', async () => {
    const [main, helpCmd, rank, explain, version] = await Promise.all([
      runCli(['--help']),
      runCli(['help']),
      runCli(['rank', '--help']),
      runCli(['explain', '--help']),
      runCli(['--version']),
    ]);
    for (const r of [main, helpCmd, rank, explain, version]) {
      assert.equal(r.code, 0);
      assert.equal(r.stderr, '');
    }
    assert.match(main.stdout, /^Usage: oomguard \[options\] \[command\]\n/);
    assert.match(main.stdout, /\n {2}rank \[options\] /);
    assert.match(main.stdout, /\n {2}explain \[options\] <pid> /);
    assert.match(main.stdout, /\n {2}--root <dir> /);
    assert.equal(helpCmd.stdout, main.stdout);
    assert.match(rank.stdout, /^Usage: oomguard rank \[options\]\n/);
    for (const flag of ['--json', '--top <n>', '--cgroup <path>', '--policy <name>']) {
      assert.ok(rank.stdout.includes(`  ${flag} `), flag);
    }
    assert.match(explain.stdout, /^Usage: oomguard explain \[options\] <pid>\n/);
    assert.equal(version.stdout, '0.1.0\n');
  });
});
