// oomguard top, run: one screen (--once) or the live view until q or a signal.
import { readUserNames } from '../host/linux/passwd.js';
import { sampleForRanking } from '../host/ranking-sample.js';
import { UsageError } from '../model/errors.js';
import { createRecentHistoryReader } from '../observe/history.js';
import { runLiveTop } from '../observe/top/live.js';
import { MAX_KILLS_SHOWN, renderTop, type TopFrame } from '../observe/top/render.js';
import { rankProcesses } from '../policy/rank.js';
import { globalOptions, type HasGlobals, openHost, parseCgroupPath } from './context.js';
import { parseInterval, type TopOptions } from './top.js';

export async function top(opts: TopOptions, cmd: HasGlobals): Promise<void> {
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
      throw new UsageError('top needs a terminal on standard input and output (--once prints one screen)');
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
}
