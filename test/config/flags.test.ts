import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRunArgs } from '../../src/config/flags.js';
import { UsageError } from '../../src/model/errors.js';

describe("parseRunArgs: earlyoom flags with earlyoom's meaning", () => {
  it('-m/-s percentages; KILL defaults to half of TERM', () => {
    assert.deepEqual(parseRunArgs(['-m', '15']).layer.memory, { termPercent: 15, killPercent: 7.5 });
    assert.deepEqual(parseRunArgs(['-m15,3']).layer.memory, { termPercent: 15, killPercent: 3 });
    assert.deepEqual(parseRunArgs(['-s', '100']).layer.swap, { termPercent: 100, killPercent: 50 });
    assert.deepEqual(parseRunArgs(['-s', '20,20']).layer.swap, { termPercent: 20, killPercent: 20 });
  });

  it('-M/-S sizes in KiB, stored in bytes', () => {
    assert.deepEqual(parseRunArgs(['-M', '204800']).layer.memory, {
      termBytes: 209_715_200,
      killBytes: 104_857_600,
    });
    assert.deepEqual(parseRunArgs(['-S', '1025,512']).layer.swap, {
      termBytes: 1_049_600,
      killBytes: 524_288,
    });
    assert.deepEqual(parseRunArgs(['-S', '1025']).layer.swap, { termBytes: 1_049_600, killBytes: 524_800 });
    assert.deepEqual(parseRunArgs(['-m', '10', '-M', '1000']).layer.memory, {
      termPercent: 10,
      killPercent: 5,
      termBytes: 1_024_000,
      killBytes: 512_000,
    });
  });

  it('switches', () => {
    const f = parseRunArgs([
      '--dryrun',
      '-g',
      '-n',
      '-p',
      '-d',
      '--sort-by-rss',
      '-r',
      '60',
      '-N',
      '/usr/bin/after',
      '-P',
      '/usr/bin/before',
    ]);
    assert.deepEqual(f.layer, {
      dryRun: true,
      killUnit: 'process-group',
      notify: true,
      selfProtectionEnabled: true,
      debug: true,
      ranker: 'rss',
      reportIntervalMs: 60_000,
      postKillHook: { path: '/usr/bin/after', args: [] },
      preKillHook: { path: '/usr/bin/before', args: [] },
    });
    // Bundled short switches, as getopt allows.
    assert.deepEqual(parseRunArgs(['-gnd']).layer, { killUnit: 'process-group', notify: true, debug: true });
    assert.deepEqual(parseRunArgs(['-r', '0.5']).layer, { reportIntervalMs: 500 });
  });

  it('--prefer/--avoid/--ignore name rules and --ignore-root-user', () => {
    const { rules } = parseRunArgs([
      '--prefer',
      '^chrome$',
      '--avoid=sshd',
      '--ignore',
      'Xorg',
      '--ignore-root-user',
    ]).layer;
    assert.deepEqual(
      rules?.map((r) => [r.action, r.comm, r.uid, r.adjust, r.source]),
      [
        ['prefer', '^chrome$', null, 300, '--prefer'],
        ['avoid', 'sshd', null, -300, '--avoid'],
        ['ignore', 'Xorg', null, 0, '--ignore'],
        ['ignore', null, 0, 0, '--ignore-root-user'],
      ],
    );
  });
});

describe("parseRunArgs: oomguard's long flags", () => {
  it('parses each', () => {
    const f = parseRunArgs([
      '--config',
      '/etc/x.toml',
      '--check-config',
      '--dry-run',
      '--cgroup',
      '/oomguard-test-a',
      '--ranker',
      'legacy',
      '--unit',
      'cgroup',
      '--json',
      '--psi',
      'some,avg60,20,5s',
      '--psi',
      'full,avg10,60,30s,/user.slice',
      '--listen',
      '127.0.0.1:9577',
    ]);
    assert.equal(f.configFile, '/etc/x.toml');
    assert.equal(f.checkConfig, true);
    assert.equal(f.help, false);
    assert.deepEqual(f.layer, {
      dryRun: true,
      scopeCgroup: '/oomguard-test-a',
      ranker: 'legacy',
      killUnit: 'cgroup',
      logFormat: 'json',
      listen: '127.0.0.1:9577',
      psi: [
        { line: 'some', window: 'avg60', limit: 20, durationMs: 5000, cgroup: null, level: 'term' },
        {
          line: 'full',
          window: 'avg10',
          limit: 60,
          durationMs: 30_000,
          cgroup: '/user.slice',
          level: 'term',
        },
      ],
    });
    assert.equal(parseRunArgs(['-h']).help, true);
    assert.deepEqual(parseRunArgs([]), { configFile: null, checkConfig: false, help: false, layer: {} });
  });

  it('the last of repeated flags wins', () => {
    assert.equal(parseRunArgs(['--sort-by-rss', '--ranker', 'kernel']).layer.ranker, 'kernel');
    assert.deepEqual(parseRunArgs(['-m', '20', '-m', '8']).layer.memory, { termPercent: 8, killPercent: 4 });
  });
});

describe('parseRunArgs: bad flags, exact messages, exit code 2', () => {
  const bad: [string[], string][] = [
    [['-m', 'abc'], '-m: expected a percentage from 0 to 100, got "abc"'],
    [['-m', '0'], '-m: must be between 0 and 100 (exclusive)'],
    [['-m', '100'], '-m: must be between 0 and 100 (exclusive)'],
    [['-m', '150'], '-m: expected a percentage from 0 to 100, got "150"'],
    [['-m', '-5'], '-m: expected a percentage from 0 to 100, got "-5"'],
    [['-m', '5,8'], '-m: the kill level (8) is above the term level (5)'],
    [['-m', '10,x'], '-m (kill level): expected a percentage from 0 to 100, got "x"'],
    [['-m', '10,0'], '-m (kill level): must be between 0 and 100 (exclusive)'],
    [['-m', '1,2,3'], '-m: expected TERM[,KILL], got "1,2,3"'],
    [['-m'], '-m: missing value'],
    [['-s', '0'], '-s: must be above 0 (100 ignores swap)'],
    [['-s', '101'], '-s: expected a percentage from 0 to 100, got "101"'],
    [['-s', '10,20'], '-s: the kill level (20) is above the term level (10)'],
    [['-M', '1G'], '-M: expected a size in KiB, got "1G"'],
    [['-M', '0'], '-M: must be above 0'],
    [['-S', '100,200'], '-S: the kill level (204800) is above the term level (102400)'],
    [['--prefer', '('], '--prefer: invalid regular expression "(": Unterminated group'],
    [
      ['--ignore', '[b-a]'],
      '--ignore: invalid regular expression "[b-a]": Range out of order in character class',
    ],
    [['-N', 'notify.sh'], '-N: expected an absolute path, got "notify.sh"'],
    [['-r', 'often'], '-r: expected a number of seconds (0 = off), got "often"'],
    [
      ['--ranker', 'biggest'],
      '--ranker: expected one of kernel, rss, legacy, cgroup, oomd-pressure, oomd-swap, size-growth, kube, got "biggest"',
    ],
    [['--unit', 'pod'], '--unit: expected one of process, process-group, cgroup, got "pod"'],
    [
      ['--cgroup', 'user.slice'],
      '--cgroup: expected a cgroup path starting with "/", as in /proc/PID/cgroup, got "user.slice"',
    ],
    [
      ['--psi', 'full,avg10,60'],
      '--psi: expected LINE,WINDOW,LIMIT,DURATION[,CGROUP] such as "full,avg10,60,30s", got "full,avg10,60"',
    ],
    [['--psi', 'half,avg10,60,30s'], '--psi: LINE: expected one of some, full, got "half"'],
    [['--psi', 'full,avg300,60,30s'], '--psi: WINDOW: expected one of avg10, avg60, got "avg300"'],
    [['--psi', 'full,avg10,600,30s'], '--psi: LIMIT: expected a percentage from 0 to 100, got "600"'],
    [
      ['--psi', 'full,avg10,60,30'],
      '--psi: DURATION: expected a duration like "200ms", "5s" or "1min", got "30"',
    ],
    [['--listen', 'localhost'], '--listen: expected HOST:PORT such as 127.0.0.1:9577, got "localhost"'],
    [['--dryrun=yes'], '--dryrun: takes no value'],
    [['-x'], 'unknown option "-x"'],
    [['--kernel-oom'], 'unknown option "--kernel-oom"'],
    [['now'], 'unexpected argument "now"'],
  ];
  for (const [argv, message] of bad) {
    it(argv.join(' '), () => {
      assert.throws(
        () => parseRunArgs(argv),
        (e: unknown) => e instanceof UsageError && e.message === message && e.exitCode === 2,
        `expected: ${message}`,
      );
    });
  }
});
