// Runs a scenario under one or more policies, each on a fresh simulated machine, and sums up what happened.
import { parseRunArgs } from '../config/flags.js';
import { loadConfig } from '../config/load.js';
import type { DaemonConfig } from '../config/types.js';
import { UsageError } from '../model/errors.js';
import type { SimEvent, SimSummary, Victim } from './events.js';
import { CgroupAgent } from './policies/cgroup.js';
import { EarlyoomAgent } from './policies/earlyoom.js';
import { KubeletAgent } from './policies/kubelet.js';
import { runOomguard } from './policies/oomguard.js';
import type { Scenario } from './scenario.js';
import { type SeriesPoint, World } from './world.js';

export const BUILTIN_POLICIES = ['kernel', 'legacy', 'earlyoom', 'cgroup', 'kube'] as const;
export type BuiltinPolicy = (typeof BUILTIN_POLICIES)[number];

export type PolicySpec =
  | { readonly name: string; readonly kind: BuiltinPolicy }
  | {
      readonly name: string;
      readonly kind: 'oomguard';
      readonly file: string;
      readonly config: DaemonConfig;
    };

/** `kernel`, `legacy`, `earlyoom`, `cgroup`, `kube` or `oomguard:FILE` (the file is loaded and checked now). */
export function parsePolicy(name: string): PolicySpec {
  if ((BUILTIN_POLICIES as readonly string[]).includes(name)) return { name, kind: name as BuiltinPolicy };
  if (name.startsWith('oomguard:')) {
    const file = name.slice('oomguard:'.length);
    if (file === '')
      throw new UsageError('--policy oomguard:FILE needs the path of an oomguard configuration file');
    return { name, kind: 'oomguard', file, config: loadConfig({ file, flags: parseRunArgs([]) }) };
  }
  throw new UsageError(
    `--policy: unknown policy "${name}" (choose from ${BUILTIN_POLICIES.join(', ')}, or oomguard:FILE)`,
  );
}

export interface PolicyRun {
  readonly policy: string;
  readonly events: readonly SimEvent[];
  readonly victims: readonly Victim[];
  readonly summary: SimSummary;
  readonly series: readonly SeriesPoint[];
}

export interface RunOptions {
  /** Chart points every this many ms; default: at most about 500 points per run. */
  readonly sampleEveryMs?: number;
}

export function defaultSampleEvery(s: Scenario): number {
  const steps = Math.ceil(s.run.durationMs / s.run.stepMs);
  return s.run.stepMs * Math.max(1, Math.ceil(steps / 500));
}

/** One policy on a fresh machine. */
export async function runPolicy(
  scenario: Scenario,
  policy: PolicySpec,
  options: RunOptions = {},
): Promise<PolicyRun> {
  const world = new World(scenario, {
    ranker: policy.kind === 'legacy' ? 'legacy' : 'kernel',
    sampleEveryMs: options.sampleEveryMs ?? defaultSampleEvery(scenario),
  });
  if (policy.kind === 'earlyoom') world.agents.push(new EarlyoomAgent());
  if (policy.kind === 'cgroup') world.agents.push(new CgroupAgent());
  if (policy.kind === 'kube') world.agents.push(new KubeletAgent());
  if (policy.kind === 'oomguard') {
    world.advanceTo(0);
    await runOomguard(world, policy.config);
  } else world.runToEnd();
  return {
    policy: policy.name,
    events: world.events,
    victims: world.victims,
    summary: summarize(world),
    series: world.series,
  };
}

export async function runScenario(
  scenario: Scenario,
  policies: readonly PolicySpec[],
  options: RunOptions = {},
): Promise<PolicyRun[]> {
  const out: PolicyRun[] = [];
  for (const p of policies) out.push(await runPolicy(scenario, p, options));
  return out;
}

export function summarize(w: World): SimSummary {
  const kills = { kernel: 0, oomguard: 0, kubelet: 0 };
  for (const v of w.victims) kills[v.by]++;
  return {
    victims: w.victims.length,
    victimNames: w.victims.map((v) => v.name),
    kills,
    ooms: w.ooms,
    allocFailures: w.allocFailures,
    evictions: w.events.filter((e) => e.type === 'evict').length,
    memoryFreedBytes: w.victims.reduce((s, v) => s + v.freedBytes, 0),
    shortOfMemoryMs: w.shortMs,
    workLostMs: Math.round(w.victims.reduce((s, v) => s + v.cpuMs, 0)),
    panic: w.panic,
    endMs: w.panicAtMs ?? w.endMs,
  };
}
