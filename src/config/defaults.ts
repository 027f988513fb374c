// Built-in settings: what oomguard does with no file and no flags. Chosen to match earlyoom where it has a
// setting, so switching from earlyoom changes nothing by surprise.
import type { DaemonConfig } from './types.js';

/** Where packages keep the kill history (systemd's StateDirectory=oomguard). */
export const DEFAULT_HISTORY_FILE = '/var/lib/oomguard/history.jsonl';

/** Where packages install the config file (the CLI decides whether to read it). */
export const DEFAULT_CONFIG_FILE = '/etc/oomguard/oomguard.toml';

/** earlyoom's -P waits at most 200 ms for its pre-kill script: memory is short while we wait. */
export const DEFAULT_PRE_KILL_TIMEOUT_MS = 200;
export const DEFAULT_POST_KILL_TIMEOUT_MS = 10_000;

/** Magnitude of a prefer/avoid rule in oom_score_adj points: earlyoom's ±300. */
export const DEFAULT_RULE_ADJUST = 300;

export const DEFAULT_CONFIG: DaemonConfig = {
  memory: { term: { percent: 10, bytes: null }, kill: { percent: 5, bytes: null } },
  swap: { term: { percent: 10, bytes: null }, kill: { percent: 5, bytes: null } },
  memoryPercentBase: 'total',
  scopeCgroup: null,
  // Page cache in a cgroup is reclaimed before its limit bites; counting it as used would kill for nothing.
  cgroupAvailable: 'working-set',
  psi: [],
  ranker: 'kernel',
  rules: [],
  cgroupPolicy: null,
  cgroupRules: [],
  // systemd-oomd's defaults: 60 % for 30 s (ManagedOOMMemoryPressureLimit/DurationSec), SwapUsedLimit 90 %.
  cgroupSettings: {
    measure: 'working-set',
    depth: 1,
    pressureLimit: 60,
    pressureDurationMs: 30_000,
    swapUsedLimit: 90,
  },
  killUnit: 'process',
  graceMs: 5_000,
  recoveryWaitMs: 10_000,
  cooldownMs: 5_000,
  processMrelease: true,
  preKillHook: null,
  postKillHook: null,
  notify: false,
  historyFile: DEFAULT_HISTORY_FILE,
  dryRun: false,
  pollMinMs: 100,
  // nohang's max_sleep; the fill-rate formula (src/policy/cadence.ts) reaches it only above ~17 GiB of headroom (3000 ms × 6000 KiB/ms).
  pollMaxMs: 3_000,
  // earlyoom's packaged default (-r 3600): one line an hour shows the daemon is alive without flooding the journal.
  reportIntervalMs: 3_600_000,
  logFormat: 'text',
  debug: false,
  selfProtection: { enabled: true, oomScoreAdj: -100, nice: -20 },
  listen: null,
};
