// An in-memory HostActions for the daemon's unit tests: a tiny process table with scripted behaviour
// (ignores SIGTERM, exits N ms after a signal, PID reused before the signal, EPERM), a record of every
// call, and a record of the signals that actually reached a process.

import type {
  CgroupKillResult,
  HostActions,
  KillSignal,
  PinnedProcess,
  SelfProtectionOptions,
  SelfProtectionResult,
  SignalOutcome,
} from '../../src/host/actions.js';
import { HostReadError, OomguardError } from '../../src/model/errors.js';

export interface FakeProcessScript {
  /** Only SIGKILL ends it. */
  readonly ignoresSigterm?: boolean;
  /** Exits this many ms after a SIGTERM it honours (default 0: at once). */
  readonly exitsAfterMs?: number;
  /** Exits this many ms after SIGKILL (default 0; a task stuck in D state takes longer). */
  readonly killExitsAfterMs?: number;
  /** Between pin() and the first signal() it exits and its PID goes to a new process (startTicks + 1). */
  readonly reusedBeforeSignal?: boolean;
  /** signal() answers EPERM. */
  readonly denied?: boolean;
}

export type FakeCall =
  | { readonly op: 'pin'; readonly pid: number; readonly startTicks: number; readonly pinned: boolean }
  | { readonly op: 'signal'; readonly pid: number; readonly sig: KillSignal; readonly outcome: SignalOutcome }
  | { readonly op: 'release'; readonly pid: number; readonly released: boolean }
  | { readonly op: 'alive'; readonly pid: number; readonly alive: boolean }
  | { readonly op: 'unpin'; readonly pid: number }
  | { readonly op: 'killCgroup'; readonly dir: string; readonly result: CgroupKillResult }
  | { readonly op: 'protectSelf'; readonly opts: SelfProtectionOptions | undefined };

export interface FakeDelivery {
  readonly pid: number;
  readonly startTicks: number;
  readonly sig: KillSignal;
}

export interface FakeActionsOptions {
  /** The clock "exits after N ms" is measured on (default Date.now). */
  readonly now?: () => number;
  /** false: behave like the kill(2) fallback, where a reused PID answers 'identity-changed' (default true). */
  readonly pidfd?: boolean;
  /** What release() answers after SIGKILL (default true; false as on a kernel before 5.15). */
  readonly releaseWorks?: boolean;
  /** What protectSelf() answers (default: this machine's, where a negative adj is refused). */
  readonly selfProtection?: SelfProtectionResult;
}

interface FakeProcess {
  readonly pid: number;
  readonly startTicks: number;
  readonly script: FakeProcessScript;
  exitAt: number | null;
  killed: boolean;
}

class FakePin implements PinnedProcess {
  open = true;
  constructor(
    readonly pid: number,
    readonly startTicks: number,
    readonly process: FakeProcess,
  ) {}
}

export class FakeActions implements HostActions {
  readonly calls: FakeCall[] = [];
  readonly delivered: FakeDelivery[] = [];
  private readonly processes = new Map<number, FakeProcess>();
  private readonly cgroups = new Map<string, { pids: number[]; method: CgroupKillResult['method'] }>();
  private readonly now: () => number;

  constructor(private readonly opts: FakeActionsOptions = {}) {
    this.now = opts.now ?? Date.now;
  }

  /** Adds a running process. */
  spawn(pid: number, startTicks: number, script: FakeProcessScript = {}): void {
    this.processes.set(pid, { pid, startTicks, script, exitAt: null, killed: false });
  }

  /** Adds a cgroup directory holding these PIDs (added with spawn()). */
  addCgroup(dir: string, pids: number[], method: CgroupKillResult['method'] = 'signal-each'): void {
    this.cgroups.set(dir, { pids, method });
  }

  /** The process exits now, on its own. */
  exit(pid: number): void {
    const p = this.processes.get(pid);
    if (p) p.exitAt = Math.min(p.exitAt ?? Number.POSITIVE_INFINITY, this.now());
  }

  /** Whether the process now holding this PID runs (and, when given, has this start time). */
  isRunning(pid: number, startTicks?: number): boolean {
    const p = this.processes.get(pid);
    return p !== undefined && this.running(p) && (startTicks === undefined || p.startTicks === startTicks);
  }

  pin(pid: number, startTicks: number): PinnedProcess | null {
    if (!Number.isSafeInteger(pid) || pid <= 0)
      throw new OomguardError(`cannot pin PID ${pid}: not a positive integer`);
    const p = this.processes.get(pid);
    const pin = p && this.running(p) && p.startTicks === startTicks ? new FakePin(pid, startTicks, p) : null;
    this.calls.push({ op: 'pin', pid, startTicks, pinned: pin !== null });
    return pin;
  }

  signal(pin: PinnedProcess, sig: KillSignal): SignalOutcome {
    const { process: p } = this.held(pin);
    const outcome = this.deliver(p, sig);
    this.calls.push({ op: 'signal', pid: pin.pid, sig, outcome });
    return outcome;
  }

  release(pin: PinnedProcess): boolean {
    const { process: p } = this.held(pin);
    const released = (this.opts.releaseWorks ?? true) && p.killed;
    this.calls.push({ op: 'release', pid: pin.pid, released });
    return released;
  }

  alive(pin: PinnedProcess): boolean {
    const alive = this.running(this.held(pin).process);
    this.calls.push({ op: 'alive', pid: pin.pid, alive });
    return alive;
  }

  unpin(pin: PinnedProcess): void {
    if (pin instanceof FakePin) pin.open = false;
    this.calls.push({ op: 'unpin', pid: pin.pid });
  }

  killCgroup(dir: string): CgroupKillResult {
    const cg = this.cgroups.get(dir);
    if (!cg) throw new HostReadError(`not a cgroup directory (no cgroup.procs): ${dir}`, dir);
    const signalled: number[] = [];
    for (const pid of cg.pids) {
      const p = this.processes.get(pid);
      if (p && this.running(p)) {
        this.kill(p, 'SIGKILL');
        signalled.push(pid);
      }
    }
    const result = { signalled, method: cg.method };
    this.calls.push({ op: 'killCgroup', dir, result });
    return result;
  }

  protectSelf(opts?: SelfProtectionOptions): SelfProtectionResult {
    this.calls.push({ op: 'protectSelf', opts });
    return (
      this.opts.selfProtection ?? {
        oomScoreAdj: 'unchanged at 0: EPERM, lowering it needs CAP_SYS_RESOURCE',
        nice: String(opts?.nice ?? -10),
      }
    );
  }

  private deliver(p: FakeProcess, sig: KillSignal): SignalOutcome {
    if (p.script.reusedBeforeSignal && this.processes.get(p.pid) === p) {
      this.exit(p.pid);
      this.spawn(p.pid, p.startTicks + 1);
    }
    if (!this.running(p)) {
      const reused = this.processes.get(p.pid) !== p;
      return reused && this.opts.pidfd === false ? 'identity-changed' : 'gone';
    }
    if (p.script.denied) return 'denied';
    this.kill(p, sig);
    return 'sent';
  }

  private kill(p: FakeProcess, sig: KillSignal): void {
    this.delivered.push({ pid: p.pid, startTicks: p.startTicks, sig });
    let exitIn: number | null;
    if (sig === 'SIGKILL') {
      p.killed = true;
      exitIn = p.script.killExitsAfterMs ?? 0;
    } else {
      exitIn = p.script.ignoresSigterm ? null : (p.script.exitsAfterMs ?? 0);
    }
    if (exitIn !== null) p.exitAt = Math.min(p.exitAt ?? Number.POSITIVE_INFINITY, this.now() + exitIn);
  }

  private running(p: FakeProcess): boolean {
    return p.exitAt === null || this.now() < p.exitAt;
  }

  private held(pin: PinnedProcess): FakePin {
    if (!(pin instanceof FakePin) || !pin.open) {
      throw new OomguardError(`PID ${pin.pid}: this pin was unpinned or was not made by these HostActions`);
    }
    return pin;
  }
}
