// Runs a user's hook around a kill: an executable started without a shell, with a fixed environment
// (nothing inherited but PATH), a timeout, and bounded output. Values from the victim travel only in
// environment variables, never in the command line, so a process name cannot inject arguments.
import { spawn } from 'node:child_process';

export interface HookCommand {
  /** Absolute path of the executable. */
  readonly path: string;
  readonly args: readonly string[];
  readonly timeoutMs: number;
}

export interface HookResult {
  readonly code: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  /** First bytes of stdout+stderr, at most OUTPUT_LIMIT. */
  readonly output: string;
  readonly error?: string;
}

export const OUTPUT_LIMIT = 4096;

export function runHook(cmd: HookCommand, env: Readonly<Record<string, string>>): Promise<HookResult> {
  return new Promise((resolve) => {
    let output = '';
    let timedOut = false;
    let settled = false;
    const done = (r: HookResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const child = spawn(cmd.path, [...cmd.args], {
      shell: false,
      env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const collect = (d: Buffer) => {
      if (output.length < OUTPUT_LIMIT) output += d.toString('utf8').slice(0, OUTPUT_LIMIT - output.length);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => {
      timedOut = true;
      // The hook runs in its own process group: end it and anything it started.
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, cmd.timeoutMs);
    child.on('error', (err) => done({ code: null, signal: null, timedOut, output, error: err.message }));
    child.on('close', (code, signal) => done({ code, signal, timedOut, output }));
  });
}
