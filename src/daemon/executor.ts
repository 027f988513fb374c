// The kill path: the one place that sends signals. It re-checks memory before acting, pins every target by
// pidfd + start time (a reused PID is never hit), runs the pre-kill hook, sends SIGTERM and escalates to
// SIGKILL while memory stays short, reaps with process_mrelease, waits for the memory to come back and runs
// the post-kill hook. In dry-run it does all the deciding and none of the signalling.
import type { DaemonConfig, HookConfig } from '../config/types.js';
import type { HostActions, KillSignal, PinnedProcess } from '../host/actions.js';
import type { HookResult } from '../host/hook-runner.js';
import type { DaemonEvent } from '../observe/events.js';
import type { KillPlan, KillTarget } from '../policy/kill-plan.js';
import type { Level } from '../policy/thresholds.js';
import type { Clock } from './clock.js';

/** How often the executor looks at a victim while waiting for it to exit. */
export const EXIT_POLL_MS = 50;

export interface ExecutorDeps {
  readonly actions: HostActions;
  readonly clock: Clock;
  readonly emit: (e: DaemonEvent) => void;
  readonly config: Pick<
    DaemonConfig,
    'graceMs' | 'recoveryWaitMs' | 'processMrelease' | 'preKillHook' | 'postKillHook' | 'dryRun'
  >;
  /** A fresh look at memory: the level right now. */
  readonly recheck: () => Level;
  /** The victim's command line for hooks; null when unreadable. */
  readonly cmdline: (pid: number) => string | null;
  /** Resolves a cgroup path to its directory for cgroup.kill. */
  readonly cgroupDir: (path: string) => string;
  readonly runHook: (hook: HookConfig, env: Record<string, string>) => Promise<HookResult>;
  /**
   * The last word on safety, asked for every target right before it is pinned: why it must not be
   * signalled (oomguard itself, host init, kernel thread, adj -1000, outside the scope, protected), or null.
   */
  readonly refuse: (t: KillTarget) => string | null;
}

export type KillResult =
  | 'stood-down' // memory recovered before the signal
  | 'gone' // every target had already exited or changed identity
  | 'dry-run'
  | 'exited' // the victim exited after the signal(s)
  | 'still-alive' // the victim outlived SIGKILL and the wait
  | 'spared'; // SIGTERM was sent, memory recovered, the victim lives on

export interface KillReport {
  readonly result: KillResult;
  /** The last signal sent (or that would have been sent in dry-run); null when none. */
  readonly signal: KillSignal | null;
  /** PIDs that received a signal. */
  readonly signalled: readonly number[];
  readonly elapsedMs: number;
}

export class Executor {
  constructor(private readonly deps: ExecutorDeps) {}

  /**
   * `why` is the explanation logged with the signal (what `explain` prints); it is computed only after the
   * signal has gone out, so ranking work never delays a kill.
   */
  async execute(
    plan: KillPlan,
    level: Exclude<Level, 'ok'>,
    reason: string,
    explainWhy: () => string,
  ): Promise<KillReport> {
    const { clock, emit } = this.deps;
    let whyText: string | undefined;
    const why = () => {
      whyText ??= explainWhy();
      return whyText;
    };
    const started = clock.now();
    const report = (
      result: KillResult,
      signal: KillSignal | null,
      signalled: readonly number[],
    ): KillReport => ({
      result,
      signal,
      signalled,
      elapsedMs: clock.now() - started,
    });
    const v = plan.victim;

    // Memory may have come back while we ranked: one shortage should cost no victim it does not need.
    const now = this.deps.recheck();
    if (now === 'ok') {
      emit({
        event: 'stand-down',
        level: 'info',
        message: `memory recovered before acting; ${describe(v)} spared`,
        fields: { pid: v.pid, comm: v.comm },
      });
      return report('stood-down', null, []);
    }
    let signal: KillSignal = now === 'kill' || level === 'kill' ? 'SIGKILL' : 'SIGTERM';
    const fields = (t: KillTarget, sig: KillSignal) => ({
      pid: t.pid,
      comm: t.comm,
      uid: t.uid,
      cgroup: t.cgroup,
      rssBytes: t.rssBytes,
      signal: sig,
      unit: plan.unit,
      reason,
      dryRun: this.deps.config.dryRun,
    });

    if (this.deps.config.dryRun) {
      // The same last word as a real kill, so a dry run never promises a signal the real one would refuse.
      for (const t of plan.targets.filter((x) => this.allowed(x))) {
        emit({
          event: 'signal',
          level: 'notice',
          message: `dry run: would send ${signal} to ${describe(t)}: ${reason}`,
          fields: { ...fields(t, signal), why: why() },
        });
      }
      const cmdline = this.hookCmdline(v);
      await this.hook(this.deps.config.preKillHook, 'pre', v, cmdline, signal, reason, true);
      await this.hook(this.deps.config.postKillHook, 'post', v, cmdline, signal, reason, true);
      return report('dry-run', signal, []);
    }

    const pins = this.pinAll(plan.targets);
    try {
      if (pins.length === 0) {
        emit({
          event: 'stand-down',
          level: 'info',
          message: `${describe(v)} exited before the signal`,
          fields: { pid: v.pid, comm: v.comm },
        });
        return report('gone', null, []);
      }
      // Read now, once pinned: after the exit /proc has it no more, and the post-kill hook wants it too.
      const cmdline = this.hookCmdline(v);
      await this.hook(this.deps.config.preKillHook, 'pre', v, cmdline, signal, reason, false);

      let signalled = this.send(pins, signal, plan, fields, why, reason);
      if (signalled.length === 0 && pins.every((p) => !this.deps.actions.alive(p.pin))) {
        // Exited (or its PID reused) between the pin and the signal: nobody was signalled, nothing to wait for.
        emit({
          event: 'stand-down',
          level: 'info',
          message: `${describe(v)} exited before the signal: nobody signalled`,
          fields: { pid: v.pid, comm: v.comm },
        });
        return report('gone', null, []);
      }
      if (signal === 'SIGTERM') {
        const outcome = await this.waitForExit(pins, this.deps.config.graceMs, true);
        if (outcome === 'exited')
          return await this.finish(plan, pins, cmdline, signal, signalled, started, reason);
        if (this.deps.recheck() === 'ok') {
          emit({
            event: 'recovered',
            level: 'info',
            message: `memory recovered after SIGTERM; ${describe(v)} still runs`,
            fields: { pid: v.pid, comm: v.comm },
          });
          return report('spared', signal, signalled);
        }
        signal = 'SIGKILL';
        emit({
          event: 'still-alive',
          level: 'warning',
          message: `${describe(v)} still alive ${outcome === 'short' ? 'and memory is critically short' : `after ${this.deps.config.graceMs} ms`}: escalating to SIGKILL`,
          fields: { pid: v.pid, comm: v.comm },
        });
        signalled = [...new Set([...signalled, ...this.send(pins, signal, plan, fields, why, reason)])];
      }
      if (this.deps.config.processMrelease) {
        for (const p of pins) {
          if (this.deps.actions.release(p.pin)) {
            emit({
              event: 'release',
              level: 'debug',
              message: `reaped the memory of ${describe(p.target)}`,
              fields: { pid: p.target.pid },
            });
          }
        }
      }
      const outcome = await this.waitForExit(pins, this.deps.config.recoveryWaitMs, false);
      if (outcome !== 'exited') {
        emit({
          event: 'still-alive',
          level: 'warning',
          message: `${describe(v)} did not exit within ${this.deps.config.recoveryWaitMs} ms of SIGKILL`,
          fields: { pid: v.pid, comm: v.comm },
        });
        return report('still-alive', signal, signalled);
      }
      return await this.finish(plan, pins, cmdline, signal, signalled, started, reason);
    } finally {
      for (const p of pins) this.deps.actions.unpin(p.pin);
    }
  }

  private pinAll(targets: readonly KillTarget[]): { target: KillTarget; pin: PinnedProcess }[] {
    const pins: { target: KillTarget; pin: PinnedProcess }[] = [];
    for (const t of targets) {
      if (!this.allowed(t)) continue;
      const pin = this.deps.actions.pin(t.pid, t.startTicks);
      if (pin === null) {
        this.deps.emit({
          event: 'stand-down',
          level: 'info',
          message: `${describe(t)} exited or its PID was reused: not signalled`,
          fields: { pid: t.pid, comm: t.comm },
        });
      } else pins.push({ target: t, pin });
    }
    return pins;
  }

  /** Asks the last word on safety; a refusal is logged. */
  private allowed(t: KillTarget): boolean {
    const refused = this.deps.refuse(t);
    if (refused === null) return true;
    this.deps.emit({
      event: 'warning',
      level: 'warning',
      message: `refused to signal ${describe(t)}: ${refused}`,
      fields: { pid: t.pid, comm: t.comm, refused },
    });
    return false;
  }

  private send(
    pins: readonly { target: KillTarget; pin: PinnedProcess }[],
    signal: KillSignal,
    plan: KillPlan,
    fields: (t: KillTarget, s: KillSignal) => Record<string, unknown>,
    why: () => string,
    reason: string,
  ): number[] {
    const { actions, emit } = this.deps;
    // A whole cgroup with nobody to spare goes in one write to cgroup.kill (v2), racing no fork.
    if (signal === 'SIGKILL' && plan.unit === 'cgroup' && plan.wholeCgroup && plan.cgroup !== null) {
      const res = actions.killCgroup(this.deps.cgroupDir(plan.cgroup));
      emit({
        event: 'signal',
        level: 'notice',
        message: `sent SIGKILL to cgroup ${plan.cgroup} (${res.method}, ${res.signalled.length} processes): ${reason}`,
        fields: { ...fields(plan.victim, signal), cgroupKill: res.method, pids: res.signalled, why: why() },
      });
      return [...res.signalled];
    }
    const sent: number[] = [];
    for (const { target, pin } of pins) {
      if (!actions.alive(pin)) continue;
      const outcome = actions.signal(pin, signal);
      if (outcome === 'sent') {
        sent.push(target.pid);
        emit({
          event: 'signal',
          level: 'notice',
          message: `sent ${signal} to ${describe(target)}: ${reason}`,
          fields: {
            ...fields(target, signal),
            ...(target.pid === plan.victim.pid ? { why: why() } : { victim: plan.victim.pid }),
          },
        });
      } else {
        emit({
          event: 'warning',
          level: 'warning',
          message: `${signal} to ${describe(target)} not sent: ${outcome}`,
          fields: { pid: target.pid, outcome },
        });
      }
    }
    return sent;
  }

  /** exited: all targets gone; short: memory hit the KILL level meanwhile (only when watching); timeout. */
  private async waitForExit(
    pins: readonly { pin: PinnedProcess }[],
    limitMs: number,
    watchLevel: boolean,
  ): Promise<'exited' | 'short' | 'timeout'> {
    const { clock, actions } = this.deps;
    const deadline = clock.now() + limitMs;
    for (;;) {
      if (pins.every((p) => !actions.alive(p.pin))) return 'exited';
      if (watchLevel && this.deps.recheck() === 'kill') return 'short';
      const left = deadline - clock.now();
      if (left <= 0) return 'timeout';
      await clock.sleep(Math.min(EXIT_POLL_MS, left));
    }
  }

  private async finish(
    plan: KillPlan,
    pins: readonly { target: KillTarget }[],
    cmdline: string,
    signal: KillSignal,
    signalled: readonly number[],
    started: number,
    reason: string,
  ): Promise<KillReport> {
    const { clock, emit } = this.deps;
    const v = plan.victim;
    emit({
      event: 'exit',
      level: 'notice',
      message: `${describe(v)} exited ${Math.round(clock.now() - started)} ms after the first signal`,
      fields: {
        pid: v.pid,
        comm: v.comm,
        signal,
        pids: pins.map((p) => p.target.pid),
        afterMs: clock.now() - started,
      },
    });
    // Wait for the freed memory to show, so the next look does not pick a second victim for the same shortage.
    const deadline = clock.now() + this.deps.config.recoveryWaitMs;
    while (this.deps.recheck() !== 'ok' && clock.now() < deadline) await clock.sleep(EXIT_POLL_MS);
    await this.hook(this.deps.config.postKillHook, 'post', v, cmdline, signal, reason, false);
    return { result: 'exited', signal, signalled, elapsedMs: clock.now() - started };
  }

  /** The victim's command line for the hooks; not read when there is no hook. */
  private hookCmdline(v: KillTarget): string {
    const { preKillHook, postKillHook } = this.deps.config;
    return preKillHook === null && postKillHook === null ? '' : (this.deps.cmdline(v.pid) ?? '');
  }

  private async hook(
    hook: HookConfig | null,
    when: 'pre' | 'post',
    v: KillTarget,
    cmdline: string,
    signal: KillSignal,
    reason: string,
    dryRun: boolean,
  ): Promise<void> {
    if (hook === null) return;
    const env: Record<string, string> = {
      OOMGUARD_EVENT: when === 'pre' ? 'pre-kill' : 'post-kill',
      OOMGUARD_PID: String(v.pid),
      OOMGUARD_NAME: v.comm,
      OOMGUARD_CMDLINE: cmdline,
      OOMGUARD_UID: String(v.uid),
      OOMGUARD_CGROUP: v.cgroup,
      OOMGUARD_RSS_BYTES: String(v.rssBytes),
      OOMGUARD_SIGNAL: signal,
      OOMGUARD_REASON: reason,
      OOMGUARD_DRY_RUN: dryRun ? '1' : '0',
      // earlyoom's names, so its -N/-P scripts keep working.
      EARLYOOM_PID: String(v.pid),
      EARLYOOM_NAME: v.comm,
      EARLYOOM_CMDLINE: cmdline,
      EARLYOOM_UID: String(v.uid),
    };
    const res = await this.deps.runHook(hook, env);
    const ok = !res.timedOut && res.code === 0 && res.error === undefined;
    this.deps.emit({
      event: 'hook',
      level: ok ? 'info' : 'warning',
      message: `${when}-kill hook ${hook.path} ${res.timedOut ? `timed out after ${hook.timeoutMs} ms` : res.error !== undefined ? `failed: ${res.error}` : `exited ${res.code ?? res.signal}`}`,
      fields: {
        hook: hook.path,
        when,
        code: res.code,
        signal: res.signal,
        timedOut: res.timedOut,
        output: res.output,
      },
    });
  }
}

function describe(t: Pick<KillTarget, 'pid' | 'comm'>): string {
  return `pid ${t.pid} (${t.comm})`;
}
