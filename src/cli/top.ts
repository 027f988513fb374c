// oomguard top: a live terminal view of memory, pressure, the next victims and the recent kills.
import { type Command, Option } from '@commander-js/extra-typings';
import { readUserNames } from '../host/linux/passwd.js';
import { sampleForRanking } from '../host/ranking-sample.js';
import { UsageError } from '../model/errors.js';
import { createRecentHistoryReader, DEFAULT_HISTORY_FILE } from '../observe/history.js';
import { runLiveTop } from '../observe/top/live.js';
import { MAX_KILLS_SHOWN, renderTop, type TopFrame } from '../observe/top/render.js';
import { SORT_KEYS } from '../observe/top/sort.js';
import { rankProcesses } from '../policy/rank.js';
import { globalOptions, openHost, parseCgroupPath } from './context.js';
import { RANKERS } from './rank.js';

/** Seconds as in `top -d`: a positive decimal, at least 0.1 so a redraw never hogs the machine it watches. */
export function parseInterval(value: string): number {
  const s = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(s >= 0.1) || s > 3600) {
    throw new UsageError(`--interval: expected seconds between 0.1 and 3600, got "${value}"`);
  }
  return Math.round(s * 1000);
}

export function registerTop(program: Command): void {
  program
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
    .option('--once', 'print one screen to standard output and exit (no terminal needed)')
    .action(async (opts, cmd) => {
      const intervalMs = parseInterval(opts.interval);
      const cgroup = opts.cgroup === undefined ? null : parseCgroupPath(opts.cgroup);
      const g = globalOptions(cmd);
      const users = readUserNames(g.root);
      const recentKills = createRecentHistoryReader(opts.history, MAX_KILLS_SHOWN);
      const host = openHost(g);
      const read = (): TopFrame => {
        const snap = sampleForRanking(host, { cgroup });
        let kills: TopFrame['kills'] = [];
        let killsNote: string | null = null;
        try {
          const h = recentKills();
          kills = h.entries;
          if (h.files.length === 0) killsNote = `no kills recorded (${opts.history} does not exist yet)`;
          else if (kills.length === 0) killsNote = `no kills recorded in ${opts.history}`;
        } catch (e) {
          killsNote = (e as Error).message;
        }
        return {
          time: new Date(),
          meminfo: snap.meminfo,
          psi: snap.psi.memory,
          ranking: rankProcesses(snap, { ranker: opts.policy, cgroup }),
          users,
          kills,
          killsNote,
        };
      };
      let exit: Awaited<ReturnType<typeof runLiveTop>> | undefined;
      try {
        if (opts.once) {
          const out = process.stdout;
          const size = {
            columns: out.isTTY ? out.columns : Number.MAX_SAFE_INTEGER,
            rows: Number.MAX_SAFE_INTEGER,
          };
          process.stdout.write(`${renderTop(read(), opts.sort, size).join('\n')}\n`);
          return;
        }
        if (!process.stdin.isTTY || !process.stdout.isTTY) {
          throw new UsageError(
            'top needs a terminal on standard input and output (--once prints one screen)',
          );
        }
        exit = await runLiveTop({
          read,
          input: process.stdin,
          output: process.stdout,
          intervalMs,
          sort: opts.sort,
        });
      } finally {
        host.close();
      }
      // Ended by a signal from outside: die of it, with the terminal already restored, as the shell expects.
      if (exit?.by === 'signal') process.kill(process.pid, exit.signal);
    });
}
