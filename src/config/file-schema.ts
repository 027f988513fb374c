// The TOML file's schema (valibot): every key, what it accepts, and the layer it becomes.
// Unknown keys are errors, so a typo never silently falls back to a default.
import * as v from 'valibot';
import { POLICY_NAMES, type PolicyName } from '../model/ranking.js';
import { isListenAddress } from './address.js';
import { DEFAULT_RULE_ADJUST } from './defaults.js';
import type { ConfigLayer, HookLayer, ThresholdsLayer } from './layer.js';
import { withDerivedKill } from './layer.js';
import { regexProblem } from './regex.js';
import type {
  CgroupPolicyConfig,
  CgroupRuleAction,
  CgroupRuleConfig,
  PsiTriggerConfig,
  RuleAction,
  RuleConfig,
} from './types.js';
import { parseDuration, parseSize } from './units.js';

/** A leaf value that failed, with what was expected ("expected a number from 0 to 100"). */
class Invalid {
  constructor(readonly message: string) {}
}

/** A key whose value is parsed by `parse`; a failure becomes an issue carrying the Invalid's message. */
function leaf<T>(parse: (value: unknown) => T | Invalid) {
  return v.pipe(
    v.unknown(),
    v.rawTransform<unknown, T>(({ dataset, addIssue, NEVER }) => {
      const out = parse(dataset.value);
      if (out instanceof Invalid) {
        addIssue({ message: out.message });
        return NEVER;
      }
      return out;
    }),
  );
}

const TABLE = 'expected a table';

function numberIn(min: number, max: number): (x: unknown) => number | Invalid {
  return (x) =>
    typeof x === 'number' && Number.isFinite(x) && x >= min && x <= max
      ? x
      : new Invalid(`expected a number from ${min} to ${max}`);
}

function integerIn(min: number, max: number): (x: unknown) => number | Invalid {
  return (x) =>
    typeof x === 'number' && Number.isInteger(x) && x >= min && x <= max
      ? x
      : new Invalid(`expected a whole number from ${min} to ${max}`);
}

function oneOf<T extends string>(...choices: T[]): (x: unknown) => T | Invalid {
  return (x) =>
    typeof x === 'string' && (choices as string[]).includes(x)
      ? (x as T)
      : new Invalid(`expected one of ${choices.map((c) => `"${c}"`).join(', ')}`);
}

/** A percentage level: above 0, and below 100 (memory) or up to 100 (swap, where 100 ignores swap). */
function percent(maxIncluded: boolean): (x: unknown) => number | Invalid {
  return (x) => {
    if (typeof x !== 'number' || !Number.isFinite(x) || x < 0 || x > 100) {
      return new Invalid('expected a number from 0 to 100');
    }
    if (x === 0 || (x === 100 && !maxIncluded)) {
      return new Invalid(maxIncluded ? 'must be above 0' : 'must be between 0 and 100 (exclusive)');
    }
    return x;
  };
}

const size = (x: unknown): number | Invalid => {
  const bytes = parseSize(x);
  if (bytes === null) return new Invalid('expected a size like "512MiB" or "1G", or a number of bytes');
  return bytes > 0 ? bytes : new Invalid('must be above 0');
};

function duration(min: number): (x: unknown) => number | Invalid {
  return (x) => {
    const ms = parseDuration(x);
    if (ms === null) return new Invalid('expected a duration like "200ms", "5s" or "1min"');
    return ms >= min ? ms : new Invalid(`expected a duration of at least ${min} ms`);
  };
}

const bool = (x: unknown): boolean | Invalid =>
  typeof x === 'boolean' ? x : new Invalid('expected true or false');

const cgroupPath = (x: unknown): string | Invalid =>
  typeof x === 'string' && x.startsWith('/')
    ? x
    : new Invalid('expected a cgroup path starting with "/", as in /proc/PID/cgroup');

const absolutePath = (x: unknown): string | Invalid =>
  typeof x === 'string' && x.startsWith('/') ? x : new Invalid('expected an absolute path');

/** An absolute path, or "none" to keep no history. */
const historyFile = (x: unknown): string | null | Invalid =>
  x === 'none'
    ? null
    : typeof x === 'string' && x.startsWith('/')
      ? x
      : new Invalid('expected an absolute path or "none"');

const regex = (x: unknown): string | Invalid => {
  if (typeof x !== 'string') return new Invalid('expected a regular expression (a string)');
  const problem = regexProblem(x);
  return problem === null ? x : new Invalid(`expected a valid regular expression (${problem})`);
};

const stringList = (x: unknown): string[] | Invalid =>
  Array.isArray(x) && x.every((s) => typeof s === 'string') ? x : new Invalid('expected an array of strings');

const listenAddress = (x: unknown): string | Invalid =>
  typeof x === 'string' && isListenAddress(x)
    ? x
    : new Invalid('expected "HOST:PORT" such as "127.0.0.1:9577"');

const opt = <T>(parse: (x: unknown) => T | Invalid) => v.optional(leaf(parse));
const section = <E extends v.ObjectEntries>(entries: E) => v.optional(v.strictObject(entries, TABLE));

const sizeEntries = { term_size: opt(size), kill_size: opt(size) };

const hookEntries = {
  path: opt(absolutePath),
  args: opt(stringList),
  timeout: opt(duration(1)),
};

const psiEntry = v.strictObject(
  {
    line: opt(oneOf('some', 'full')),
    window: opt(oneOf('avg10', 'avg60')),
    limit: leaf(numberIn(0, 100)),
    duration: leaf(duration(0)),
    cgroup: opt(cgroupPath),
    level: opt(oneOf('term', 'kill')),
  },
  TABLE,
);

const ruleEntry = v.strictObject(
  {
    name: opt((x) => (typeof x === 'string' && x !== '' ? x : new Invalid('expected a non-empty string'))),
    action: leaf(oneOf<RuleAction>('prefer', 'avoid', 'ignore', 'protect')),
    comm: opt(regex),
    cmdline: opt(regex),
    exe: opt(regex),
    cgroup: opt(regex),
    user: opt(regex),
    uid: opt(integerIn(0, 4294967294)),
    adjust: opt(integerIn(0, 1000)),
  },
  TABLE,
);

const cgroupRuleEntry = v.strictObject(
  {
    name: opt((x) => (typeof x === 'string' && x !== '' ? x : new Invalid('expected a non-empty string'))),
    action: leaf(oneOf<CgroupRuleAction>('prefer', 'avoid', 'omit')),
    path: leaf(regex),
  },
  TABLE,
);

const cgroupDepth = (x: unknown): number | 'leaves' | Invalid =>
  x === 'leaves' || (typeof x === 'number' && Number.isInteger(x) && x >= 1 && x <= 64)
    ? x
    : new Invalid('expected a whole number of levels from 1 to 64, or "leaves"');

export const fileSchema = v.strictObject(
  {
    memory: section({
      term_percent: opt(percent(false)),
      kill_percent: opt(percent(false)),
      ...sizeEntries,
      percent_of: opt(oneOf('total', 'available+anon')),
    }),
    // 100 is allowed for swap: "swap free ≤ 100 %" always holds, so swap is ignored (earlyoom's -s 100).
    swap: section({ term_percent: opt(percent(true)), kill_percent: opt(percent(true)), ...sizeEntries }),
    scope: section({ cgroup: opt(cgroupPath), available: opt(oneOf('usage', 'working-set')) }),
    psi: v.optional(v.array(psiEntry, 'expected an array of tables ([[psi]])')),
    selection: section({ ranker: opt(oneOf<PolicyName>(...POLICY_NAMES)) }),
    rules: v.optional(v.array(ruleEntry, 'expected an array of tables ([[rules]])')),
    cgroups: section({
      measure: opt(oneOf('usage', 'working-set')),
      depth: opt(cgroupDepth),
      pressure_limit: opt(numberIn(0, 100)),
      pressure_duration: opt(duration(0)),
      swap_used_limit: opt(numberIn(0, 100)),
    }),
    cgroup_rules: v.optional(v.array(cgroupRuleEntry, 'expected an array of tables ([[cgroup_rules]])')),
    action: section({
      unit: opt(oneOf('process', 'process-group', 'cgroup')),
      grace: opt(duration(0)),
      recovery_wait: opt(duration(0)),
      cooldown: opt(duration(0)),
      process_mrelease: opt(bool),
      dry_run: opt(bool),
    }),
    hooks: section({ pre_kill: section(hookEntries), post_kill: section(hookEntries) }),
    poll: section({ min: opt(duration(1)), max: opt(duration(1)) }),
    output: section({
      format: opt(oneOf('text', 'json')),
      debug: opt(bool),
      report_interval: opt(duration(0)),
      notify: opt(bool),
      history_file: opt(historyFile),
    }),
    self_protection: section({
      enabled: opt(bool),
      oom_score_adj: opt(integerIn(-1000, 1000)),
      nice: opt(integerIn(-20, 19)),
    }),
    server: section({ listen: opt(listenAddress) }),
    kube: section({ pods_file: opt(absolutePath) }),
  },
  TABLE,
);

export type ConfigFile = v.InferOutput<typeof fileSchema>;

/** A rule problem that valibot's per-key checks cannot see: [key path, message]. */
export type RuleProblem = readonly [string, string];

function toThresholds(t: NonNullable<ConfigFile['memory']>): ThresholdsLayer {
  return withDerivedKill({
    termPercent: t.term_percent,
    killPercent: t.kill_percent,
    termBytes: t.term_size,
    killBytes: t.kill_size,
  });
}

function toHook(h: NonNullable<NonNullable<ConfigFile['hooks']>['pre_kill']>): HookLayer {
  return { path: h.path, args: h.args, timeoutMs: h.timeout };
}

function toRule(r: NonNullable<ConfigFile['rules']>[number], index: number): RuleConfig | RuleProblem {
  const key = `rules[${index}]`;
  const matchers = [r.comm, r.cmdline, r.exe, r.cgroup, r.user, r.uid];
  if (matchers.every((m) => m === undefined)) {
    return [key, 'expected at least one of comm, cmdline, exe, cgroup, user, uid'];
  }
  const scored = r.action === 'prefer' || r.action === 'avoid';
  if (!scored && r.adjust !== undefined) {
    return [`${key}.adjust`, `only prefer and avoid rules take an adjustment, this one is "${r.action}"`];
  }
  const magnitude = r.adjust ?? DEFAULT_RULE_ADJUST;
  return {
    action: r.action,
    comm: r.comm ?? null,
    cmdline: r.cmdline ?? null,
    exe: r.exe ?? null,
    cgroup: r.cgroup ?? null,
    user: r.user ?? null,
    uid: r.uid ?? null,
    adjust: r.action === 'prefer' ? magnitude : r.action === 'avoid' ? -magnitude : 0,
    source: r.name === undefined ? key : `${key} "${r.name}"`,
  };
}

function toCgroupRule(r: NonNullable<ConfigFile['cgroup_rules']>[number], index: number): CgroupRuleConfig {
  const key = `cgroup_rules[${index}]`;
  return { action: r.action, path: r.path, source: r.name === undefined ? key : `${key} "${r.name}"` };
}

function toCgroupSettings(c: NonNullable<ConfigFile['cgroups']>): Partial<CgroupPolicyConfig> {
  const out: { -readonly [K in keyof CgroupPolicyConfig]?: CgroupPolicyConfig[K] } = {};
  if (c.measure !== undefined) out.measure = c.measure;
  if (c.depth !== undefined) out.depth = c.depth;
  if (c.pressure_limit !== undefined) out.pressureLimit = c.pressure_limit;
  if (c.pressure_duration !== undefined) out.pressureDurationMs = c.pressure_duration;
  if (c.swap_used_limit !== undefined) out.swapUsedLimit = c.swap_used_limit;
  return out;
}

function toPsi(p: NonNullable<ConfigFile['psi']>[number]): PsiTriggerConfig {
  return {
    line: p.line ?? 'full',
    window: p.window ?? 'avg10',
    limit: p.limit,
    durationMs: p.duration,
    cgroup: p.cgroup ?? null,
    level: p.level ?? 'term',
  };
}

/** The validated file as a layer, or the rule problems found. */
export function fileToLayer(f: ConfigFile): { layer: ConfigLayer; problems: RuleProblem[] } {
  const problems: RuleProblem[] = [];
  const rules: RuleConfig[] = [];
  (f.rules ?? []).forEach((r, i) => {
    const out = toRule(r, i);
    if (Array.isArray(out)) problems.push(out as RuleProblem);
    else rules.push(out as RuleConfig);
  });
  const layer: ConfigLayer = {
    memory: f.memory && toThresholds(f.memory),
    swap: f.swap && toThresholds(f.swap),
    memoryPercentBase: f.memory?.percent_of,
    scopeCgroup: f.scope?.cgroup,
    cgroupAvailable: f.scope?.available,
    psi: f.psi?.map(toPsi),
    ranker: f.selection?.ranker,
    rules: f.rules && rules,
    cgroupRules: f.cgroup_rules?.map(toCgroupRule),
    cgroupSettings: f.cgroups && toCgroupSettings(f.cgroups),
    killUnit: f.action?.unit,
    graceMs: f.action?.grace,
    recoveryWaitMs: f.action?.recovery_wait,
    cooldownMs: f.action?.cooldown,
    processMrelease: f.action?.process_mrelease,
    preKillHook: f.hooks?.pre_kill && toHook(f.hooks.pre_kill),
    postKillHook: f.hooks?.post_kill && toHook(f.hooks.post_kill),
    notify: f.output?.notify,
    historyFile: f.output?.history_file,
    dryRun: f.action?.dry_run,
    pollMinMs: f.poll?.min,
    pollMaxMs: f.poll?.max,
    reportIntervalMs: f.output?.report_interval,
    logFormat: f.output?.format,
    debug: f.output?.debug,
    selfProtectionEnabled: f.self_protection?.enabled,
    selfOomScoreAdj: f.self_protection?.oom_score_adj,
    selfNice: f.self_protection?.nice,
    listen: f.server?.listen,
    kubePodsFile: f.kube?.pods_file,
  };
  return { layer, problems };
}
