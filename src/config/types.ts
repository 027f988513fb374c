// The daemon's configuration after defaults, the TOML file and the command line were merged and checked.
// Plain readonly data: sizes in bytes, durations in milliseconds, percentages as numbers from 0 to 100.
import type { CgroupPolicyName, RankerName } from '../model/ranking.js';

/** One level (SIGTERM or SIGKILL) of a resource: met when every limit that is set is met. */
export interface LevelLimit {
  /** Met when the available share is at or below this percentage; null = not used. */
  readonly percent: number | null;
  /** Met when the available amount is at or below this many bytes; null = not used. */
  readonly bytes: number | null;
}

/** The TERM and KILL levels of one resource (memory or swap). KILL is never above TERM. */
export interface Thresholds {
  /** Below this, oomguard asks the victim to leave (SIGTERM). */
  readonly term: LevelLimit;
  /** Below this, oomguard kills at once (SIGKILL). */
  readonly kill: LevelLimit;
}

/**
 * What "percent of memory available" divides by, system-wide.
 * - `total`: MemAvailable × 100 / MemTotal, the documented meaning (default).
 * - `available+anon`: MemAvailable × 100 / (MemAvailable + AnonPages), earlyoom's since v1.8.
 */
export type MemoryPercentBase = 'total' | 'available+anon';

/**
 * What a cgroup counts as used when its availability is its limit minus its use.
 * - `usage`: memory.current (v2) / memory.usage_in_bytes (v1), page cache included.
 * - `working-set`: usage minus inactive file pages (v2 `inactive_file`, v1 `total_inactive_file`), as the kubelet does.
 */
export type CgroupAvailableBasis = 'usage' | 'working-set';

export type PsiLineName = 'some' | 'full';
export type PsiWindow = 'avg10' | 'avg60';

/** A memory-pressure trigger: fires when the PSI average stays above the limit for the duration. */
export interface PsiTriggerConfig {
  /** `some` (at least one task stalled) or `full` (all non-idle tasks stalled). */
  readonly line: PsiLineName;
  /** Which running average of the PSI file is compared. */
  readonly window: PsiWindow;
  /** Percentage (0–100) the average must exceed (strictly). */
  readonly limit: number;
  /** How long the average must stay above the limit without a dip, in ms (0 = at the first reading). */
  readonly durationMs: number;
  /** The cgroup whose memory.pressure is read, as in /proc/PID/cgroup; null = /proc/pressure/memory. */
  readonly cgroup: string | null;
  /** The level the trigger asks for when it fires. */
  readonly level: 'term' | 'kill';
}

export type RuleAction = 'prefer' | 'avoid' | 'ignore' | 'protect';

/** A selection rule: every matcher that is set must match (AND); at least one is set. */
export interface RuleConfig {
  readonly action: RuleAction;
  /** JavaScript RegExp source tested against the process name (comm). */
  readonly comm: string | null;
  /** RegExp source tested against the command line, arguments joined by single spaces. */
  readonly cmdline: string | null;
  /** RegExp source tested against the executable path (/proc/PID/exe). */
  readonly exe: string | null;
  /** RegExp source tested against the memory cgroup path, as in /proc/PID/cgroup. */
  readonly cgroup: string | null;
  /** RegExp source tested against the user name of the real uid. */
  readonly user: string | null;
  /** Exact real uid. */
  readonly uid: number | null;
  /**
   * Score adjustment in oom_score_adj points (−1000..1000): +N for prefer, −N for avoid, 0 for ignore and
   * protect. Rankers turn points into their own key units (see src/policy/rules.ts).
   */
  readonly adjust: number;
  /** Where the rule came from, for logs and errors: `rules[2]` (or its name), `--prefer`, `--ignore-root-user`. */
  readonly source: string;
}

/** A hook: an executable run without a shell, with the victim's facts in its environment. */
export interface HookConfig {
  /** Absolute path of the executable. */
  readonly path: string;
  /** Arguments passed as they are (no shell, no splitting). */
  readonly args: readonly string[];
  /** The hook is killed after this many ms. */
  readonly timeoutMs: number;
}

/**
 * How the cgroup policies treat matching cgroups (systemd-oomd's ManagedOOMPreference, plus prefer as in oomd):
 * prefer ranks before every other candidate, avoid after every other, omit never.
 */
export type CgroupRuleAction = 'prefer' | 'avoid' | 'omit';

/** A cgroup preference rule of the cgroup policies (`[[cgroup_rules]]`). */
export interface CgroupRuleConfig {
  readonly action: CgroupRuleAction;
  /** JavaScript RegExp source tested against the cgroup path, as in /proc/PID/cgroup. */
  readonly path: string;
  /** Where the rule came from: `cgroup_rules[0]` (or its name). */
  readonly source: string;
}

/** Settings of the cgroup policies (src/policy/cgroup-*.ts, oomd-*.ts). */
export interface CgroupPolicyConfig {
  /** `cgroup` and `size-growth`: what a cgroup counts as using (`cgroup` only; size-growth uses memory.current). */
  readonly measure: CgroupAvailableBasis;
  /** `cgroup` and `size-growth`: candidates this many levels below the scope (1 = its children), or the leaves. */
  readonly depth: number | 'leaves';
  /** `oomd-pressure`: the scope's memory `full` avg10 must stay above this percentage... */
  readonly pressureLimit: number;
  /** ...for this long, in ms. */
  readonly pressureDurationMs: number;
  /** `oomd-swap`: acts when both swap and memory use are above this percentage of their totals. */
  readonly swapUsedLimit: number;
}

export type KillUnit = 'process' | 'process-group' | 'cgroup';
export type LogFormat = 'text' | 'json';

export interface DaemonConfig {
  /** Available-memory levels. Both memory and swap must be short for a level to apply (earlyoom's rule). */
  readonly memory: Thresholds;
  /** Free-swap levels; a scope without swap is judged on memory alone. */
  readonly swap: Thresholds;
  /** Denominator of the system-wide memory percentage. */
  readonly memoryPercentBase: MemoryPercentBase;
  /** The memory cgroup watched instead of the whole system (its limit is "total"); null = the system. */
  readonly scopeCgroup: string | null;
  /** How a watched cgroup's use is counted. */
  readonly cgroupAvailable: CgroupAvailableBasis;
  /** Memory-pressure triggers, each independent of the others and of the thresholds. */
  readonly psi: readonly PsiTriggerConfig[];
  /** Who goes first: the kernel's badness, RSS + swap, or the pre-2.6.36 heuristic. */
  readonly ranker: RankerName;
  /**
   * A policy that chooses a memory cgroup before a process (docs/cgroup-policies.md); null = rank processes
   * with `ranker`. `selection.ranker` / `--ranker` naming a cgroup policy set this, and `ranker` to kernel.
   */
  readonly cgroupPolicy: CgroupPolicyName | null;
  /** Preferences of the cgroup policies, in file order. */
  readonly cgroupRules: readonly CgroupRuleConfig[];
  readonly cgroupSettings: CgroupPolicyConfig;
  /** prefer / avoid / ignore / protect rules, in file order, then those from flags. */
  readonly rules: readonly RuleConfig[];
  /** What one kill takes: the process, its process group, or its whole cgroup. */
  readonly killUnit: KillUnit;
  /** How long a SIGTERMed victim gets before SIGKILL, in ms. */
  readonly graceMs: number;
  /** How long to wait for memory to return after a kill before acting again, in ms. */
  readonly recoveryWaitMs: number;
  /** Quiet time after a kill during which no new victim is chosen, in ms. */
  readonly cooldownMs: number;
  /** Reap a SIGKILLed victim's memory at once with process_mrelease(2) where the kernel has it. */
  readonly processMrelease: boolean;
  /** Run before the signal (the kill waits for it, up to its timeout); null = none. */
  readonly preKillHook: HookConfig | null;
  /** Run after the signal; null = none. */
  readonly postKillHook: HookConfig | null;
  /** Desktop notifications after a kill. */
  readonly notify: boolean;
  /** Where kills (oomguard's and the kernel's) are recorded, as JSON lines with rotation; null: nowhere. */
  readonly historyFile: string | null;
  /** Decide and log, but send no signal and run no reaping. */
  readonly dryRun: boolean;
  /** Shortest sleep between two looks, in ms (used when memory is short). */
  readonly pollMinMs: number;
  /** Longest sleep between two looks, in ms (used when memory is plentiful). */
  readonly pollMaxMs: number;
  /** Interval of the periodic memory report in the log, in ms; 0 = no report. */
  readonly reportIntervalMs: number;
  /** Log lines as text for people or one JSON object a line. */
  readonly logFormat: LogFormat;
  /** Log each look and the candidate table (earlyoom's -d). */
  readonly debug: boolean;
  /** Try to lower oomguard's own oom_score_adj and nice at start (a refusal is a warning, not an error). */
  readonly selfProtection: {
    readonly enabled: boolean;
    /** Target oom_score_adj for oomguard itself (−1000..1000). */
    readonly oomScoreAdj: number;
    /** Target nice value for oomguard itself (−20..19). */
    readonly nice: number;
  };
  /** host:port for the dashboard and /metrics; null = no server. */
  readonly listen: string | null;
  /**
   * The `kube` policy's pod metadata file (names, priorities, requests), read at each selection; absent: pods
   * are ranked without metadata.
   */
  readonly kubePodsFile?: string;
}
