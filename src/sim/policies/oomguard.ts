// oomguard itself on the simulator: the daemon's own Daemon and Executor, built from a real configuration
// file, looking through SimHost, acting through SimActions and sleeping on the world's clock.
import type { DaemonConfig } from '../../config/types.js';
import { Daemon } from '../../daemon/daemon.js';
import type { HookResult } from '../../host/hook-runner.js';
import type { DaemonEvent } from '../../observe/events.js';
import { SimActions, SimClock, SimHost } from '../sim-host.js';
import type { World } from '../world.js';

/** Hooks are not run in a simulation: each "succeeds" at once. */
const HOOK_SKIPPED: HookResult = { code: 0, signal: null, timedOut: false, output: '' };

/** Runs the daemon's loop (tick, sleep) on the world until the run ends. Returns the daemon's own events. */
export async function runOomguard(world: World, config: DaemonConfig): Promise<DaemonEvent[]> {
  const host = new SimHost(world);
  const actions = new SimActions(world, 'oomguard');
  const clock = new SimClock(world);
  const seen: DaemonEvent[] = [];
  let trigger = '';
  const daemon = new Daemon({
    host,
    actions,
    clock,
    emit: (e) => {
      seen.push(e);
      if (e.event === 'trigger') trigger = e.message;
      // The signal's reason in the world's log: whom the daemon chose and why, and the trigger.
      if (e.event === 'select' && e.level === 'notice') actions.reason = `oomguard: ${e.message}; ${trigger}`;
    },
    config,
    runHook: async () => HOOK_SKIPPED,
    users: new Map(),
  });
  while (!world.ended) {
    const sleepMs = await daemon.tick();
    if (world.ended) break;
    await clock.sleep(sleepMs);
  }
  return seen;
}
