// Rule patterns cannot stall the daemon: patterns that backtrack catastrophically are refused when the
// configuration loads, with a message that names the culprit; what is accepted runs on hostile text (the
// characters of the pattern itself, repeated) in bounded time.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createContext, Script } from 'node:vm';
import fc from 'fast-check';
import { parseRunArgs } from '../../src/config/flags.js';
import { parseConfigText } from '../../src/config/load.js';
import { regexProblem } from '../../src/config/regex.js';
import { fuzzParams } from '../fuzz/arbitraries.js';

const EXPONENTIAL = 'which can take exponential time on a non-matching text (catastrophic backtracking)';
const VARIABLE = `repeats a part of variable length that can end and begin with the same characters, ${EXPONENTIAL}`;
const TWO_WAYS = `can match the same text in more than one way, ${EXPONENTIAL}`;
const POLYNOMIAL =
  'can match the same text one after the other, which takes time growing as a power of the text\'s length on a non-matching text; rules match anywhere in the text, so a leading or trailing ".*" is not needed';

describe('refused patterns', () => {
  const refused: [string, string][] = [
    ['(a+)+$', `nested quantifiers: "(a+)+" ${VARIABLE}`],
    ['^(\\w+\\s?)*$', `nested quantifiers: "(\\w+\\s?)*" ${VARIABLE}`],
    ['(x+x+)+y', `nested quantifiers: "(x+x+)+" ${VARIABLE}`],
    ['^(?:aa?)*$', `nested quantifiers: "(?:aa?)*" ${VARIABLE}`],
    ['(a|aa)+$', `ambiguous alternation: the repeated group "(a|aa)+" ${TWO_WAYS}`],
    ['^(?:x(?:a|a){2}y)*$', `ambiguous alternation: the repeated group "(?:x(?:a|a){2}y)*" ${TWO_WAYS}`],
    ['.*java.*', `".*" and ".*" ${POLYNOMIAL}`],
    ['[a-z]+[0-9a-z]+!', `"[a-z]+" and "[0-9a-z]+" ${POLYNOMIAL}`],
    ['(a+){2}b', `"a+" and "a+" ${POLYNOMIAL}`],
  ];
  for (const [pattern, message] of refused) {
    test(pattern, () => assert.equal(regexProblem(pattern), message));
  }

  test("a syntax error is still V8's own reason", () => {
    assert.equal(regexProblem('(a'), 'Unterminated group');
  });

  test('the config file refuses (a+)+$ with the key and the reason', () => {
    assert.throws(() => parseConfigText('f.toml', '[[rules]]\naction = "prefer"\ncomm = "(a+)+$"\n'), {
      name: 'UsageError',
      message: `f.toml: rules[0].comm: expected a valid regular expression (nested quantifiers: "(a+)+" ${VARIABLE}), got "(a+)+$"`,
    });
  });

  test('--prefer refuses (a+)+$ with the flag and the reason', () => {
    assert.throws(() => parseRunArgs(['--prefer', '(a+)+$']), {
      name: 'UsageError',
      message: `--prefer: invalid regular expression "(a+)+$": nested quantifiers: "(a+)+" ${VARIABLE}`,
    });
  });
});

describe('accepted patterns', () => {
  const accepted = [
    '^(firefox|chrome)$',
    'java',
    'java.*-Xmx',
    '^/usr/lib/jvm/.*/bin/java$',
    '^/system\\.slice/sshd\\.service$',
    '(\\d+\\.){3}\\d+',
    '(?:\\d+,)*\\d+',
    '\\w+\\s+\\w+',
    '(a+b)*',
    '(?:\\.exe|\\.bin)*$',
    '\\bpostgres\\b',
    '^[)(]+ x$',
  ];
  for (const pattern of accepted) test(pattern, () => assert.equal(regexProblem(pattern), null));
});

/** Small patterns built from overlapping atoms, quantifiers, groups and alternation. */
const pattern: fc.Arbitrary<string> = fc
  .letrec<{ seq: string; item: string }>((tie) => ({
    item: fc
      .tuple(
        fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom('a', 'b', '.', '\\w', '\\d', '[ab]', '\\s', '[^b]', '1') },
          {
            weight: 1,
            arbitrary: fc
              .array(tie('seq'), { minLength: 1, maxLength: 3 })
              .map((alts) => `(?:${alts.join('|')})`),
          },
        ),
        fc.constantFrom('', '', '*', '+', '?', '{2}', '{1,3}', '{2,}', '*?'),
      )
      .map(([atom, q]) => atom + q),
    seq: fc.array(tie('item'), { minLength: 1, maxLength: 4 }).map((items) => items.join('')),
  }))
  .seq.chain((body) => fc.constantFrom(body, `^${body}$`, `${body}$`, `${body}!`));

const sandbox = createContext({ re: /x/, text: '' });
const runTest = new Script('re.test(text)');

/** Milliseconds one test takes, or Infinity when it had to be stopped after limitMs (vm can stop a RegExp). */
function matchMs(re: RegExp, text: string, limitMs: number): number {
  sandbox.re = re;
  sandbox.text = text;
  const t = performance.now();
  try {
    runTest.runInContext(sandbox, { timeout: limitMs });
  } catch {
    return Number.POSITIVE_INFINITY;
  }
  return performance.now() - t;
}

test('every accepted pattern runs on 1 KB of its own characters in bounded time; every refusal says why', () => {
  const params = fuzzParams(300);
  const inputs = ['a', 'b', '1', ' ', 'ab', 'a1', 'a ', '1.'].map(
    (unit) => `${unit.repeat(1024 / unit.length)}\u0000`,
  );
  fc.assert(
    fc.property(pattern, (source) => {
      const problem = regexProblem(source);
      if (problem !== null) {
        assert.match(
          problem,
          /^(nested quantifiers|ambiguous alternation|".+" and ".+" can match the same text)/,
        );
        return;
      }
      const re = new RegExp(source);
      for (const text of inputs) {
        const ms = matchMs(re, text, 2000);
        assert.ok(ms < 250, `/${source}/ took ${ms} ms on ${JSON.stringify(text.slice(0, 4))}…`);
      }
    }),
    params,
  );
});

test('regexProblem never throws, whatever the text', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 30 }), (source) => {
      const problem = regexProblem(source);
      assert.ok(problem === null || typeof problem === 'string');
    }),
    fuzzParams(500),
  );
});
