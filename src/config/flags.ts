// `oomguard run` flags: earlyoom's, with earlyoom's meaning, and oomguard's own long flags.
// Pure: argv in, RunFlags out, or a UsageError naming the flag and what it expected.
import { parseArgs } from 'node:util';
import { UsageError } from '../model/errors.js';
import { POLICY_NAMES } from '../model/ranking.js';
import { isListenAddress } from './address.js';
import { DEFAULT_RULE_ADJUST } from './defaults.js';
import type { ConfigLayer, HookLayer, ThresholdsLayer } from './layer.js';
import { regexProblem } from './regex.js';
import type { KillUnit, PsiTriggerConfig, RuleConfig } from './types.js';
import { parseDuration } from './units.js';

export interface RunFlags {
  /** --config FILE; null when not given. */
  readonly configFile: string | null;
  /** --check-config: load and check the configuration, then stop. */
  readonly checkConfig: boolean;
  /** -h / --help. */
  readonly help: boolean;
  /** Settings the flags give; they override the file's. */
  readonly layer: ConfigLayer;
}

export const RUN_FLAGS_HELP = `Usage: oomguard run [options]

earlyoom-compatible:
  -m PERCENT[,KILL]   SIGTERM when available memory <= PERCENT (default 10), SIGKILL at KILL (default PERCENT/2)
  -s PERCENT[,KILL]   the same for free swap (default 10,5); -s 100 ignores swap for SIGTERM
  -M SIZE[,KILL]      available-memory levels in KiB; with -m, the lower level wins
  -S SIZE[,KILL]      free-swap levels in KiB; with -s, the lower level wins
  --prefer RE         prefer processes whose name matches RE (+300)
  --avoid RE          avoid processes whose name matches RE (-300)
  --ignore RE         never choose processes whose name matches RE
  --ignore-root-user  never choose processes of uid 0
  --dryrun            decide and log, send no signal
  -g                  kill the victim's whole process group
  -N PATH             run PATH after a kill (no shell)
  -P PATH             run PATH before a kill (no shell)
  -r SECONDS          memory report interval (0 = off)
  -n                  desktop notification after a kill
  -p                  lower oomguard's own oom_score_adj and nice (on by default)
  --sort-by-rss       rank by RSS + swap instead of the kernel's score
  -d                  debug: log each look and the candidate table

oomguard:
  --config FILE       read settings from FILE (flags override it)
  --check-config      check the configuration and stop
  --dry-run           same as --dryrun
  --cgroup PATH       watch this memory cgroup's limit and choose only inside it
  --ranker NAME       kernel | rss | legacy (per process), or a cgroup policy:
                      cgroup | oomd-pressure | oomd-swap | size-growth | kube (docs/cgroup-policies.md)
  --unit NAME         process | process-group | cgroup
  --psi SPEC          LINE,WINDOW,LIMIT,DURATION[,CGROUP], e.g. full,avg10,60,30s (repeatable)
  --listen HOST:PORT  serve the dashboard and /metrics
  --history FILE      record kills in FILE ("none": nowhere; default /var/lib/oomguard/history.jsonl)
  --kube-pods FILE    pod metadata for --ranker kube (docs/kubernetes.md), read at each selection
  --json              log one JSON object a line
  -h, --help          this text
`;

const OPTIONS = {
  m: { type: 'string' },
  s: { type: 'string' },
  M: { type: 'string' },
  S: { type: 'string' },
  prefer: { type: 'string' },
  avoid: { type: 'string' },
  ignore: { type: 'string' },
  'ignore-root-user': { type: 'boolean' },
  dryrun: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  g: { type: 'boolean' },
  N: { type: 'string' },
  P: { type: 'string' },
  r: { type: 'string' },
  n: { type: 'boolean' },
  p: { type: 'boolean' },
  'sort-by-rss': { type: 'boolean' },
  d: { type: 'boolean' },
  config: { type: 'string' },
  'check-config': { type: 'boolean' },
  cgroup: { type: 'string' },
  ranker: { type: 'string' },
  unit: { type: 'string' },
  psi: { type: 'string' },
  listen: { type: 'string' },
  history: { type: 'string' },
  'kube-pods': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type OptionName = keyof typeof OPTIONS;

const PLAIN_NUMBER = /^\d+(\.\d+)?$/;

/** `P[,K]` where each part passes `parse`; K defaults to P/2 and may not exceed P (earlyoom's tuple). */
function termKillPair(
  flag: string,
  value: string,
  parse: (part: string, flag: string) => number,
): { term: number; kill: number } {
  const parts = value.split(',');
  if (parts.length > 2) throw new UsageError(`${flag}: expected TERM[,KILL], got "${value}"`);
  const term = parse(parts[0] ?? '', flag);
  if (parts[1] === undefined) return { term, kill: term / 2 };
  const kill = parse(parts[1], `${flag} (kill level)`);
  if (kill > term)
    throw new UsageError(`${flag}: the kill level (${kill}) is above the term level (${term})`);
  return { term, kill };
}

function memoryPercent(part: string, flag: string): number {
  const x = Number(part);
  if (!PLAIN_NUMBER.test(part) || x > 100) {
    throw new UsageError(`${flag}: expected a percentage from 0 to 100, got "${part}"`);
  }
  if (x === 0 || x === 100) throw new UsageError(`${flag}: must be between 0 and 100 (exclusive)`);
  return x;
}

function swapPercent(part: string, flag: string): number {
  const x = Number(part);
  if (!PLAIN_NUMBER.test(part) || x > 100) {
    throw new UsageError(`${flag}: expected a percentage from 0 to 100, got "${part}"`);
  }
  if (x === 0) throw new UsageError(`${flag}: must be above 0 (100 ignores swap)`);
  return x;
}

function kibToBytes(part: string, flag: string): number {
  if (!PLAIN_NUMBER.test(part)) throw new UsageError(`${flag}: expected a size in KiB, got "${part}"`);
  const bytes = Math.trunc(Number(part) * 1024);
  if (bytes === 0) throw new UsageError(`${flag}: must be above 0`);
  if (!Number.isSafeInteger(bytes)) throw new UsageError(`${flag}: size too large, got "${part}"`);
  return bytes;
}

function oneOf<T extends string>(flag: string, value: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${flag}: expected one of ${choices.join(', ')}, got "${value}"`);
}

function absolutePath(flag: string, value: string): string {
  if (!value.startsWith('/')) throw new UsageError(`${flag}: expected an absolute path, got "${value}"`);
  return value;
}

function cgroupPath(flag: string, value: string): string {
  if (!value.startsWith('/')) {
    throw new UsageError(
      `${flag}: expected a cgroup path starting with "/", as in /proc/PID/cgroup, got "${value}"`,
    );
  }
  return value;
}

function nameRule(flag: string, value: string, action: 'prefer' | 'avoid' | 'ignore'): RuleConfig {
  const problem = regexProblem(value);
  if (problem !== null) throw new UsageError(`${flag}: invalid regular expression "${value}": ${problem}`);
  const adjust = action === 'prefer' ? DEFAULT_RULE_ADJUST : action === 'avoid' ? -DEFAULT_RULE_ADJUST : 0;
  return {
    action,
    comm: value,
    cmdline: null,
    exe: null,
    cgroup: null,
    user: null,
    uid: null,
    adjust,
    source: flag,
  };
}

const PSI_SPEC = 'LINE,WINDOW,LIMIT,DURATION[,CGROUP] such as "full,avg10,60,30s"';

function psiTrigger(value: string): PsiTriggerConfig {
  const parts = value.split(',');
  if (parts.length < 4 || parts.length > 5)
    throw new UsageError(`--psi: expected ${PSI_SPEC}, got "${value}"`);
  const [line, window, limit, duration, cgroup] = parts as [
    string,
    string,
    string,
    string,
    string | undefined,
  ];
  const limitValue = Number(limit);
  if (!PLAIN_NUMBER.test(limit) || limitValue > 100) {
    throw new UsageError(`--psi: LIMIT: expected a percentage from 0 to 100, got "${limit}"`);
  }
  const durationMs = parseDuration(duration);
  if (durationMs === null) {
    throw new UsageError(
      `--psi: DURATION: expected a duration like "200ms", "5s" or "1min", got "${duration}"`,
    );
  }
  return {
    line: oneOf('--psi: LINE', line, ['some', 'full'] as const),
    window: oneOf('--psi: WINDOW', window, ['avg10', 'avg60'] as const),
    limit: limitValue,
    durationMs,
    cgroup: cgroup === undefined ? null : cgroupPath('--psi: CGROUP', cgroup),
    level: 'term',
  };
}

/** Parses the arguments after `oomguard run`. Repeated flags: the last wins, except rules and --psi, which add up. */
export function parseRunArgs(argv: readonly string[]): RunFlags {
  const { tokens } = parseArgs({
    args: [...argv],
    options: OPTIONS,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  let configFile: string | null = null;
  let checkConfig = false;
  let help = false;
  let memory: ThresholdsLayer = {};
  let swap: ThresholdsLayer = {};
  const rules: RuleConfig[] = [];
  const psi: PsiTriggerConfig[] = [];
  const layer: { -readonly [K in keyof ConfigLayer]: ConfigLayer[K] } = {};
  let preKillHook: HookLayer | undefined;
  let postKillHook: HookLayer | undefined;

  for (const token of tokens) {
    if (token.kind === 'positional') throw new UsageError(`unexpected argument "${token.value}"`);
    if (token.kind === 'option-terminator') continue;
    const flag = token.rawName;
    // Own keys only: `--constructor` must not match what OPTIONS inherits from Object.prototype.
    if (!Object.hasOwn(OPTIONS, token.name)) throw new UsageError(`unknown option "${flag}"`);
    const name = token.name as OptionName;
    const takesValue = OPTIONS[name].type === 'string';
    if (takesValue && token.value === undefined) throw new UsageError(`${flag}: missing value`);
    if (!takesValue && token.value !== undefined) throw new UsageError(`${flag}: takes no value`);
    const value = token.value ?? '';
    switch (name) {
      case 'm': {
        const { term, kill } = termKillPair(flag, value, memoryPercent);
        memory = { ...memory, termPercent: term, killPercent: kill };
        break;
      }
      case 's': {
        const { term, kill } = termKillPair(flag, value, swapPercent);
        swap = { ...swap, termPercent: term, killPercent: kill };
        break;
      }
      case 'M': {
        const { term, kill } = termKillPair(flag, value, kibToBytes);
        memory = { ...memory, termBytes: term, killBytes: Math.trunc(kill) };
        break;
      }
      case 'S': {
        const { term, kill } = termKillPair(flag, value, kibToBytes);
        swap = { ...swap, termBytes: term, killBytes: Math.trunc(kill) };
        break;
      }
      case 'prefer':
      case 'avoid':
      case 'ignore':
        rules.push(nameRule(flag, value, name));
        break;
      case 'ignore-root-user':
        rules.push({
          action: 'ignore',
          comm: null,
          cmdline: null,
          exe: null,
          cgroup: null,
          user: null,
          uid: 0,
          adjust: 0,
          source: flag,
        });
        break;
      case 'dryrun':
      case 'dry-run':
        layer.dryRun = true;
        break;
      case 'g':
        layer.killUnit = 'process-group';
        break;
      case 'N':
        postKillHook = { path: absolutePath(flag, value), args: [] };
        break;
      case 'P':
        preKillHook = { path: absolutePath(flag, value), args: [] };
        break;
      case 'r':
        if (!PLAIN_NUMBER.test(value))
          throw new UsageError(`${flag}: expected a number of seconds (0 = off), got "${value}"`);
        layer.reportIntervalMs = Math.trunc(Number(value) * 1000);
        break;
      case 'n':
        layer.notify = true;
        break;
      case 'p':
        layer.selfProtectionEnabled = true;
        break;
      case 'sort-by-rss':
        layer.ranker = 'rss';
        break;
      case 'd':
        layer.debug = true;
        break;
      case 'config':
        configFile = value;
        break;
      case 'check-config':
        checkConfig = true;
        break;
      case 'cgroup':
        layer.scopeCgroup = cgroupPath(flag, value);
        break;
      case 'ranker':
        layer.ranker = oneOf(flag, value, POLICY_NAMES);
        break;
      case 'unit':
        layer.killUnit = oneOf<KillUnit>(flag, value, ['process', 'process-group', 'cgroup']);
        break;
      case 'psi':
        psi.push(psiTrigger(value));
        break;
      case 'kube-pods':
        layer.kubePodsFile = absolutePath(flag, value);
        break;
      case 'history':
        layer.historyFile = value === 'none' ? null : absolutePath(flag, value);
        break;
      case 'listen':
        if (!isListenAddress(value)) {
          throw new UsageError(`${flag}: expected HOST:PORT such as 127.0.0.1:9577, got "${value}"`);
        }
        layer.listen = value;
        break;
      case 'json':
        layer.logFormat = 'json';
        break;
      case 'help':
        help = true;
        break;
    }
  }
  if (Object.keys(memory).length > 0) layer.memory = memory;
  if (Object.keys(swap).length > 0) layer.swap = swap;
  if (rules.length > 0) layer.rules = rules;
  if (psi.length > 0) layer.psi = psi;
  if (preKillHook) layer.preKillHook = preKillHook;
  if (postKillHook) layer.postKillHook = postKillHook;
  return { configFile, checkConfig, help, layer };
}
