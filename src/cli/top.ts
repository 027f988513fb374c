// oomguard top: a live terminal view of memory, pressure, the next victims and the recent kills.
// Only the definition lives here: sampling and the terminal view (top-action.ts) load when `top` runs.
import { type Command, Option } from '@commander-js/extra-typings';
import { UsageError } from '../model/errors.js';
import { DEFAULT_HISTORY_FILE } from '../observe/history.js';
import { SORT_KEYS } from '../observe/top/sort.js';
import { lazy } from './lazy.js';
import { RANKERS } from './rank.js';

const action = lazy(() => import('./top-action.js'));

/** Seconds as in `top -d`: a positive decimal, at least 0.1 so a redraw never hogs the machine it watches. */
export function parseInterval(value: string): number {
  const s = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(s >= 0.1) || s > 3600) {
    throw new UsageError(`--interval: expected seconds between 0.1 and 3600, got "${value}"`);
  }
  return Math.round(s * 1000);
}

function topCommand(program: Command) {
  return program
    .command('top')
    .description(
      'live view of memory, pressure, the next victims and the recent kills (keys: s r p sort, q quit)',
    )
    .option('--interval <seconds>', 'time between two samples', '1')
    .addOption(
      new Option('--sort <key>', 'initial order of the victims').choices(SORT_KEYS).default('score' as const),
    )
    .addOption(new Option('--policy <name>', 'ranker').choices(RANKERS).default('kernel' as const))
    .option('--cgroup <path>', "only this memory cgroup's subtree (path as in /proc/PID/cgroup)")
    .option('--history <file>', 'kill history written by oomguard run', DEFAULT_HISTORY_FILE)
    .option('--once', 'print one screen to standard output and exit (no terminal needed)');
}

export type TopOptions = ReturnType<ReturnType<typeof topCommand>['opts']>;

export function registerTop(program: Command): void {
  topCommand(program).action(async (opts, cmd) => {
    await (await action()).top(opts, cmd);
  });
}
