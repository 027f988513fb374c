// A real `oomguard run --json` process for end-to-end tests: its events parsed as they arrive.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from './cli.js';

export interface LoggedEvent {
  readonly event: string;
  readonly level: string;
  readonly msg: string;
  readonly [field: string]: unknown;
}

export class DaemonProcess {
  readonly events: LoggedEvent[] = [];
  private out = '';
  stderr = '';
  private readonly exited: Promise<number | null>;
  private constructor(readonly child: ChildProcess) {
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      this.out += d;
      let nl = this.out.indexOf('\n');
      while (nl >= 0) {
        const line = this.out.slice(0, nl);
        this.out = this.out.slice(nl + 1);
        if (line.trim() !== '') this.events.push(JSON.parse(line) as LoggedEvent);
        nl = this.out.indexOf('\n');
      }
    });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      this.stderr += d;
    });
    this.exited = new Promise((res) => child.once('exit', (code) => res(code)));
  }

  /**
   * Starts `oomguard run --json ARGS` and waits for its start event. Keeps no kill history unless ARGS say
   * where. `repo`: another checkout of oomguard (a benchmark's baseline), default this one.
   */
  static async start(args: readonly string[], repo = REPO): Promise<DaemonProcess> {
    const history = args.includes('--history') ? [] : ['--history', 'none'];
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(repo, 'src/cli/main.ts'), 'run', '--json', ...history, ...args],
      {
        cwd: repo,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const d = new DaemonProcess(child);
    await d.waitFor((e) => e.event === 'start' && e.level === 'notice', 20000);
    return d;
  }

  async waitFor(pred: (e: LoggedEvent) => boolean, timeoutMs: number): Promise<LoggedEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.events.find(pred);
      if (hit) return hit;
      if (this.child.exitCode !== null)
        throw new Error(`daemon exited ${this.child.exitCode}: ${this.stderr}`);
      if (Date.now() > deadline) {
        throw new Error(
          `no such event within ${timeoutMs} ms; got:\n${this.events.map((e) => JSON.stringify(e)).join('\n')}\n${this.stderr}`,
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Every pid the daemon says it signalled (real signals only, not dry-run lines). */
  signalledPids(): number[] {
    const pids: number[] = [];
    for (const e of this.events) {
      if (e.event !== 'signal' || e.dryRun === true) continue;
      if (Array.isArray(e.pids)) pids.push(...(e.pids as number[]));
      else if (typeof e.pid === 'number') pids.push(e.pid);
    }
    return pids;
  }

  async stop(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }
}
