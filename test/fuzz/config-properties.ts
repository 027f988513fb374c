// Properties of the configuration readers: the TOML file (parseConfigText) and `run`'s flags (parseRunArgs).
// Anything at all either loads or is refused with a UsageError whose every line names its source; values
// written in the file or on the command line come back as the numbers they mean.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseRunArgs } from '../../src/config/flags.js';
import { parseConfigText } from '../../src/config/load.js';
import { parseDuration, parseSize } from '../../src/config/units.js';
import { UsageError } from '../../src/model/errors.js';
import { hostileText, keywordText, timed } from './arbitraries.js';
import { type FuzzProperty, SLOW_MS } from './proc-properties.js';

/** Runs fn; a throw must be a UsageError. Returns the error, or null when fn returned. */
function usageErrorOrNothing(fn: () => unknown): UsageError | null {
  let error: UsageError | null = null;
  const ms = timed(() => {
    try {
      fn();
    } catch (e) {
      assert.ok(e instanceof UsageError, `not a UsageError: ${(e as Error).stack}`);
      error = e;
    }
  });
  assert.ok(ms < SLOW_MS, `took ${ms.toFixed(0)} ms`);
  return error;
}

const SECTIONS: Record<string, readonly string[]> = {
  memory: ['term_percent', 'kill_percent', 'term_size', 'kill_size', 'percent_of'],
  swap: ['term_percent', 'kill_percent', 'term_size', 'kill_size'],
  scope: ['cgroup', 'available'],
  selection: ['ranker'],
  action: ['unit', 'grace', 'recovery_wait', 'cooldown', 'process_mrelease', 'dry_run'],
  'hooks.pre_kill': ['path', 'args', 'timeout'],
  'hooks.post_kill': ['path', 'args', 'timeout'],
  poll: ['min', 'max'],
  output: ['format', 'debug', 'report_interval', 'notify'],
  self_protection: ['enabled', 'oom_score_adj', 'nice'],
  server: ['listen'],
  nonsense: ['x'],
};
const ARRAY_TABLES: Record<string, readonly string[]> = {
  rules: ['name', 'action', 'comm', 'cmdline', 'exe', 'cgroup', 'user', 'uid', 'adjust', 'bogus'],
  psi: ['line', 'window', 'limit', 'duration', 'cgroup', 'level'],
};

/** TOML values of every type; strings are JSON-quoted, which TOML reads as basic strings. */
const tomlValue: fc.Arbitrary<string> = fc.oneof(
  fc
    .oneof(
      hostileText(6),
      fc.constantFrom('5s', '200ms', '1min', '512MiB', '1G', 'kernel', 'rss', 'prefer', 'protect', 'full'),
      fc.constantFrom(
        '(a+)+$',
        '^(firefox|chrome)$',
        '(',
        '[',
        '/system.slice',
        '127.0.0.1:9577',
        '/bin/true',
      ),
    )
    .map((s) => JSON.stringify(s)),
  fc.oneof(fc.integer(), fc.double({ noNaN: true }), fc.constantFrom(0, 50, 100, -1000, 1e300)).map(String),
  fc.constantFrom(
    'true',
    'false',
    'nan',
    'inf',
    '-inf',
    '1979-05-27T07:32:00Z',
    '[]',
    '["a", 1]',
    '{ a = 1 }',
  ),
);

const tomlDocument: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      fc
        .tuple(
          fc.constantFrom(...Object.keys(SECTIONS)),
          fc.array(fc.tuple(fc.nat(), tomlValue), { maxLength: 4 }),
        )
        .map(([section, entries]) => {
          const keys = SECTIONS[section] ?? [];
          const lines = entries.map(([k, val]) => `${keys[k % keys.length]} = ${val}`);
          return `[${section}]\n${[...new Set(lines)].join('\n')}`;
        }),
      fc
        .tuple(
          fc.constantFrom(...Object.keys(ARRAY_TABLES)),
          fc.array(fc.tuple(fc.nat(), tomlValue), { maxLength: 5 }),
        )
        .map(([table, entries]) => {
          const keys = ARRAY_TABLES[table] ?? [];
          const seen = new Set<string>();
          const lines: string[] = [];
          for (const [k, val] of entries) {
            const key = keys[k % keys.length] ?? 'x';
            if (!seen.has(key)) lines.push(`${key} = ${val}`);
            seen.add(key);
          }
          return `[[${table}]]\n${lines.join('\n')}`;
        }),
    ),
    { maxLength: 6 },
  )
  .map((tables) => tables.join('\n'));

const config: FuzzProperty[] = [
  {
    name: 'config file: any text loads or is refused with a UsageError naming the file on every line',
    check: (p) =>
      fc.assert(
        fc.property(
          fc.oneof(
            hostileText(20),
            keywordText(
              ['[memory]', '[[rules]]', ' = ', '"', "'''", '[', ']', '{', '}', '#', 'term_percent'],
              8,
            ),
          ),
          (text) => {
            const e = usageErrorOrNothing(() => parseConfigText('/etc/oomguard.toml', text));
            if (e) for (const line of e.message.split('\n')) assert.match(line, /^\/etc\/oomguard\.toml: /);
          },
        ),
        p,
      ),
  },
  {
    name: 'config file: documents of known tables with values of every type load or are refused clearly',
    check: (p) =>
      fc.assert(
        fc.property(tomlDocument, (text) => {
          const e = usageErrorOrNothing(() => parseConfigText('f.toml', text));
          if (e) {
            for (const line of e.message.split('\n')) {
              // Each line says where (line/column, or a key path) and what was wrong.
              assert.match(
                line,
                /^f\.toml: (line \d+, column \d+: invalid TOML: .+|[a-z_[\].0-9]+(: | \().+|\(top level\): .+)$/s,
              );
            }
          }
        }),
        p,
      ),
  },
  {
    name: 'config file: sizes and durations come back as bytes and milliseconds',
    check: (p) =>
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 1_000_000 }),
          fc.constantFrom(['KiB', 1024], ['MiB', 1024 ** 2], ['G', 1024 ** 3], ['MB', 1000 ** 2], ['', 1]),
          fc.integer({ min: 0, max: 1_000_000 }),
          fc.constantFrom(['ms', 1], ['s', 1000], ['min', 60_000]),
          (n, [unit, factor], d, [dUnit, dFactor]) => {
            const layer = parseConfigText(
              'f.toml',
              `[memory]\nterm_size = "${n}${unit}"\n[action]\ngrace = "${d}${dUnit}"\n`,
            );
            assert.equal(layer.memory?.termBytes, n * (factor as number));
            assert.equal(layer.graceMs, d * (dFactor as number));
            assert.equal(parseSize(`${n} ${unit}`), n * (factor as number));
            assert.equal(parseDuration(`${d}${dUnit}`), d * (dFactor as number));
          },
        ),
        p,
      ),
  },
  {
    name: 'sizes and durations: any text is a number or null, never NaN (units such as "constructor" included)',
    check: (p) =>
      fc.assert(
        fc.property(
          fc.oneof(
            hostileText(4),
            fc
              .tuple(fc.double(), fc.constantFrom('constructor', 'toString', 'KiB', 'ms', 'e', ''))
              .map(([n, u]) => `${n}${u}`),
          ),
          (text) => {
            for (const v of [parseSize(text), parseDuration(text)]) {
              assert.ok(v === null || Number.isSafeInteger(v), `${JSON.stringify(text)} → ${v}`);
            }
          },
        ),
        p,
      ),
  },
];

// ---- run's flags ----

const FLAG_NAMES = [
  '-m',
  '-s',
  '-M',
  '-S',
  '--prefer',
  '--avoid',
  '--ignore',
  '--ignore-root-user',
  '--dryrun',
  '--dry-run',
  '-g',
  '-N',
  '-P',
  '-r',
  '-n',
  '-p',
  '--sort-by-rss',
  '-d',
  '--config',
  '--check-config',
  '--cgroup',
  '--ranker',
  '--unit',
  '--psi',
  '--listen',
  '--json',
  '-h',
  '--help',
  '--',
  '--constructor',
  '--__proto__',
  '--toString',
  '--hasOwnProperty',
  '-x',
  '--frob',
];
const FLAG_VALUES = [
  '10',
  '10,5',
  '5,10',
  '0',
  '100',
  '101',
  '-1',
  'abc',
  '1,2,3',
  '',
  '(a+)+$',
  '(',
  '/usr/bin/true',
  'relative',
  '/system.slice',
  'full,avg10,60,30s',
  'full,avg10,60',
  '127.0.0.1:9577',
  'kernel',
  'cgroup',
  'process-group',
  '1e999',
  '18446744073709551616',
];

const flags: FuzzProperty[] = [
  {
    name: 'run flags: any argv parses or is refused with a UsageError',
    check: (p) =>
      fc.assert(
        fc.property(
          fc.array(
            fc.oneof(
              { weight: 3, arbitrary: fc.constantFrom(...FLAG_NAMES) },
              { weight: 3, arbitrary: fc.constantFrom(...FLAG_VALUES) },
              {
                weight: 1,
                arbitrary: fc
                  .tuple(fc.constantFrom(...FLAG_NAMES), fc.constantFrom(...FLAG_VALUES))
                  .map(([f, v]) => `${f}=${v}`),
              },
              { weight: 1, arbitrary: hostileText(3) },
            ),
            { maxLength: 8 },
          ),
          (argv) => {
            usageErrorOrNothing(() => parseRunArgs(argv));
          },
        ),
        p,
      ),
  },
  {
    name: 'run flags: names inherited from Object.prototype are unknown options, not silently accepted',
    check: (p) =>
      fc.assert(
        fc.property(
          fc.constantFrom('constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty'),
          (name) => {
            assert.throws(() => parseRunArgs([`--${name}`]), {
              name: 'UsageError',
              message: `unknown option "--${name}"`,
            });
          },
        ),
        { ...p, numRuns: Math.min(p.numRuns, 20) },
      ),
  },
  {
    name: 'run flags: -m P,K and -M SIZE,KILL come back as the levels they name',
    check: (p) =>
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 99 }),
          fc.integer({ min: 1, max: 99 }),
          fc.integer({ min: 1, max: 2 ** 30 }),
          (a, b, kib) => {
            const [term, kill] = a >= b ? [a, b] : [b, a];
            const f = parseRunArgs(['-m', `${term},${kill}`, '-M', String(kib)]);
            assert.deepEqual(f.layer.memory, {
              termPercent: term,
              killPercent: kill,
              termBytes: kib * 1024,
              killBytes: Math.trunc((kib * 1024) / 2),
            });
          },
        ),
        p,
      ),
  },
];

export const configProperties: readonly FuzzProperty[] = [...config, ...flags];
