import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseRunArgs } from '../../src/config/flags.js';
import { loadConfig } from '../../src/config/load.js';
import { UsageError } from '../../src/model/errors.js';

const MiB = 1024 * 1024;
const EXAMPLE = new URL('../../examples/oomguard.toml', import.meta.url).pathname;
const NO_FLAGS = parseRunArgs([]);
const load = (text: string, argv: string[] = []) =>
  loadConfig({ file: 'oomguard.toml', text, flags: parseRunArgs(argv) });

// Written out, not taken from DEFAULT_CONFIG, so a changed default fails here.
const DEFAULTS = {
  memory: { term: { percent: 10, bytes: null }, kill: { percent: 5, bytes: null } },
  swap: { term: { percent: 10, bytes: null }, kill: { percent: 5, bytes: null } },
  memoryPercentBase: 'total',
  scopeCgroup: null,
  cgroupAvailable: 'working-set',
  psi: [],
  ranker: 'kernel',
  cgroupPolicy: null,
  cgroupRules: [],
  cgroupSettings: {
    measure: 'working-set',
    depth: 1,
    pressureLimit: 60,
    pressureDurationMs: 30_000,
    swapUsedLimit: 90,
  },
  rules: [],
  killUnit: 'process',
  graceMs: 5000,
  recoveryWaitMs: 10_000,
  cooldownMs: 5000,
  processMrelease: true,
  preKillHook: null,
  postKillHook: null,
  notify: false,
  historyFile: '/var/lib/oomguard/history.jsonl',
  dryRun: false,
  pollMinMs: 100,
  pollMaxMs: 3000,
  reportIntervalMs: 3_600_000,
  logFormat: 'text',
  debug: false,
  selfProtection: { enabled: true, oomScoreAdj: -100, nice: -20 },
  listen: null,
};

describe('loadConfig: defaults and sources', () => {
  it('no file, no flags: the built-in defaults', () => {
    assert.deepEqual(loadConfig({ flags: NO_FLAGS }), DEFAULTS);
  });

  it('an empty file changes nothing', () => {
    assert.deepEqual(load(''), DEFAULTS);
  });

  it('examples/oomguard.toml loads and, all commented, equals the defaults', () => {
    assert.deepEqual(loadConfig({ file: EXAMPLE, flags: NO_FLAGS }), DEFAULTS);
  });

  it('examples/oomguard.toml with every key uncommented is valid', () => {
    const text = readFileSync(EXAMPLE, 'utf8')
      .split('\n')
      .map((line) => (/^# (\[|[a-z_]+ = )/.test(line) ? line.slice(2) : line))
      .join('\n');
    const c = load(text);
    assert.deepEqual(c.memory, {
      term: { percent: 10, bytes: 2048 * MiB },
      kill: { percent: 5, bytes: 1024 * MiB },
    });
    assert.deepEqual(c.swap, {
      term: { percent: 10, bytes: 1024 * MiB },
      kill: { percent: 5, bytes: 512 * MiB },
    });
    assert.equal(c.scopeCgroup, '/system.slice/myapp.service');
    assert.deepEqual(c.psi, [
      { line: 'full', window: 'avg10', limit: 60, durationMs: 30_000, cgroup: '/user.slice', level: 'term' },
    ]);
    assert.deepEqual(
      c.rules.map((r) => [r.action, r.comm, r.cgroup, r.adjust, r.source]),
      [
        ['prefer', '^(firefox|chrome)$', null, 300, 'rules[0] "browsers first"'],
        ['protect', null, '^/system\\.slice/sshd\\.service$', 0, 'rules[1]'],
      ],
    );
    assert.deepEqual(c.preKillHook, { path: '/usr/local/bin/before-oom-kill', args: [], timeoutMs: 200 });
    assert.deepEqual(c.postKillHook, {
      path: '/usr/local/bin/after-oom-kill',
      args: ['--mail', 'root'],
      timeoutMs: 10_000,
    });
    assert.equal(c.listen, '127.0.0.1:9577');
  });

  it('reads the file named by --config', () => {
    const dir = mkdtempSync(join(tmpdir(), 'oomguard-config-'));
    try {
      const path = join(dir, 'oomguard.toml');
      writeFileSync(path, '[selection]\nranker = "rss"\n');
      assert.equal(loadConfig({ flags: parseRunArgs(['--config', path]) }).ranker, 'rss');
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('a file value overrides a default; a kill level left out is half the term level', () => {
    const c = load(`
[memory]
term_percent = 20
term_size = "1GiB"
[swap]
kill_percent = 3
[action]
grace = "2s"
cooldown = "1min"
[poll]
min = "50ms"
`);
    assert.deepEqual(c.memory, {
      term: { percent: 20, bytes: 1024 * MiB },
      kill: { percent: 10, bytes: 512 * MiB },
    });
    // Only a kill level: the term level stays the default.
    assert.deepEqual(c.swap, { term: { percent: 10, bytes: null }, kill: { percent: 3, bytes: null } });
    assert.equal(c.graceMs, 2000);
    assert.equal(c.cooldownMs, 60_000);
    assert.equal(c.pollMinMs, 50);
    assert.equal(c.pollMaxMs, 3000);
  });

  it('flags override the file', () => {
    const text = `
[memory]
term_percent = 20
kill_percent = 15
[selection]
ranker = "legacy"
[action]
unit = "cgroup"
dry_run = false
[output]
format = "text"
[scope]
cgroup = "/a"
[[psi]]
limit = 50
duration = "10s"
[[rules]]
action = "avoid"
comm = "sshd"
[hooks.post_kill]
path = "/bin/file-hook"
timeout = "3s"
`;
    const c = load(text, [
      '-m',
      '8',
      '--sort-by-rss',
      '-g',
      '--dryrun',
      '--json',
      '--cgroup',
      '/b',
      '--psi',
      'some,avg60,5,1s',
      '--prefer',
      'java',
      '-N',
      '/bin/flag-hook',
    ]);
    assert.deepEqual(c.memory, { term: { percent: 8, bytes: null }, kill: { percent: 4, bytes: null } });
    assert.equal(c.ranker, 'rss');
    assert.equal(c.killUnit, 'process-group');
    assert.equal(c.dryRun, true);
    assert.equal(c.logFormat, 'json');
    assert.equal(c.scopeCgroup, '/b');
    // --psi replaces the file's list; rules from flags come after the file's.
    assert.deepEqual(c.psi, [
      { line: 'some', window: 'avg60', limit: 5, durationMs: 1000, cgroup: null, level: 'term' },
    ]);
    assert.deepEqual(
      c.rules.map((r) => r.source),
      ['rules[0]', '--prefer'],
    );
    // -N replaces the path and keeps the file's timeout.
    assert.deepEqual(c.postKillHook, { path: '/bin/flag-hook', args: [], timeoutMs: 3000 });
  });

  it('a file size level and a flag percentage: both apply (the lower wins)', () => {
    const c = load('[memory]\nterm_size = "1GiB"\n', ['-m', '5']);
    assert.deepEqual(c.memory, {
      term: { percent: 5, bytes: 1024 * MiB },
      kill: { percent: 2.5, bytes: 512 * MiB },
    });
  });

  it('rule adjustments: 300 by default, signed by the action', () => {
    const c = load(`
[[rules]]
action = "prefer"
comm = "a"
[[rules]]
action = "avoid"
uid = 33
adjust = 1000
[[rules]]
action = "ignore"
user = "^nobody$"
`);
    assert.deepEqual(
      c.rules.map((r) => [r.action, r.adjust, r.uid, r.user]),
      [
        ['prefer', 300, null, null],
        ['avoid', -1000, 33, null],
        ['ignore', 0, null, '^nobody$'],
      ],
    );
  });
});

describe('loadConfig: bad files, exact messages, exit code 2', () => {
  const bad: [string, string][] = [
    [
      'memory.term_percent = "ten"',
      'oomguard.toml: memory.term_percent: expected a number from 0 to 100, got "ten"',
    ],
    [
      '[memory]\nterm_percent = 0',
      'oomguard.toml: memory.term_percent: must be between 0 and 100 (exclusive), got 0',
    ],
    [
      '[memory]\nterm_percent = 100',
      'oomguard.toml: memory.term_percent: must be between 0 and 100 (exclusive), got 100',
    ],
    [
      '[memory]\nkill_percent = 101',
      'oomguard.toml: memory.kill_percent: expected a number from 0 to 100, got 101',
    ],
    ['[swap]\nterm_percent = 0', 'oomguard.toml: swap.term_percent: must be above 0, got 0'],
    [
      '[memory]\nkill_percent = 12',
      'oomguard.toml: memory.kill_percent: must not be above the term level (10 %), got 12',
    ],
    [
      '[swap]\nterm_size = "1G"\nkill_size = "2G"',
      'oomguard.toml: swap.kill_size: must not be above the term level (1 GiB), got 2 GiB',
    ],
    [
      '[memory]\nterm_size = "lots"',
      'oomguard.toml: memory.term_size: expected a size like "512MiB" or "1G", or a number of bytes, got "lots"',
    ],
    ['[memory]\nterm_size = 0', 'oomguard.toml: memory.term_size: must be above 0, got 0'],
    [
      '[memory]\npercent_of = "free"',
      'oomguard.toml: memory.percent_of: expected one of "total", "available+anon", got "free"',
    ],
    [
      '[memory]\nterm_prcent = 5',
      'oomguard.toml: memory.term_prcent: unknown key (known keys here: term_percent, kill_percent, term_size, kill_size, percent_of)',
    ],
    [
      'verbose = true',
      'oomguard.toml: verbose: unknown key (known keys here: memory, swap, scope, psi, selection, rules, cgroups, cgroup_rules, action, hooks, poll, output, self_protection, server, kube)',
    ],
    ['memory = 5', 'oomguard.toml: memory: expected a table, got 5'],
    [
      '[[rules]]\naction = "prefer"\ncomm = "x"\ncommand = "y"',
      'oomguard.toml: rules[0].command: unknown key (known keys here: name, action, comm, cmdline, exe, cgroup, user, uid, adjust)',
    ],
    [
      '[hooks.pre_kill]\npath = "/x"\nshell = true',
      'oomguard.toml: hooks.pre_kill.shell: unknown key (known keys here: path, args, timeout)',
    ],
    [
      '[scope]\ncgroup = "user.slice"',
      'oomguard.toml: scope.cgroup: expected a cgroup path starting with "/", as in /proc/PID/cgroup, got "user.slice"',
    ],
    [
      '[selection]\nranker = "biggest"',
      'oomguard.toml: selection.ranker: expected one of "kernel", "rss", "legacy", "cgroup", "oomd-pressure", "oomd-swap", "size-growth", "kube", got "biggest"',
    ],
    [
      '[action]\ngrace = 5',
      'oomguard.toml: action.grace: expected a duration like "200ms", "5s" or "1min", got 5',
    ],
    ['[action]\ndry_run = "yes"', 'oomguard.toml: action.dry_run: expected true or false, got "yes"'],
    ['[poll]\nmin = "0ms"', 'oomguard.toml: poll.min: expected a duration of at least 1 ms, got "0ms"'],
    ['[poll]\nmin = "4s"', 'oomguard.toml: poll.min: must not be above poll.max (3000 ms), got 4000 ms'],
    ['[[psi]]\nduration = "30s"', 'oomguard.toml: psi[0].limit: missing'],
    [
      '[[psi]]\nlimit = 60\nduration = "30s"\nline = "most"',
      'oomguard.toml: psi[0].line: expected one of "some", "full", got "most"',
    ],
    ['psi = 5', 'oomguard.toml: psi: expected an array of tables ([[psi]]), got 5'],
    [
      '[[rules]]\naction = "prefer"\ncomm = "("',
      'oomguard.toml: rules[0].comm: expected a valid regular expression (Unterminated group), got "("',
    ],
    [
      '[[rules]]\naction = "prefer"',
      'oomguard.toml: rules[0]: expected at least one of comm, cmdline, exe, cgroup, user, uid',
    ],
    [
      '[[rules]]\naction = "ignore"\ncomm = "x"\nadjust = 5',
      'oomguard.toml: rules[0].adjust: only prefer and avoid rules take an adjustment, this one is "ignore"',
    ],
    [
      '[[rules]]\naction = "kill"\ncomm = "x"',
      'oomguard.toml: rules[0].action: expected one of "prefer", "avoid", "ignore", "protect", got "kill"',
    ],
    [
      '[[rules]]\naction = "prefer"\nuid = -1',
      'oomguard.toml: rules[0].uid: expected a whole number from 0 to 4294967294, got -1',
    ],
    [
      '[[rules]]\naction = "prefer"\ncomm = "x"\nadjust = 300.5',
      'oomguard.toml: rules[0].adjust: expected a whole number from 0 to 1000, got 300.5',
    ],
    [
      '[hooks.pre_kill]\npath = "run.sh"',
      'oomguard.toml: hooks.pre_kill.path: expected an absolute path, got "run.sh"',
    ],
    ['[hooks.pre_kill]\ntimeout = "1s"', 'oomguard.toml: hooks.pre_kill.path: missing'],
    [
      '[hooks.post_kill]\npath = "/x"\nargs = "--all"',
      'oomguard.toml: hooks.post_kill.args: expected an array of strings, got "--all"',
    ],
    [
      '[self_protection]\nnice = -21',
      'oomguard.toml: self_protection.nice: expected a whole number from -20 to 19, got -21',
    ],
    [
      '[server]\nlisten = "9577"',
      'oomguard.toml: server.listen: expected "HOST:PORT" such as "127.0.0.1:9577", got "9577"',
    ],
    ['[output]\nformat = "xml"', 'oomguard.toml: output.format: expected one of "text", "json", got "xml"'],
    [
      '[memory]\nterm_percent = 1979-05-27',
      'oomguard.toml: memory.term_percent: expected a number from 0 to 100, got a date',
    ],
    [
      '[memory]\nterm_percent = [10]',
      'oomguard.toml: memory.term_percent: expected a number from 0 to 100, got an array',
    ],
    ['memory.term_percent = ', 'oomguard.toml: line 1, column 23: invalid TOML: invalid value'],
    [
      '[memory]\nterm_percent = "ten"\nkill_percent = "five"',
      'oomguard.toml: memory.term_percent: expected a number from 0 to 100, got "ten"\n' +
        'oomguard.toml: memory.kill_percent: expected a number from 0 to 100, got "five"',
    ],
  ];
  for (const [text, message] of bad) {
    it(text.replace(/\n/g, ' ⏎ '), () => {
      assert.throws(
        () => load(text),
        (e: unknown) => e instanceof UsageError && e.exitCode === 2 && e.message === message,
        `expected: ${message}`,
      );
    });
  }

  it('a missing file', () => {
    assert.throws(() => loadConfig({ file: '/nonexistent/oomguard.toml', flags: NO_FLAGS }), {
      name: 'UsageError',
      message: '/nonexistent/oomguard.toml: cannot read the configuration: no such file',
    });
  });

  it('bad flags fail before any file is read', () => {
    assert.throws(() => load('', ['-m', 'abc']), {
      message: '-m: expected a percentage from 0 to 100, got "abc"',
    });
  });
});

it('history: a file path, "none" in the file or on the command line, the last layer wins', () => {
  const none = loadConfig({ text: '[output]\nhistory_file = "none"\n', flags: parseRunArgs([]) });
  assert.equal(none.historyFile, null);
  const flag = loadConfig({
    text: '[output]\nhistory_file = "none"\n',
    flags: parseRunArgs(['--history', '/tmp/h.jsonl']),
  });
  assert.equal(flag.historyFile, '/tmp/h.jsonl');
  assert.equal(loadConfig({ flags: parseRunArgs(['--history', 'none']) }).historyFile, null);
  assert.throws(() => loadConfig({ text: '[output]\nhistory_file = "rel/h"\n', flags: parseRunArgs([]) }), {
    message: 'config: output.history_file: expected an absolute path or "none", got "rel/h"',
  });
});
