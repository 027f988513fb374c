// oomguard rank, run: sample, rank, print. Loaded only when `rank` runs.
import { readUserNames } from '../host/linux/passwd.js';
import { sampleForRanking } from '../host/ranking-sample.js';
import { isCgroupPolicy } from '../model/ranking.js';
import { renderRankingTable } from '../observe/text/ranking-table.js';
import { rankProcesses } from '../policy/rank.js';
import {
  globalOptions,
  type HasGlobals,
  openHost,
  parseCgroupPath,
  parsePositiveInt,
  writeJson,
} from './context.js';
import { lazy } from './lazy.js';
import type { RankOptions } from './rank.js';

// The cgroup policies load only when one is asked for: plain ranking, the common case, does not need them.
const cgroupAction = lazy(() => import('./cgroup-action.js'));

export async function rank(opts: RankOptions, cmd: HasGlobals): Promise<void> {
  const top = opts.top === undefined ? undefined : parsePositiveInt('--top', opts.top);
  const cgroup = opts.cgroup === undefined ? null : parseCgroupPath(opts.cgroup);
  const g = globalOptions(cmd);
  const host = openHost(g);
  try {
    const policy = opts.policy;
    if (isCgroupPolicy(policy)) {
      await (await cgroupAction()).rankCgroups(host, policy, cgroup, top, opts);
      return;
    }
    const snap = sampleForRanking(host, { cgroup, kernelOomScore: opts.kernelScore });
    const ranking = rankProcesses(snap, { ranker: policy, cgroup });
    if (opts.json) {
      const list =
        top === undefined ? ranking.candidates : ranking.candidates.filter((c) => c.killable).slice(0, top);
      writeJson(list);
    } else {
      process.stdout.write(`${renderRankingTable(ranking, readUserNames(g.root), top)}\n`);
    }
  } finally {
    host.close();
  }
}
