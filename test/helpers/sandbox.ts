// Real-kernel sandboxes for tests: memory cgroups named oomguard-test-*, hogs of known size that this
// test started (and only those are ever signalled), and the kernel's own OOM verdict read back.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const V1_MEMORY_MOUNT = '/sys/fs/cgroup/memory';
const here = dirname(fileURLToPath(import.meta.url));

/** Why real-kernel memcg tests cannot run here, or null when they can. */
export function memcgUnavailableReason(): string | null {
  if (process.getuid?.() !== 0) return 'needs root to create memory cgroups';
  if (!existsSync(join(V1_MEMORY_MOUNT, 'memory.limit_in_bytes'))) {
    return 'no cgroup v1 memory hierarchy at /sys/fs/cgroup/memory (cgroup v2 memory is covered by fixture trees)';
  }
  return null;
}

/** A v1 memory cgroup's memory.usage_in_bytes, read now (dir: its directory). */
export function memcgUsageBytes(dir: string): number {
  return Number(readFileSync(join(dir, 'memory.usage_in_bytes'), 'utf8'));
}

let hogBinary: string | null = null;
/** Compile test/e2e/hog.c once per test process. */
export function hogPath(): string {
  if (hogBinary) return hogBinary;
  const dir = mkdtempSync(join(tmpdir(), 'oomguard-hog-'));
  const out = join(dir, 'hog');
  execFileSync('gcc', ['-O1', '-o', out, join(here, '../e2e/hog.c')]);
  hogBinary = out;
  return out;
}

let counter = 0;
/**
 * This test process's start, in the names of its cgroups: pids are reused (pid_max is 32768 here), and the
 * kernel log keeps the OOM reports of an earlier run's cgroup of the same name and pid.
 */
const RUN = Date.now().toString(36);

export interface TestCgroup {
  /** Path as in /proc/PID/cgroup, e.g. /oomguard-test-oracle-1234-mipq3k2a-1. */
  readonly path: string;
  /** Directory in the v1 memory hierarchy. */
  readonly dir: string;
  readonly procsFile: string;
  oomKills(): number;
}

/** The processes and cgroups one test made, so they can all be removed again, also on failure. */
export class Sandbox {
  private readonly children = new Set<ChildProcess>();
  private readonly cgroups: TestCgroup[] = [];

  createMemcg(tag: string, limitBytes: number | null, parent?: TestCgroup): TestCgroup {
    const name = parent ? tag : `oomguard-test-${tag}-${process.pid}-${RUN}-${++counter}`;
    const dir = join(parent?.dir ?? V1_MEMORY_MOUNT, name);
    mkdirSync(dir);
    const cg: TestCgroup = {
      path: `${parent?.path ?? ''}/${name}`,
      dir,
      procsFile: join(dir, 'cgroup.procs'),
      oomKills: () => {
        const m = /^oom_kill (\d+)$/m.exec(readFileSync(join(dir, 'memory.oom_control'), 'utf8'));
        return m ? Number(m[1]) : 0;
      },
    };
    this.cgroups.push(cg);
    if (limitBytes !== null) writeFileSync(join(dir, 'memory.limit_in_bytes'), String(limitBytes));
    return cg;
  }

  /**
   * Start a hog and wait until its first `sizeMiB` are resident. With `pushMiB` it then grows by that much:
   * at `rateMiBPerSec` (default: at once), and only after push() unless `growNow`.
   */
  async startHog(opts: HogOptions): Promise<Hog> {
    const args = ['-s', String(opts.sizeMiB)];
    if (opts.cgroup) args.push('-c', opts.cgroup.procsFile);
    if (opts.adj !== undefined) args.push('-a', String(opts.adj));
    if (opts.pushMiB) args.push('-p', String(opts.pushMiB), ...(opts.growNow ? [] : ['-w']));
    if (opts.rateMiBPerSec) args.push('-r', String(opts.rateMiBPerSec));
    if (opts.ignoreTerm) args.push('-t');
    if (opts.pgid !== undefined) args.push('-G', String(opts.pgid));
    const child = spawn(opts.name ? namedHog(opts.name) : hogPath(), args, {
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: opts.newGroup ?? false,
    });
    this.children.add(child);
    const hog = new Hog(child);
    await hog.waitFor('ready');
    return hog;
  }

  track(child: ChildProcess): void {
    this.children.add(child);
  }

  /** Kill every child this sandbox started, then remove its cgroups. Safe to call twice. */
  async cleanup(): Promise<void> {
    for (const c of this.children) {
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    }
    await Promise.all(
      [...this.children].map(
        (c) =>
          new Promise<void>((res) =>
            c.exitCode !== null || c.signalCode !== null ? res() : c.once('exit', () => res()),
          ),
      ),
    );
    this.children.clear();
    // Children were created after their parents: remove them first.
    for (const cg of this.cgroups.splice(0).reverse()) {
      for (let i = 0; i < 50 && existsSync(cg.dir); i++) {
        try {
          rmdirSync(cg.dir);
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    }
  }
}

export interface HogOptions {
  readonly cgroup: TestCgroup | null;
  /** oom_score_adj to set (default: inherited). */
  readonly adj?: number;
  readonly sizeMiB: number;
  readonly pushMiB?: number;
  readonly rateMiBPerSec?: number;
  /** Grow right after "ready" instead of waiting for push(). */
  readonly growNow?: boolean;
  /** Ignore SIGTERM. */
  readonly ignoreTerm?: boolean;
  /** Start in a new session and process group of its own. */
  readonly newGroup?: boolean;
  /** Join this existing process group. */
  readonly pgid?: number;
  /** Process name (comm), through a symlink of that name to the hog binary. */
  readonly name?: string;
}

/** The hog binary under another name: comm is the basename of the path a program was started by. */
function namedHog(name: string): string {
  const link = join(dirname(hogPath()), name);
  if (!existsSync(link)) symlinkSync(hogPath(), link);
  return link;
}

export class Hog {
  private buffer = '';
  private readonly exited: Promise<NodeJS.Signals | number | null>;
  constructor(readonly child: ChildProcess) {
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (d: string) => {
      this.buffer += d;
    });
    this.exited = new Promise((res) => child.once('exit', (code, signal) => res(signal ?? code)));
  }
  get pid(): number {
    if (this.child.pid === undefined) throw new Error('hog did not start');
    return this.child.pid;
  }
  async waitFor(word: string, timeoutMs = 15000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.buffer.split('\n').includes(word)) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(
          `hog ${this.child.pid} ended before "${word}" (${this.child.signalCode ?? this.child.exitCode})`,
        );
      }
      if (Date.now() > deadline)
        throw new Error(`hog ${this.child.pid}: no "${word}" within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  push(): void {
    this.child.kill('SIGUSR1');
  }
  exit(): Promise<NodeJS.Signals | number | null> {
    return this.exited;
  }
}

export interface KernelOomKill {
  readonly pid: number;
  readonly comm: string;
  readonly memcg: string;
  /** When the kernel logged the kill, in seconds since boot. */
  readonly at: number;
  /**
   * The kernel chose while an earlier victim in the same memcg was still being torn down: within 100 ms of
   * that kill, or with usage below the limit by more than one charge batch (64 pages) in its report, so
   * memory was coming back as it chose. Seen under load on 6.x kernels 4 ms after a kill, with usage at the
   * limit (the victim's pages not yet uncharged) or 8 MiB below it; no model predicts that second choice.
   */
  readonly duringTeardown: boolean;
}

/** What the kernel charges at once (MEMCG_CHARGE_BATCH pages of 4 KiB): usage may stop this far short. */
const CHARGE_BATCH_KIB = 64 * 4;
/** Far longer than a victim's exit takes, far shorter than the tests' growers need to refill a victim's memory. */
const TEARDOWN_S = 0.1;

/** Every memcg OOM kill in the kernel log, oldest first. */
export function kernelOomKills(): KernelOomKill[] {
  return parseKernelOomKills(execFileSync('dmesg', [], { encoding: 'utf8', maxBuffer: 64 << 20 }));
}

/** The memcg OOM kills in a kernel log as `dmesg` prints it (seconds since boot in brackets). */
export function parseKernelOomKills(log: string): KernelOomKill[] {
  const out: KernelOomKill[] = [];
  // The kernel prints each report whole under oom_lock: its "memory: usage" line precedes its oom-kill line.
  let shortKiB = 0;
  const lastKillAt = new Map<string, number>();
  for (const line of log.split('\n')) {
    const u = /\] memory: usage (\d+)kB, limit (\d+)kB/.exec(line);
    if (u) shortKiB = Number(u[2]) - Number(u[1]);
    const m = /^\[ *([\d.]+)\] oom-kill:.*oom_memcg=([^,]+),.*,task=(.*),pid=(\d+),uid=\d+/.exec(line);
    if (!m) continue;
    const at = Number(m[1]);
    const memcg = m[2] ?? '';
    const previous = lastKillAt.get(memcg);
    lastKillAt.set(memcg, at);
    out.push({
      memcg,
      comm: m[3] ?? '',
      pid: Number(m[4]),
      at,
      duringTeardown: previous !== undefined && (at - previous < TEARDOWN_S || shortKiB > CHARGE_BATCH_KIB),
    });
    shortKiB = 0;
  }
  return out;
}

/** The kernel's memcg OOM kills recorded in the kernel log for one cgroup path. */
export function kernelOomKillsIn(memcgPath: string): KernelOomKill[] {
  return kernelOomKills().filter((k) => k.memcg === memcgPath);
}
