// The watch loop: look at memory (cheaply), decide whether it is short, and if so choose a victim and hand
// it to the executor. Sleeps adaptively between looks and wakes early on a PSI event.
import type { DaemonConfig } from '../config/types.js';
import type { HostActions } from '../host/actions.js';
import type { HookResult } from '../host/hook-runner.js';
import type { Host } from '../host/host.js';
import { tryReadPodMetadataFile } from '../host/kube/pod-metadata.js';
import type { PodMetadata } from '../kube/pod-metadata.js';
import { HostReadError } from '../model/errors.js';
import type { CgroupInfo, Snapshot } from '../model/snapshot.js';
import type { DaemonEvent } from '../observe/events.js';
import { formatBytes } from '../observe/text/units.js';
import { nextSleep } from '../policy/cadence.js';
import { needsHistory, policyTrigger } from '../policy/cgroup-policy.js';
import { explainProcess, formatExplanation } from '../policy/explain.js';
import { planKill, refusal } from '../policy/kill-plan.js';
import { PSI_TRIGGER_IDLE, type PsiTriggerState, stepPsiTriggers } from '../policy/psi-trigger-state.js';
import { type CompiledRule, compileRules, type ProcessFacts } from '../policy/rules.js';
import { evaluateThresholds, type Level, type ThresholdVerdict } from '../policy/thresholds.js';
import type { Clock } from './clock.js';
import { Executor, type KillReport } from './executor.js';
import { cgroupOomKills, OomKillCounter } from './kernel-oom.js';
import { type VictimSearch, VictimSearcher } from './victim-search.js';

/** How long to wait before looking again when nobody may be killed, and how often to say so. */
const NO_VICTIM_SLEEP_MS = 1000;
const NO_VICTIM_WARN_EVERY_MS = 10_000;
/** A look that failed knows nothing about the headroom: try again after this long (or poll.max if shorter). */
const FAILED_LOOK_SLEEP_MS = 1000;

/** Cgroup samples kept for rates and growth: at most one a second, the last 60 s (or the pressure duration). */
const HISTORY_SPACING_MS = 1000;
const HISTORY_MIN_SPAN_MS = 60_000;

export interface DaemonDeps {
  readonly host: Host;
  readonly actions: HostActions;
  readonly clock: Clock;
  readonly emit: (e: DaemonEvent) => void;
  readonly config: DaemonConfig;
  readonly runHook: (
    hook: NonNullable<DaemonConfig['preKillHook']>,
    env: Record<string, string>,
  ) => Promise<HookResult>;
  /** uid → user name, for rules on users and for logs. */
  readonly users: ReadonlyMap<number, string>;
  /** Resolves when the kernel reports memory pressure (a PSI trigger); undefined when none is armed. */
  readonly wake?: (timeoutMs: number) => Promise<unknown> | undefined;
  /** Told every look: where kernel wake-ups should be armed follows the levels (a usage threshold). */
  readonly onLook?: (look: Look) => void;
}

export interface Look {
  readonly snap: Snapshot;
  readonly verdict: ThresholdVerdict;
  readonly level: Level;
  /** Why the level is what it is: the thresholds' verdict or the PSI trigger that fired. */
  readonly reason: string;
}

const RANK: Record<Level, number> = { ok: 0, term: 1, kill: 2 };

export class Daemon {
  private readonly rules: CompiledRule[];
  private readonly executor: Executor;
  private readonly searcher: VictimSearcher;
  private psiStates: PsiTriggerState[];
  private cooldownUntil = Number.NEGATIVE_INFINITY;
  private nextReportAt = Number.NEGATIVE_INFINITY;
  private lastNoVictimWarning = Number.NEGATIVE_INFINITY;
  private lastSnapshot: Snapshot | null = null;
  /** Earlier cgroup samples, oldest first, for cgroup policies that compare with the past. */
  private history: Snapshot[] = [];
  private readonly oomKills = new OomKillCounter();
  /** The pod metadata file failed and said so; the warning comes again only after it has been read once. */
  private podMetadataWarned = false;
  /** The last selection's excluded PIDs (protect, ignore, unkillable) and why: refused even in a hand-made plan. */
  private lastExcluded: ReadonlyMap<number, string> = new Map();
  /** The report of every kill attempt, stand-downs included, for tests and the history. */
  readonly kills: KillReport[] = [];

  /** Kills that sent a signal (or would have, in dry-run): stand-downs and vanished victims do not count. */
  get killCount(): number {
    return this.kills.filter((k) => k.result !== 'stood-down' && k.result !== 'gone').length;
  }

  constructor(private readonly deps: DaemonDeps) {
    const { config, host } = deps;
    this.rules = compileRules(config.rules);
    this.psiStates = config.psi.map(() => PSI_TRIGGER_IDLE);
    this.searcher = new VictimSearcher(host, this.rules);
    this.executor = new Executor({
      actions: deps.actions,
      clock: deps.clock,
      emit: deps.emit,
      config,
      recheck: () => this.look().level,
      cmdline: (pid) => host.readCmdline(pid)?.join(' ') ?? null,
      cgroupDir: (path) => host.cgroupDir(path),
      runHook: deps.runHook,
      refuse: (t) => {
        const snap = this.lastSnapshot;
        const p = snap?.processes.find((x) => x.pid === t.pid && x.startTicks === t.startTicks);
        if (!snap || !p) return 'not in the latest process table';
        return refusal(p, snap, config.scopeCgroup, this.lastExcluded);
      },
    });
  }

  /** Runs until `stop` aborts. */
  async run(stop: AbortSignal): Promise<void> {
    const { config, emit, clock } = this.deps;
    emit({
      event: 'start',
      level: 'notice',
      message:
        `watching ${config.scopeCgroup ?? 'the system'}: SIGTERM at ${level(config.memory.term)} memory and ${level(config.swap.term)} swap available, ` +
        `SIGKILL at ${level(config.memory.kill)} and ${level(config.swap.kill)}; ${config.cgroupPolicy === null ? `ranker ${config.ranker}` : `cgroup policy ${config.cgroupPolicy}`}, unit ${config.killUnit}` +
        (config.dryRun ? '; dry run: no signal will be sent' : ''),
      fields: {
        pid: process.pid,
        scope: config.scopeCgroup ?? '/',
        ranker: config.cgroupPolicy ?? config.ranker,
        unit: config.killUnit,
        dryRun: config.dryRun,
      },
    });
    // One abort listener for the whole run, not one added and removed per sleep (less work on every idle
    // wake-up); each sleep gets a fresh promise it resolves, so nothing piles up on a long-lived one.
    let endSleep = () => {};
    const onAbort = () => endSleep();
    stop.addEventListener('abort', onAbort, { once: true });
    try {
      while (!stop.aborted) {
        const sleepMs = await this.tick();
        if (stop.aborted) break;
        const stopped = new Promise<void>((res) => {
          endSleep = res;
        });
        const wake = this.deps.wake?.(sleepMs);
        await clock.sleep(sleepMs, wake ? Promise.race([wake, stopped]) : stopped);
      }
    } finally {
      stop.removeEventListener('abort', onAbort);
    }
    emit({ event: 'stop', level: 'notice', message: 'stopped', fields: { kills: this.killCount } });
  }

  /** One look and, when memory is short, one decision. Returns how long to sleep before the next. */
  /** The `kube` policy's pod metadata, read afresh for each selection (pods come and go); null without. */
  private podMetadata(): PodMetadata[] | null {
    const { config, emit } = this.deps;
    if (config.cgroupPolicy !== 'kube' || config.kubePodsFile === undefined) return null;
    const pods = tryReadPodMetadataFile(config.kubePodsFile, (message) => {
      if (!this.podMetadataWarned) emit({ event: 'warning', level: 'warning', message });
      this.podMetadataWarned = true;
    });
    if (pods !== null) this.podMetadataWarned = false;
    return pods;
  }

  async tick(): Promise<number> {
    const { config, clock, emit } = this.deps;
    let look: Look;
    try {
      look = this.look();
      this.deps.onLook?.(look);
    } catch (e) {
      emit({ event: 'error', level: 'error', message: `cannot read memory: ${(e as Error).message}` });
      return Math.min(config.pollMaxMs, FAILED_LOOK_SLEEP_MS);
    }
    const now = clock.now();
    this.report(look, now);
    if (look.level === 'ok') return nextSleep(look.verdict, config).sleepMs;
    if (now < this.cooldownUntil) return config.pollMinMs;

    emit({ event: 'trigger', level: 'warning', message: look.reason, fields: figures(look) });
    let search: VictimSearch;
    try {
      search = this.searcher.search(
        { ...config, podMetadata: this.podMetadata() },
        (snap) => (pid) => this.facts(snap, pid),
        this.history,
      );
    } catch (e) {
      emit({
        event: 'error',
        level: 'error',
        message: `cannot read the process table: ${(e as Error).message}`,
      });
      return config.pollMinMs;
    }
    const { snap, selection: sel } = search;
    this.lastSnapshot = snap;
    if (config.debug) {
      for (const r of sel.ruled.slice(0, 10)) {
        emit({
          event: 'select',
          level: 'debug',
          message: `candidate pid ${r.candidate.pid} (${r.candidate.comm}) key ${r.key}${r.excludedBy ? `, excluded: ${r.excludedBy}` : ''}`,
        });
      }
    }
    if (sel.victim === null) {
      if (now - this.lastNoVictimWarning >= NO_VICTIM_WARN_EVERY_MS) {
        this.lastNoVictimWarning = now;
        emit({ event: 'no-victim', level: 'warning', message: sel.why });
      }
      return NO_VICTIM_SLEEP_MS;
    }
    const c = sel.victim.candidate;
    emit({
      event: 'select',
      level: 'notice',
      message: `chose pid ${c.pid} (${c.comm}): ${sel.why}`,
      fields: {
        pid: c.pid,
        comm: c.comm,
        uid: c.uid,
        cgroup: c.cgroup,
        rssBytes: c.rssBytes,
        swapBytes: c.swapBytes,
        badness: c.badness,
        oomScore: c.oomScore,
        oomScoreAdj: c.oomScoreAdj,
        key: sel.victim.key,
        search: search.method,
        detailed: search.detailed,
        seen: search.seen,
      },
    });
    const killCgroup = sel.cgroups?.killCgroup ?? null;
    const plan = planKill(
      sel.victim,
      sel.ruled,
      snap,
      killCgroup === null ? config.killUnit : 'cgroup',
      config.scopeCgroup,
      killCgroup,
    );
    for (const s of plan.spared) {
      emit({
        event: 'warning',
        level: 'info',
        message: `sparing pid ${s.pid} (${s.comm}) of the ${plan.unit}: ${s.reason}`,
        fields: { pid: s.pid, reason: s.reason },
      });
    }
    const why = () => {
      const process = formatExplanation(
        explainProcess(snap, c.pid, { ranker: config.ranker, cgroup: config.scopeCgroup }),
      );
      // After a two-phase search the explanation's places are among the processes read in full.
      const partial =
        search.detailed < search.seen
          ? `ranked among the ${search.detailed} of ${search.seen} processes read in full; the others had a lower oom_score and could not outrank it\n`
          : '';
      return `${sel.cgroups === undefined ? '' : `${sel.why}\n`}${partial}${process}`;
    };
    this.lastExcluded = new Map(
      sel.ruled.flatMap((r) => (r.excludedBy === null ? [] : [[r.candidate.pid, r.excludedBy]])),
    );
    let report: KillReport;
    try {
      report = await this.executor.execute(plan, look.level === 'kill' ? 'kill' : 'term', look.reason, why);
    } catch (e) {
      // A read that fails mid-kill (the watched cgroup removed, a hook that cannot start) must not end the daemon.
      emit({
        event: 'error',
        level: 'error',
        message: `kill of pid ${c.pid} (${c.comm}) broke off: ${(e as Error).message}`,
      });
      return config.pollMinMs;
    }
    this.kills.push(report);
    if (report.result !== 'stood-down' && report.result !== 'gone') {
      this.cooldownUntil = clock.now() + config.cooldownMs;
      // Pressure and growth are measured afresh after a kill, as systemd-oomd restarts its clocks.
      this.history = [];
      emit({
        event: 'cooldown',
        level: 'debug',
        message: `no new victim for ${config.cooldownMs} ms`,
        fields: { result: report.result },
      });
    }
    return config.pollMinMs;
  }

  /** A cheap look: meminfo, PSI and the watched cgroups (the scope's whole tree under a cgroup policy), no processes. */
  look(): Look {
    const { host, config, clock } = this.deps;
    const policy = config.cgroupPolicy;
    const base = host.sample({
      processes: false,
      // Cgroup policies keep looks as history and read reclaim counters from them (v1: /proc/vmstat).
      counters: policy !== null,
      pressure: policy !== null || config.psi.length > 0,
      cgroupSubtree: policy === null ? null : (config.scopeCgroup ?? '/'),
    });
    const cgroups = new Map<string, CgroupInfo>(base.cgroups);
    if (config.scopeCgroup !== null) {
      const scope = cgroups.get(config.scopeCgroup) ?? host.readCgroup(config.scopeCgroup);
      cgroups.set(config.scopeCgroup, scope);
      // The kernel struck in our scope: counted even when its log report is lost or unreadable.
      const rise = this.oomKills.rise(scope);
      if (rise > 0) {
        this.deps.emit({
          event: 'kernel-oom',
          level: 'warning',
          message: `the kernel's OOM killer struck ${rise} time${rise === 1 ? '' : 's'} in ${scope.path} (oom_kill counter)`,
          fields: { cgroup: scope.path, count: rise, oomKillTotal: cgroupOomKills(scope) },
        });
      }
    }
    for (const path of config.psi.length === 0 ? [] : new Set(config.psi.map((p) => p.cgroup))) {
      if (path === null || cgroups.has(path)) continue;
      // A PSI rule's cgroup may go away (a finished job): its rule then has no reading, the rest still works.
      try {
        cgroups.set(path, host.readCgroup(path));
      } catch (e) {
        if (!(e instanceof HostReadError)) throw e;
      }
    }
    const snap: Snapshot = { ...base, timeMs: clock.now(), cgroups };
    const verdict = evaluateThresholds(snap, config);
    const own =
      policy === null
        ? null
        : policyTrigger(snap, this.history, {
            policy,
            scope: config.scopeCgroup ?? '/',
            settings: config.cgroupSettings,
          });
    if (policy !== null && needsHistory(policy)) this.remember(snap);
    const steps = stepPsiTriggers(this.psiStates, snap, config.psi);
    this.psiStates = steps.map((s) => s.state);
    let lvl: Level = verdict.level;
    // The reason is text for people, written only when read: most looks find memory fine and say nothing.
    let reason = (): string => verdict.why;
    steps.forEach((s, i) => {
      const trig = config.psi[i];
      if (s.fired && trig && RANK[trig.level] > RANK[lvl]) {
        lvl = trig.level;
        reason = () => s.why;
      }
    });
    // systemd-oomd's limits kill at once: SIGKILL, no SIGTERM first.
    if (own?.met === true && lvl !== 'kill') {
      lvl = 'kill';
      reason = () => `${policy}: ${own.why}`;
    }
    return {
      snap,
      verdict,
      level: lvl,
      get reason() {
        return reason();
      },
    };
  }

  /** Keeps a look's cgroups in the history ring: one a second at most, as far back as the policy needs. */
  private remember(snap: Snapshot): void {
    const last = this.history[this.history.length - 1];
    if (last !== undefined && snap.timeMs - last.timeMs < HISTORY_SPACING_MS) return;
    const span = Math.max(
      HISTORY_MIN_SPAN_MS,
      this.deps.config.cgroupSettings.pressureDurationMs + HISTORY_SPACING_MS,
    );
    this.history = [...this.history.filter((h) => snap.timeMs - h.timeMs <= span), snap];
  }

  private facts(snap: Snapshot, pid: number): ProcessFacts | null {
    const p = snap.processes.find((x) => x.pid === pid);
    if (!p) return null;
    const argv = this.deps.host.readCmdline(pid);
    if (argv === null) return null;
    return {
      comm: p.comm,
      cmdline: argv.join(' '),
      exe: this.deps.host.readExe(pid),
      cgroup: p.cgroup,
      uid: p.uid,
      user: this.deps.users.get(p.uid) ?? null,
    };
  }

  private report(look: Look, now: number): void {
    const every = this.deps.config.reportIntervalMs;
    if (every <= 0 || now < this.nextReportAt) return;
    this.nextReportAt = now + every;
    const v = look.verdict;
    this.deps.emit({
      event: 'report',
      level: 'info',
      message: `memory available ${formatBytes(v.memAvailBytes)} (${v.memAvailPercent.toFixed(1)} %), swap free ${formatBytes(v.swapFreeBytes)} (${v.swapFreePercent.toFixed(1)} %)`,
      fields: figures(look),
    });
  }
}

function figures(look: Look): Record<string, unknown> {
  const v = look.verdict;
  return {
    memoryLevel: look.level,
    scope: v.scope,
    memAvailBytes: v.memAvailBytes,
    memAvailPercent: v.memAvailPercent,
    swapFreeBytes: v.swapFreeBytes,
    swapFreePercent: v.swapFreePercent,
    memTermBytes: v.memTermBytes,
    memKillBytes: v.memKillBytes,
  };
}

function level(l: { percent: number | null; bytes: number | null }): string {
  const parts = [
    l.percent === null ? null : `${l.percent} %`,
    l.bytes === null ? null : formatBytes(l.bytes),
  ].filter(Boolean);
  return parts.length === 0 ? 'never' : parts.join(' or ');
}
