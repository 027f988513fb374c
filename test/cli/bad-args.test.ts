// Bad command-line arguments, earlyoom-style: one table row per mistake, with the exact message and exit
// code. `run`'s flags are checked where the message is made (parseRunArgs, in-process: a spawn costs about
// half a second); a few rows per command go through the real CLI to prove the message reaches stderr with
// the "oomguard: " prefix and the exit code. test/cli/errors.test.ts holds more rank/explain cases.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseRunArgs } from '../../src/config/flags.js';
import { UsageError } from '../../src/model/errors.js';
import { POLICY_NAMES } from '../../src/model/ranking.js';
import { REPO, runCli } from '../helpers/cli.js';

const NESTED =
  'nested quantifiers: "(a+)+" repeats a part of variable length that can end and begin with the same characters, which can take exponential time on a non-matching text (catastrophic backtracking)';

/** oomguard run ARGS → this message, exit 2 (UsageError). */
const RUN_ROWS: readonly (readonly [readonly string[], string])[] = [
  [['-m', '101'], '-m: expected a percentage from 0 to 100, got "101"'],
  [['-m', 'abc'], '-m: expected a percentage from 0 to 100, got "abc"'],
  [['-m', '0'], '-m: must be between 0 and 100 (exclusive)'],
  [['-m', '10,20'], '-m: the kill level (20) is above the term level (10)'],
  [['-m', '1,2,3'], '-m: expected TERM[,KILL], got "1,2,3"'],
  [['-m'], '-m: missing value'],
  [['-s', '0'], '-s: must be above 0 (100 ignores swap)'],
  [['-M', '0'], '-M: must be above 0'],
  [['-M', '1e999'], '-M: expected a size in KiB, got "1e999"'],
  [['-M', '99999999999999999'], '-M: size too large, got "99999999999999999"'],
  [['-S', '10,x'], '-S (kill level): expected a size in KiB, got "x"'],
  [['--prefer', '('], '--prefer: invalid regular expression "(": Unterminated group'],
  [['--avoid', '(a+)+$'], `--avoid: invalid regular expression "(a+)+$": ${NESTED}`],
  [['-N', 'notify.sh'], '-N: expected an absolute path, got "notify.sh"'],
  [['-P', 'pre.sh'], '-P: expected an absolute path, got "pre.sh"'],
  [['-r', 'soon'], '-r: expected a number of seconds (0 = off), got "soon"'],
  [
    ['--cgroup', 'workload'],
    '--cgroup: expected a cgroup path starting with "/", as in /proc/PID/cgroup, got "workload"',
  ],
  [['--ranker', 'biggest'], `--ranker: expected one of ${POLICY_NAMES.join(', ')}, got "biggest"`],
  [['--unit', 'pod'], '--unit: expected one of process, process-group, cgroup, got "pod"'],
  [
    ['--psi', 'full,avg10,60'],
    '--psi: expected LINE,WINDOW,LIMIT,DURATION[,CGROUP] such as "full,avg10,60,30s", got "full,avg10,60"',
  ],
  [['--psi', 'half,avg10,60,30s'], '--psi: LINE: expected one of some, full, got "half"'],
  [['--psi', 'full,avg300,60,30s'], '--psi: WINDOW: expected one of avg10, avg60, got "avg300"'],
  [['--psi', 'full,avg10,160,30s'], '--psi: LIMIT: expected a percentage from 0 to 100, got "160"'],
  [
    ['--psi', 'full,avg10,60,soon'],
    '--psi: DURATION: expected a duration like "200ms", "5s" or "1min", got "soon"',
  ],
  [['--listen', 'everywhere'], '--listen: expected HOST:PORT such as 127.0.0.1:9577, got "everywhere"'],
  [['--dryrun=yes'], '--dryrun: takes no value'],
  [['--frobnicate'], 'unknown option "--frobnicate"'],
  [['--constructor'], 'unknown option "--constructor"'],
  [['extra'], 'unexpected argument "extra"'],
];

describe('oomguard run: bad flags (exit 2)', () => {
  for (const [argv, message] of RUN_ROWS) {
    test(`run ${argv.join(' ')}`, () => {
      let error: unknown;
      try {
        parseRunArgs(argv);
      } catch (e) {
        error = e;
      }
      assert.ok(error instanceof UsageError, `run ${argv.join(' ')} was accepted`);
      assert.equal(error.message, message);
      assert.equal(error.exitCode, 2);
    });
  }
});

test('through the real command line: message on stderr with the "oomguard: " prefix, nothing on stdout, the exit code', async () => {
  const V2 = join(REPO, 'test/fixtures/v2');
  const tmp = mkdtempSync(join(tmpdir(), 'oomguard-bad-args-'));
  const shared = join(tmp, 'shared.toml');
  writeFileSync(shared, '[memory]\nterm_percent = 10\n');
  chmodSync(shared, 0o666);
  const missing = join(tmp, 'missing.log');
  const asRoot = process.geteuid?.() === 0;
  const rows: [readonly string[], number, string][] = [
    [['run', '-m', '101'], 2, 'oomguard: -m: expected a percentage from 0 to 100, got "101"\n'],
    ...(asRoot
      ? [
          [
            ['run', '--config', shared, '--check-config'],
            2,
            `oomguard: ${shared}: refusing the configuration file: it is writable by every user; oomguard runs as root, so only root may be able to change it\n`,
          ] as [readonly string[], number, string],
        ]
      : []),
    [
      ['rank', '--top', '1e3', '--root', V2],
      2,
      'oomguard: --top: expected a positive whole number, got "1e3"\n',
    ],
    [
      ['explain', '0', '--root', V2],
      2,
      'oomguard: explain: expected a process id (a positive whole number), got "0"\n',
    ],
    [['postmortem', missing], 1, `oomguard: cannot read ${missing}: no such file\n`],
    [
      ['postmortem', '--page-size', '0', missing],
      2,
      'oomguard: --page-size: expected a positive whole number, got "0"\n',
    ],
  ];
  const results = await Promise.all(rows.map(([argv]) => runCli(argv)));
  rows.forEach(([argv, code, stderr], i) => {
    const r = results[i];
    assert.equal(r?.stderr, stderr, `stderr of ${argv.join(' ')}`);
    assert.equal(r?.stdout, '', `stdout of ${argv.join(' ')}`);
    assert.equal(r?.code, code, `exit code of ${argv.join(' ')}`);
  });
});
