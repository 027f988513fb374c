// One source of settings (the TOML file or the command line) before the sources are merged: every field
// optional, values already in the units of DaemonConfig (bytes, ms).
import type { PolicyName } from '../model/ranking.js';
import type {
  CgroupAvailableBasis,
  CgroupPolicyConfig,
  CgroupRuleConfig,
  KillUnit,
  LogFormat,
  MemoryPercentBase,
  PsiTriggerConfig,
  RuleConfig,
} from './types.js';

export interface ThresholdsLayer {
  readonly termPercent?: number;
  readonly killPercent?: number;
  readonly termBytes?: number;
  readonly killBytes?: number;
}

export interface HookLayer {
  readonly path?: string;
  readonly args?: readonly string[];
  readonly timeoutMs?: number;
}

export interface ConfigLayer {
  readonly memory?: ThresholdsLayer;
  readonly swap?: ThresholdsLayer;
  readonly memoryPercentBase?: MemoryPercentBase;
  readonly scopeCgroup?: string;
  readonly cgroupAvailable?: CgroupAvailableBasis;
  /** Replaces the list of an earlier source. */
  readonly psi?: readonly PsiTriggerConfig[];
  readonly ranker?: PolicyName;
  /** Added after the rules of an earlier source. */
  readonly rules?: readonly RuleConfig[];
  /** Added after the cgroup rules of an earlier source. */
  readonly cgroupRules?: readonly CgroupRuleConfig[];
  /** Each setting given overrides an earlier source's. */
  readonly cgroupSettings?: Partial<CgroupPolicyConfig>;
  readonly killUnit?: KillUnit;
  readonly graceMs?: number;
  readonly recoveryWaitMs?: number;
  readonly cooldownMs?: number;
  readonly processMrelease?: boolean;
  readonly preKillHook?: HookLayer;
  readonly postKillHook?: HookLayer;
  readonly notify?: boolean;
  readonly historyFile?: string | null;
  readonly kubePodsFile?: string;
  readonly dryRun?: boolean;
  readonly pollMinMs?: number;
  readonly pollMaxMs?: number;
  readonly reportIntervalMs?: number;
  readonly logFormat?: LogFormat;
  readonly debug?: boolean;
  readonly selfProtectionEnabled?: boolean;
  readonly selfOomScoreAdj?: number;
  readonly selfNice?: number;
  readonly listen?: string;
}

/** The TERM/KILL pair of one source: a KILL level left out is half the TERM level given beside it (earlyoom). */
export function withDerivedKill(t: ThresholdsLayer): ThresholdsLayer {
  return {
    ...t,
    killPercent: t.killPercent ?? (t.termPercent === undefined ? undefined : t.termPercent / 2),
    killBytes: t.killBytes ?? (t.termBytes === undefined ? undefined : Math.trunc(t.termBytes / 2)),
  };
}
