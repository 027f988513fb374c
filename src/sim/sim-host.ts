// The simulated machine behind the same doors as the real one: SimHost is a Host, SimActions a HostActions
// and SimClock a Clock, so the daemon's own code (Daemon, Executor) runs on the simulator unchanged.
import type { Clock } from '../daemon/clock.js';
import type {
  CgroupKillResult,
  HostActions,
  KillSignal,
  PinnedProcess,
  SelfProtectionResult,
  SignalOutcome,
} from '../host/actions.js';
import type { Host, SampleOptions } from '../host/host.js';
import { HostReadError, OomguardError } from '../model/errors.js';
import type { CgroupInfo, Snapshot } from '../model/snapshot.js';
import type { Actor } from './events.js';
import { buildSnapshot, cgroupInfo } from './view.js';
import type { SimProcess, World } from './world.js';

/** Where the simulated cgroup hierarchy is "mounted", for cgroupDir() and killCgroup(). */
export const SIM_CGROUP_MOUNT = '/sys/fs/cgroup';

export class SimHost implements Host {
  constructor(private readonly world: World) {}

  get pageSize(): number {
    return this.world.scenario.machine.pageSize;
  }

  sample(options: SampleOptions = {}): Snapshot {
    return buildSnapshot(this.world, options);
  }

  readCmdline(pid: number): string[] | null {
    const p = this.world.procs.get(pid);
    return p ? [...p.spec.cmdline] : null;
  }

  readExe(pid: number): string | null {
    return this.world.procs.get(pid)?.spec.exe ?? null;
  }

  readCgroup(path: string): CgroupInfo {
    const cg = this.world.cgroups.get(path);
    if (!cg) throw new HostReadError(`no memory cgroup ${path} in the simulation`, path);
    return cgroupInfo(this.world, cg);
  }

  cgroupDir(path: string): string {
    return path === '/' ? SIM_CGROUP_MOUNT : `${SIM_CGROUP_MOUNT}${path}`;
  }

  close(): void {}
}

class SimPin implements PinnedProcess {
  constructor(
    readonly pid: number,
    readonly startTicks: number,
    readonly process: SimProcess,
  ) {}
}

/** Signals from a userspace killer. `reason` is set by the caller before it acts (the daemon's trigger). */
export class SimActions implements HostActions {
  reason = 'memory short';

  constructor(
    private readonly world: World,
    private readonly by: Actor = 'oomguard',
  ) {}

  pin(pid: number, startTicks: number): PinnedProcess | null {
    if (!Number.isSafeInteger(pid) || pid <= 0)
      throw new OomguardError(`cannot pin PID ${pid}: not a positive integer`);
    const p = this.world.procs.get(pid);
    return p && p.state !== 'exited' && p.startTicks === startTicks ? new SimPin(pid, startTicks, p) : null;
  }

  signal(pin: PinnedProcess, sig: KillSignal): SignalOutcome {
    const p = held(pin);
    if (p.state === 'exited') return 'gone';
    if (sig === 'SIGKILL') this.world.kill(p, this.by, this.reason);
    else this.world.term(p, this.by, this.reason);
    return 'sent';
  }

  release(pin: PinnedProcess): boolean {
    return this.world.release(held(pin));
  }

  alive(pin: PinnedProcess): boolean {
    return held(pin).state !== 'exited';
  }

  unpin(_pin: PinnedProcess): void {}

  killCgroup(dir: string): CgroupKillResult {
    const path = dir === SIM_CGROUP_MOUNT ? '/' : dir.slice(SIM_CGROUP_MOUNT.length);
    const cg = this.world.cgroups.get(path);
    if (!dir.startsWith(SIM_CGROUP_MOUNT) || !cg)
      throw new HostReadError(`not a cgroup directory: ${dir}`, dir);
    if (cg.parent === null) throw new OomguardError('refusing to kill the root cgroup');
    const members = this.world.procsIn(cg).filter((p) => p.state === 'run');
    for (const p of members) this.world.kill(p, this.by, this.reason);
    const v2 = this.world.scenario.kernel.cgroupVersion === 2;
    return { signalled: members.map((p) => p.pid), method: v2 ? 'cgroup.kill' : 'signal-each' };
  }

  protectSelf(): SelfProtectionResult {
    return { oomScoreAdj: 'not applicable in the simulator', nice: 'not applicable in the simulator' };
  }
}

function held(pin: PinnedProcess): SimProcess {
  if (!(pin instanceof SimPin))
    throw new OomguardError(`PID ${pin.pid}: this pin was not made by SimActions`);
  return pin.process;
}

/** The world's time: sleeping advances the simulation, so waits inside the executor let memory evolve. */
export class SimClock implements Clock {
  constructor(private readonly world: World) {}

  now(): number {
    return this.world.now;
  }

  sleep(ms: number): Promise<void> {
    this.world.advanceTo(this.world.now + Math.max(ms, 1));
    return Promise.resolve();
  }
}
