// Loading the configuration: built-in defaults < the TOML file < command-line flags.
// Every problem becomes a UsageError (exit 2) naming the file, the key path and what was expected.
import { readFileSync } from 'node:fs';
import { parse as parseToml, TomlError } from 'smol-toml';
import * as v from 'valibot';
import { UsageError } from '../model/errors.js';
import { isCgroupPolicy, type PolicyName } from '../model/ranking.js';
import { DEFAULT_CONFIG, DEFAULT_POST_KILL_TIMEOUT_MS, DEFAULT_PRE_KILL_TIMEOUT_MS } from './defaults.js';
import { fileSchema, fileToLayer } from './file-schema.js';
import type { RunFlags } from './flags.js';
import type { ConfigLayer, HookLayer, ThresholdsLayer } from './layer.js';
import type { CgroupPolicyConfig, DaemonConfig, HookConfig, Thresholds } from './types.js';
import { formatBytes } from './units.js';

export interface LoadConfigOptions {
  /** The file to read, or the name to report for `text`. Without both, flags.configFile is read if set. */
  readonly file?: string;
  /** The file's content, when the caller already has it. */
  readonly text?: string;
  readonly flags: RunFlags;
  /**
   * Called with the configuration file (once read) and each hook's executable; throws a UsageError for one
   * that must not be trusted. `oomguard run` passes src/host/file-trust.ts's checkTrustedFile.
   */
  readonly checkFile?: (path: string, role: string) => void;
}

/** The merged, checked configuration. Throws UsageError for anything wrong. */
export function loadConfig(options: LoadConfigOptions): DaemonConfig {
  const path = options.file ?? options.flags.configFile ?? undefined;
  let fileLayer: ConfigLayer = {};
  if (options.text !== undefined || path !== undefined) {
    const label = path ?? 'config';
    const text = options.text ?? readConfigFile(label);
    if (options.text === undefined) options.checkFile?.(label, 'configuration file');
    fileLayer = parseConfigText(label, text);
  }
  const config = merge(fileLayer, options.flags.layer, path ?? 'config');
  if (config.preKillHook) options.checkFile?.(config.preKillHook.path, 'pre-kill hook');
  if (config.postKillHook) options.checkFile?.(config.postKillHook.path, 'post-kill hook');
  return config;
}

function readConfigFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(e);
    throw new UsageError(`${path}: cannot read the configuration: ${reason}`);
  }
}

/** The file's settings as a layer; `label` prefixes every error. */
export function parseConfigText(label: string, text: string): ConfigLayer {
  let data: unknown;
  try {
    data = parseToml(text);
  } catch (e) {
    if (e instanceof TomlError) {
      // smol-toml's message is "Invalid TOML document: REASON" followed by a code excerpt.
      const reason = (e.message.split('\n')[0] ?? '').replace(/^Invalid TOML document: /, '');
      throw new UsageError(`${label}: line ${e.line}, column ${e.column}: invalid TOML: ${reason}`);
    }
    throw e;
  }
  const result = v.safeParse(fileSchema, data);
  if (!result.success) {
    throw new UsageError(result.issues.map((issue) => `${label}: ${describeIssue(issue)}`).join('\n'));
  }
  const { layer, problems } = fileToLayer(result.output);
  if (problems.length > 0)
    throw new UsageError(problems.map(([key, msg]) => `${label}: ${key}: ${msg}`).join('\n'));
  return layer;
}

type Issue = v.BaseIssue<unknown>;

function keyPath(issue: Issue): string {
  let out = '';
  for (const item of issue.path ?? []) {
    const key = item.key;
    out += typeof key === 'number' ? `[${key}]` : out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** How a TOML value is named in messages: strings quoted, numbers as written, tables and arrays by kind. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return 'a date';
  return 'a table';
}

/** The keys a table in the schema accepts, for "unknown key" messages. */
function knownKeys(issue: Issue): string[] {
  let schema: unknown = fileSchema;
  const items = issue.path ?? [];
  // The last path item is the unknown key itself; walk to the table that holds it.
  for (const item of items.slice(0, -1)) {
    // unwrap() already steps into an array's item schema, so an index needs no step of its own.
    schema = unwrap(schema);
    if (typeof item.key !== 'number')
      schema = (schema as { entries?: Record<string, unknown> }).entries?.[String(item.key)];
  }
  const entries = (unwrap(schema) as { entries?: Record<string, unknown> }).entries;
  return entries ? Object.keys(entries) : [];
}

function unwrap(schema: unknown): unknown {
  let s = schema as { type?: string; wrapped?: unknown; item?: unknown };
  while (s.type === 'optional' || s.type === 'array')
    s = (s.type === 'optional' ? s.wrapped : s.item) as typeof s;
  return s;
}

function describeIssue(issue: Issue): string {
  const path = keyPath(issue);
  if (issue.type === 'strict_object' && issue.expected === 'never') {
    return `${path}: unknown key (known keys here: ${knownKeys(issue).join(', ')})`;
  }
  if (issue.type === 'strict_object' && issue.expected?.startsWith('"')) return `${path}: missing`;
  return `${path || '(top level)'}: ${issue.message}, got ${describeValue(issue.input)}`;
}

/** The last defined value: a later source overrides an earlier one. */
function pick<T>(...values: (T | undefined)[]): T | undefined {
  let out: T | undefined;
  for (const value of values) if (value !== undefined) out = value;
  return out;
}

/** `base` overridden by the file, then by the flags. */
function over<T>(base: T, file: T | undefined, flags: T | undefined): T {
  // A layer may set null on purpose (history_file = "none"): only undefined means "not set here".
  const value = pick(file, flags);
  return value === undefined ? base : value;
}

function mergeThresholds(
  name: 'memory' | 'swap',
  base: Thresholds,
  file: ThresholdsLayer | undefined,
  flags: ThresholdsLayer | undefined,
  label: string,
): Thresholds {
  const termPercent = pick(file?.termPercent, flags?.termPercent);
  const termBytes = pick(file?.termBytes, flags?.termBytes);
  const killPercent = pick(file?.killPercent, flags?.killPercent);
  const killBytes = pick(file?.killBytes, flags?.killBytes);
  // With no TERM level at all, the built-in percentage applies (and its half for KILL when KILL is unset too).
  const noTerm = termPercent === undefined && termBytes === undefined;
  const noKill = killPercent === undefined && killBytes === undefined;
  const out: Thresholds = {
    term: noTerm ? base.term : { percent: termPercent ?? null, bytes: termBytes ?? null },
    kill: noKill && noTerm ? base.kill : { percent: killPercent ?? null, bytes: killBytes ?? null },
  };
  // Flags check their own pairs, so a KILL above TERM here comes from the file (or the file against a default).
  if (out.kill.percent !== null && out.term.percent !== null && out.kill.percent > out.term.percent) {
    throw new UsageError(
      `${label}: ${name}.kill_percent: must not be above the term level (${out.term.percent} %), got ${out.kill.percent}`,
    );
  }
  if (out.kill.bytes !== null && out.term.bytes !== null && out.kill.bytes > out.term.bytes) {
    throw new UsageError(
      `${label}: ${name}.kill_size: must not be above the term level (${formatBytes(out.term.bytes)}), got ${formatBytes(out.kill.bytes)}`,
    );
  }
  return out;
}

function mergeHook(
  key: string,
  file: HookLayer | undefined,
  flags: HookLayer | undefined,
  defaultTimeoutMs: number,
  label: string,
): HookConfig | null {
  if (file === undefined && flags === undefined) return null;
  const path = pick(file?.path, flags?.path);
  if (path === undefined) throw new UsageError(`${label}: ${key}.path: missing`);
  return {
    path,
    args: pick(file?.args, flags?.args) ?? [],
    timeoutMs: pick(file?.timeoutMs, flags?.timeoutMs) ?? defaultTimeoutMs,
  };
}

/** A cgroup policy picks the process inside its cgroup by the kernel's badness. */
function splitPolicy(name: PolicyName): Pick<DaemonConfig, 'ranker' | 'cgroupPolicy'> {
  return isCgroupPolicy(name)
    ? { ranker: 'kernel', cgroupPolicy: name }
    : { ranker: name, cgroupPolicy: null };
}

function mergeCgroupSettings(
  base: CgroupPolicyConfig,
  file: Partial<CgroupPolicyConfig> | undefined,
  flags: Partial<CgroupPolicyConfig> | undefined,
): CgroupPolicyConfig {
  return {
    measure: over(base.measure, file?.measure, flags?.measure),
    depth: over(base.depth, file?.depth, flags?.depth),
    pressureLimit: over(base.pressureLimit, file?.pressureLimit, flags?.pressureLimit),
    pressureDurationMs: over(base.pressureDurationMs, file?.pressureDurationMs, flags?.pressureDurationMs),
    swapUsedLimit: over(base.swapUsedLimit, file?.swapUsedLimit, flags?.swapUsedLimit),
  };
}

function merge(file: ConfigLayer, flags: ConfigLayer, label: string): DaemonConfig {
  const d = DEFAULT_CONFIG;
  const pollMinMs = over(d.pollMinMs, file.pollMinMs, flags.pollMinMs);
  const pollMaxMs = over(d.pollMaxMs, file.pollMaxMs, flags.pollMaxMs);
  if (pollMinMs > pollMaxMs) {
    throw new UsageError(
      `${label}: poll.min: must not be above poll.max (${pollMaxMs} ms), got ${pollMinMs} ms`,
    );
  }
  const kubePodsFile = pick(file.kubePodsFile, flags.kubePodsFile);
  return {
    memory: mergeThresholds('memory', d.memory, file.memory, flags.memory, label),
    swap: mergeThresholds('swap', d.swap, file.swap, flags.swap, label),
    memoryPercentBase: over(d.memoryPercentBase, file.memoryPercentBase, flags.memoryPercentBase),
    scopeCgroup: over<string | null>(d.scopeCgroup, file.scopeCgroup, flags.scopeCgroup),
    cgroupAvailable: over(d.cgroupAvailable, file.cgroupAvailable, flags.cgroupAvailable),
    psi: over(d.psi, file.psi, flags.psi),
    ...splitPolicy(over<PolicyName>(d.cgroupPolicy ?? d.ranker, file.ranker, flags.ranker)),
    rules: [...d.rules, ...(file.rules ?? []), ...(flags.rules ?? [])],
    cgroupRules: [...d.cgroupRules, ...(file.cgroupRules ?? []), ...(flags.cgroupRules ?? [])],
    cgroupSettings: mergeCgroupSettings(d.cgroupSettings, file.cgroupSettings, flags.cgroupSettings),
    killUnit: over(d.killUnit, file.killUnit, flags.killUnit),
    graceMs: over(d.graceMs, file.graceMs, flags.graceMs),
    recoveryWaitMs: over(d.recoveryWaitMs, file.recoveryWaitMs, flags.recoveryWaitMs),
    cooldownMs: over(d.cooldownMs, file.cooldownMs, flags.cooldownMs),
    processMrelease: over(d.processMrelease, file.processMrelease, flags.processMrelease),
    preKillHook: mergeHook(
      'hooks.pre_kill',
      file.preKillHook,
      flags.preKillHook,
      DEFAULT_PRE_KILL_TIMEOUT_MS,
      label,
    ),
    postKillHook: mergeHook(
      'hooks.post_kill',
      file.postKillHook,
      flags.postKillHook,
      DEFAULT_POST_KILL_TIMEOUT_MS,
      label,
    ),
    notify: over(d.notify, file.notify, flags.notify),
    historyFile: over<string | null>(d.historyFile, file.historyFile, flags.historyFile),
    dryRun: over(d.dryRun, file.dryRun, flags.dryRun),
    pollMinMs,
    pollMaxMs,
    reportIntervalMs: over(d.reportIntervalMs, file.reportIntervalMs, flags.reportIntervalMs),
    logFormat: over(d.logFormat, file.logFormat, flags.logFormat),
    debug: over(d.debug, file.debug, flags.debug),
    selfProtection: {
      enabled: over(d.selfProtection.enabled, file.selfProtectionEnabled, flags.selfProtectionEnabled),
      oomScoreAdj: over(d.selfProtection.oomScoreAdj, file.selfOomScoreAdj, flags.selfOomScoreAdj),
      nice: over(d.selfProtection.nice, file.selfNice, flags.selfNice),
    },
    listen: over<string | null>(d.listen, file.listen, flags.listen),
    // Optional: a config without the key compares equal to one that never had it.
    ...(kubePodsFile === undefined ? {} : { kubePodsFile }),
  };
}
