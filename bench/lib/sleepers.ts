// The selection benchmarks' workload: BIN/sleepers (bench/floor/sleepers.c), run as the only workload of a
// PID namespace whose end kills them all.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { BIN } from './paths.js';

/**
 * Starts `sleepers N HOGS` (under `choom -n ADJ` when adj is given: their children inherit it) and resolves
 * once it printed "ready"; rejects when it did not within timeoutMs.
 */
export async function startSleepers(
  n: number,
  hogs = 0,
  adj?: number,
  timeoutMs = 120_000,
): Promise<ChildProcess> {
  const command = [join(BIN, 'sleepers'), String(n), String(hogs)];
  const child =
    adj === undefined
      ? spawn(command[0] as string, command.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] })
      : spawn('choom', ['-n', String(adj), '--', ...command], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => reject(new Error(`sleepers: no "ready" within ${timeoutMs} ms`)),
      timeoutMs,
    );
    child.stdout?.on('data', (d: Buffer) => {
      seen += d.toString();
      if (seen.includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return child;
}

/**
 * Runs main, then exits with 0, or 1 after printing its error: the sleepers' children keep stdout's pipe
 * open, so the process would not end on its own.
 */
export function runThenExit(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
      process.exit(1);
    },
  );
}
