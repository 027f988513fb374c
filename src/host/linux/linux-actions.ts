// HostActions on the real kernel: pidfd pins, pidfd_send_signal, process_mrelease, cgroup.kill or a
// pin-and-kill sweep of cgroup.procs, and the daemon's own oom_score_adj and nice.
import { closeSync, type Dirent, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { constants, getPriority, setPriority } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { HostReadError, OomguardError, UsageError } from '../../model/errors.js';
import type {
  CgroupKillResult,
  HostActions,
  KillSignal,
  PinnedProcess,
  SelfProtectionOptions,
  SelfProtectionResult,
  SignalOutcome,
} from '../actions.js';
import { loadNative, type NativeCalls, POLLIN } from './native.js';
import { type ProcStat, parseProcStat } from './parse/proc-stat.js';

const { EINVAL, ENOSYS, EPERM, ESRCH } = constants.errno;
const ERRNO_NAMES = new Map(Object.entries(constants.errno).map(([name, value]) => [value, name]));
const errnoName = (errno: number): string => ERRNO_NAMES.get(errno) ?? `errno ${errno}`;

/** Passes over cgroup.procs before giving up on a cgroup whose members keep forking. */
const MAX_KILL_PASSES = 10;

export interface LinuxActionsOptions {
  /** Told once about each degraded path (no pidfd, no process_mrelease). Default: process.emitWarning. */
  readonly onWarning?: (message: string) => void;
  /** The native calls; null runs without pidfd (as on a kernel before 5.3). Default: loadNative(). */
  readonly native?: NativeCalls | null;
}

class Pin implements PinnedProcess {
  constructor(
    readonly pid: number,
    readonly startTicks: number,
    /** null: pinned by start time only (no pidfd). */
    readonly fd: number | null,
  ) {}
}

export class LinuxActions implements HostActions {
  private native: NativeCalls | null;
  private readonly warn: (message: string) => void;
  private readonly warned = new Set<string>();
  // Pins handed out and not yet unpinned; an unknown or released pin is a caller bug, not a process state.
  private readonly pins = new WeakSet<Pin>();
  private readonly nativeMissing: string | null;

  constructor(opts: LinuxActionsOptions = {}) {
    this.warn = opts.onWarning ?? ((message) => process.emitWarning(message, 'OomguardWarning'));
    if (opts.native !== undefined) {
      this.native = opts.native;
      this.nativeMissing = opts.native ? null : 'native calls disabled';
    } else {
      const load = loadNative();
      this.native = load.ok ? load.calls : null;
      this.nativeMissing = load.ok ? null : load.reason;
    }
  }

  pin(pid: number, startTicks: number): PinnedProcess | null {
    if (!Number.isSafeInteger(pid) || pid <= 0)
      throw new OomguardError(`cannot pin PID ${pid}: not a positive integer`);
    let fd: number | null = null;
    if (this.native) {
      const opened = this.native.pidfdOpen(pid);
      if (opened >= 0) fd = opened;
      // EINVAL: the PID is a thread, not a thread-group leader.
      else if (opened === -ESRCH || opened === -EINVAL) return null;
      // EPERM: a seccomp filter (container runtimes) refusing the syscall.
      else if (opened === -ENOSYS || opened === -EPERM) this.losePidfd(`pidfd_open: ${errnoName(-opened)}`);
      else throw new OomguardError(`pidfd_open(${pid}) failed: ${errnoName(-opened)}`);
    } else {
      this.warnOnce('pidfd', fallbackWarning(this.nativeMissing ?? 'unknown'));
    }
    // Checked after the pidfd exists: from here on the pidfd names exactly the process that was checked.
    const stat = readStat(pid);
    if (stat === null || stat.startTime !== startTicks) {
      if (fd !== null) closeSync(fd);
      return null;
    }
    const pin = new Pin(pid, startTicks, fd);
    this.pins.add(pin);
    return pin;
  }

  signal(p: PinnedProcess, sig: KillSignal): SignalOutcome {
    const pin = this.held(p);
    const signo = constants.signals[sig];
    if (pin.fd !== null && this.native) {
      const sent = this.native.pidfdSendSignal(pin.fd, signo);
      if (sent === 0) return 'sent';
      if (sent === -ESRCH) return 'gone';
      if (sent === -EPERM) return 'denied';
      throw new OomguardError(`pidfd_send_signal(PID ${pin.pid}, ${sig}) failed: ${errnoName(-sent)}`);
    }
    // No pidfd: the start time is re-checked as late as possible; a reuse between this read and kill(2)
    // remains possible, which is why the fallback is announced.
    const stat = readStat(pin.pid);
    if (stat === null) return 'gone';
    if (stat.startTime !== pin.startTicks) return 'identity-changed';
    try {
      process.kill(pin.pid, sig);
      return 'sent';
    } catch (error) {
      const code = codeOf(error);
      if (code === 'ESRCH') return 'gone';
      if (code === 'EPERM') return 'denied';
      throw new OomguardError(`kill(${pin.pid}, ${sig}) failed: ${code}`);
    }
  }

  release(p: PinnedProcess): boolean {
    const pin = this.held(p);
    if (pin.fd === null || !this.native) return false;
    const released = this.native.processMrelease(pin.fd);
    if (released === -ENOSYS)
      this.warnOnce(
        'mrelease',
        'process_mrelease unavailable (Linux < 5.15): the kernel reaps victims itself, more slowly',
      );
    // EINVAL: not dying (yet); ESRCH: already reaped. Neither is worth more than `false` in the kill path.
    return released === 0;
  }

  alive(p: PinnedProcess): boolean {
    const pin = this.held(p);
    if (pin.fd !== null && this.native) {
      // A pidfd polls readable once the whole thread group has exited.
      const revents = this.native.poll(pin.fd, POLLIN, 0);
      if (revents > 0 && (revents & POLLIN) !== 0) return false;
    }
    const stat = readStat(pin.pid);
    if (stat === null || stat.startTime !== pin.startTicks) return false;
    // A zombie leader whose other threads still run still holds its memory (as earlyoom counts it).
    return !(stat.state === 'X' || (stat.state === 'Z' && stat.numThreads <= 1));
  }

  unpin(p: PinnedProcess): void {
    if (!(p instanceof Pin) || !this.pins.delete(p)) return;
    if (p.fd !== null) closeSync(p.fd);
  }

  killCgroup(dir: string): CgroupKillResult {
    if (!isAbsolute(dir)) throw new UsageError(`cgroup directory must be an absolute path: ${dir}`);
    if (!existsSync(join(dir, 'cgroup.procs'))) {
      throw new HostReadError(`not a cgroup directory (no cgroup.procs): ${dir}`, dir);
    }
    if (!existsSync(join(dirname(dir), 'cgroup.procs'))) {
      throw new OomguardError(`refusing to kill ${dir}: it is the root of its cgroup hierarchy`);
    }
    const members = checkedMembers(dir);
    const killFile = join(dir, 'cgroup.kill');
    if (existsSync(killFile)) {
      // The kernel kills the subtree as a unit, forks racing the write included.
      writeFileSync(killFile, '1');
      return { signalled: members, method: 'cgroup.kill' };
    }
    return { signalled: this.killEach(dir, members), method: 'signal-each' };
  }

  protectSelf(opts: SelfProtectionOptions = {}): SelfProtectionResult {
    return { oomScoreAdj: setOwnOomScoreAdj(opts.oomScoreAdj ?? -900), nice: setOwnNice(opts.nice ?? -10) };
  }

  private killEach(dir: string, firstMembers: number[]): number[] {
    const killed = new Set<string>(); // pid:startTicks, so a PID reused inside the cgroup is killed again
    const signalled: number[] = [];
    let members = firstMembers;
    for (let pass = 0; pass < MAX_KILL_PASSES && members.length > 0; pass++) {
      const pins: PinnedProcess[] = [];
      for (const pid of members) {
        const stat = readStat(pid);
        if (stat === null || killed.has(`${pid}:${stat.startTime}`)) continue;
        const pin = this.pin(pid, stat.startTime);
        if (pin) pins.push(pin);
      }
      if (pins.length === 0) break;
      // A PID listed before it was pinned may have exited and been reused outside the cgroup: only pins
      // still listed now are this cgroup's processes (a live pinned process keeps its PID).
      const stillMembers = new Set(subtreePids(dir));
      for (const pin of pins) {
        if (stillMembers.has(pin.pid)) {
          killed.add(`${pin.pid}:${pin.startTicks}`);
          if (this.signal(pin, 'SIGKILL') === 'sent') signalled.push(pin.pid);
        }
        this.unpin(pin);
      }
      members = checkedMembers(dir);
    }
    return signalled;
  }

  private held(p: PinnedProcess): Pin {
    if (!(p instanceof Pin) || !this.pins.has(p)) {
      throw new OomguardError(`PID ${p.pid}: this pin was unpinned or was not made by these HostActions`);
    }
    return p;
  }

  private losePidfd(reason: string): void {
    this.native = null;
    this.warnOnce('pidfd', fallbackWarning(reason));
  }

  private warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.warn(message);
  }
}

function fallbackWarning(reason: string): string {
  return `pidfd unavailable (${reason}): signalling by PID after re-checking its start time; a PID reused in between could be hit`;
}

function readStat(pid: number): ProcStat | null {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`));
  } catch {
    return null; // exited (ENOENT, ESRCH): normal
  }
}

/** The member PIDs of a cgroup and all its descendants. Cgroups removed meanwhile count as empty. */
function subtreePids(dir: string): number[] {
  const pids = new Set<number>();
  const walk = (d: string): void => {
    let entries: Dirent[];
    try {
      for (const line of readFileSync(join(d, 'cgroup.procs'), 'latin1').split('\n')) {
        if (line !== '') pids.add(Number(line));
      }
      entries = readdirSync(d, { withFileTypes: true });
    } catch (error) {
      if (codeOf(error) === 'ENOENT' || codeOf(error) === 'ENODEV') return;
      throw new HostReadError(`cannot read cgroup ${d}: ${codeOf(error)}`, d);
    }
    for (const entry of entries) if (entry.isDirectory()) walk(join(d, entry.name));
  };
  walk(dir);
  return [...pids];
}

/** subtreePids, refusing a subtree that holds PID 1 or oomguard itself. */
function checkedMembers(dir: string): number[] {
  const members = subtreePids(dir);
  for (const pid of members) {
    if (pid === 1) throw new OomguardError(`refusing to kill ${dir}: it holds PID 1`);
    if (pid === process.pid)
      throw new OomguardError(`refusing to kill ${dir}: it holds oomguard itself (PID ${pid})`);
  }
  return members;
}

function setOwnOomScoreAdj(adj: number): string {
  if (!Number.isInteger(adj) || adj < -1000 || adj > 1000) return `unchanged: ${adj} is outside -1000..1000`;
  // Only ever lower it: systemd's OOMScoreAdjust=-1000 must not be raised to our default.
  const current = Number(readOwn('oom_score_adj'));
  if (Number.isInteger(current) && current <= adj) return `kept at ${current} (already at or below ${adj})`;
  try {
    writeFileSync('/proc/self/oom_score_adj', String(adj));
    return String(adj);
  } catch (error) {
    const code = codeOf(error);
    const why = code === 'EPERM' || code === 'EACCES' ? ', lowering it needs CAP_SYS_RESOURCE' : '';
    return `unchanged at ${readOwn('oom_score_adj')}: ${code}${why}`;
  }
}

/** Renices every thread: on Linux, nice is per thread and setpriority(PRIO_PROCESS, pid) sets one. */
function setOwnNice(nice: number): string {
  if (!Number.isInteger(nice) || nice < -20 || nice > 19) return `unchanged: ${nice} is outside -20..19`;
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    tids = [String(process.pid)];
  }
  const failures: string[] = [];
  let kept = 0;
  for (const tid of tids) {
    try {
      // Only ever raise priority: a unit's Nice= (or an admin's renice) that is already lower stays.
      if (getPriority(Number(tid)) <= nice) {
        kept++;
        continue;
      }
      setPriority(Number(tid), nice);
    } catch (error) {
      const code = codeOf(error);
      // A thread that ended between the listing and here needs no nice value.
      if (code !== 'ESRCH') failures.push(code);
    }
  }
  if (failures.length === 0)
    return kept === tids.length ? `kept (already at or below ${nice})` : String(nice);
  const why =
    failures.includes('EACCES') || failures.includes('EPERM') ? ', lowering it needs CAP_SYS_NICE' : '';
  return `unchanged on ${failures.length} of ${tids.length} threads: ${failures[0]}${why}`;
}

function readOwn(file: string): string {
  try {
    return readFileSync(`/proc/self/${file}`, 'latin1').trim();
  } catch (error) {
    return `unknown (${codeOf(error)})`;
  }
}

/** The errno name of a Node error; os.setPriority's SystemError keeps it in `info.code`. */
function codeOf(error: unknown): string {
  const e = error as { code?: unknown; info?: { code?: unknown } } | null;
  const code = e?.info?.code ?? e?.code;
  return typeof code === 'string' ? code : String(error);
}
