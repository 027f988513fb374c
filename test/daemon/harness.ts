// One daemon on a fake clock and a fake host, with every event, signal and hook call recorded with its fake
// time. Defaults: a 1000 MiB machine without swap, so the default levels are round numbers — SIGTERM at 100 MiB
// (10 %) available, SIGKILL at 50 MiB (5 %) — and no periodic report.
import { DEFAULT_CONFIG } from '../../src/config/defaults.js';
import type { DaemonConfig, HookConfig } from '../../src/config/types.js';
import { Daemon } from '../../src/daemon/daemon.js';
import type { HookResult } from '../../src/host/hook-runner.js';
import type { DaemonEvent, EventName } from '../../src/observe/events.js';
import { FakeActions } from '../helpers/fake-actions.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { FakeHost, type FakeHostOptions } from '../helpers/fake-host.js';
import { MIB } from '../helpers/snapshot-builder.js';

export { MIB };

export interface TimedEvent extends DaemonEvent {
  readonly at: number;
}

export interface HookCall {
  readonly at: number;
  readonly path: string;
  readonly env: Record<string, string>;
  /** How many signals had reached a process when the hook ran. */
  readonly deliveredBefore: number;
}

export interface Rig {
  readonly clock: FakeClock;
  readonly host: FakeHost;
  readonly actions: FakeActions;
  readonly daemon: Daemon;
  readonly config: DaemonConfig;
  readonly events: TimedEvent[];
  readonly hookCalls: HookCall[];
  /** The 'signal' events: when, to whom, what. */
  signals(): { at: number; pid: unknown; signal: unknown }[];
  named(name: EventName): TimedEvent[];
  /** Runs the daemon's loop until fake time has advanced by ms. */
  runFor(ms: number): Promise<void>;
}

export interface RigOptions {
  readonly config?: Partial<DaemonConfig>;
  readonly host?: Partial<Omit<FakeHostOptions, 'now'>>;
  readonly users?: ReadonlyMap<number, string>;
  readonly hookResult?: HookResult;
}

export const HOOK_OK: HookResult = { code: 0, signal: null, timedOut: false, output: '' };

export function rig(opts: RigOptions = {}): Rig {
  const clock = new FakeClock(0);
  const now = () => clock.now();
  const host = new FakeHost({ memTotal: 1000 * MIB, ...opts.host, now });
  const actions = new FakeActions({ now });
  host.linkActions(actions);
  const config: DaemonConfig = { ...DEFAULT_CONFIG, reportIntervalMs: 0, ...opts.config };
  const events: TimedEvent[] = [];
  const hookCalls: HookCall[] = [];
  const daemon = new Daemon({
    host,
    actions,
    clock,
    emit: (e) => events.push({ ...e, at: clock.now() }),
    config,
    runHook: async (hook: HookConfig, env) => {
      hookCalls.push({
        at: clock.now(),
        path: hook.path,
        env: { ...env },
        deliveredBefore: actions.delivered.length,
      });
      return opts.hookResult ?? HOOK_OK;
    },
    users: opts.users ?? new Map(),
  });
  const named = (name: EventName) => events.filter((e) => e.event === name);
  return {
    clock,
    host,
    actions,
    daemon,
    config,
    events,
    hookCalls,
    named,
    signals: () => named('signal').map((e) => ({ at: e.at, pid: e.fields?.pid, signal: e.fields?.signal })),
    async runFor(ms) {
      const stop = new AbortController();
      clock.at(clock.now() + ms, () => stop.abort());
      await daemon.run(stop.signal);
    },
  };
}

export { rule } from '../helpers/rule-config.js';
