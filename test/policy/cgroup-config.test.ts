// The cgroup policies' configuration: selection.ranker / --ranker naming a cgroup policy, [cgroups] settings,
// [[cgroup_rules]], and the exact messages for what is wrong.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseRunArgs } from '../../src/config/flags.js';
import { loadConfig } from '../../src/config/load.js';
import { UsageError } from '../../src/model/errors.js';

const load = (text: string, argv: string[] = []) =>
  loadConfig({ file: 'oomguard.toml', text, flags: parseRunArgs(argv) });

describe('cgroup policy configuration', () => {
  test('selection.ranker = "cgroup": the cgroup policy, with the kernel ranker inside the cgroup', () => {
    const c = load('[selection]\nranker = "cgroup"\n');
    assert.deepEqual([c.cgroupPolicy, c.ranker], ['cgroup', 'kernel']);
  });

  test('--ranker overrides the file either way; kernel|rss|legacy still work', () => {
    assert.deepEqual(
      (({ cgroupPolicy, ranker }) => [cgroupPolicy, ranker])(
        load('[selection]\nranker = "rss"\n', ['--ranker', 'oomd-swap']),
      ),
      ['oomd-swap', 'kernel'],
    );
    assert.deepEqual(
      (({ cgroupPolicy, ranker }) => [cgroupPolicy, ranker])(
        load('[selection]\nranker = "size-growth"\n', ['--ranker', 'legacy']),
      ),
      [null, 'legacy'],
    );
    assert.equal(load('', ['--sort-by-rss']).cgroupPolicy, null);
  });

  test('[cgroups] and [[cgroup_rules]] as written; rules from the file in order', () => {
    const c = load(
      [
        '[cgroups]',
        'measure = "usage"',
        'depth = "leaves"',
        'pressure_limit = 40',
        'pressure_duration = "1min"',
        'swap_used_limit = 80.5',
        '[[cgroup_rules]]',
        'action = "avoid"',
        'path = "^/system\\\\.slice/"',
        '[[cgroup_rules]]',
        'name = "batch first"',
        'action = "prefer"',
        'path = "batch"',
      ].join('\n'),
    );
    assert.deepEqual(c.cgroupSettings, {
      measure: 'usage',
      depth: 'leaves',
      pressureLimit: 40,
      pressureDurationMs: 60_000,
      swapUsedLimit: 80.5,
    });
    assert.deepEqual(c.cgroupRules, [
      { action: 'avoid', path: '^/system\\.slice/', source: 'cgroup_rules[0]' },
      { action: 'prefer', path: 'batch', source: 'cgroup_rules[1] "batch first"' },
    ]);
  });

  test('one [cgroups] setting leaves the others at their defaults', () => {
    assert.deepEqual(load('[cgroups]\ndepth = 2\n').cgroupSettings, {
      measure: 'working-set',
      depth: 2,
      pressureLimit: 60,
      pressureDurationMs: 30_000,
      swapUsedLimit: 90,
    });
  });

  const bad: [string, string][] = [
    [
      '[cgroups]\ndepth = 0',
      'oomguard.toml: cgroups.depth: expected a whole number of levels from 1 to 64, or "leaves", got 0',
    ],
    [
      '[cgroups]\ndepth = "all"',
      'oomguard.toml: cgroups.depth: expected a whole number of levels from 1 to 64, or "leaves", got "all"',
    ],
    [
      '[cgroups]\nmeasure = "rss"',
      'oomguard.toml: cgroups.measure: expected one of "usage", "working-set", got "rss"',
    ],
    [
      '[cgroups]\npressure_limit = 101',
      'oomguard.toml: cgroups.pressure_limit: expected a number from 0 to 100, got 101',
    ],
    [
      '[cgroups]\nlimit = 1',
      'oomguard.toml: cgroups.limit: unknown key (known keys here: measure, depth, pressure_limit, pressure_duration, swap_used_limit)',
    ],
    [
      '[[cgroup_rules]]\naction = "ignore"\npath = "x"',
      'oomguard.toml: cgroup_rules[0].action: expected one of "prefer", "avoid", "omit", got "ignore"',
    ],
    ['[[cgroup_rules]]\naction = "omit"', 'oomguard.toml: cgroup_rules[0].path: missing'],
    [
      '[[cgroup_rules]]\naction = "omit"\npath = "("',
      'oomguard.toml: cgroup_rules[0].path: expected a valid regular expression (Unterminated group), got "("',
    ],
  ];
  for (const [text, message] of bad) {
    test(`bad: ${text.replaceAll('\n', ' ⏎ ')}`, () => {
      assert.throws(
        () => load(text),
        (e: unknown) => e instanceof UsageError && e.message === message,
        `expected: ${message}`,
      );
    });
  }
});
