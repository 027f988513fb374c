// oomguard rank: the candidates in kill order with every factor.
import { type Command, Option } from '@commander-js/extra-typings';
import { readUserNames } from '../host/linux/passwd.js';
import { sampleForRanking } from '../host/ranking-sample.js';
import type { RankerName } from '../model/ranking.js';
import { renderRankingTable } from '../observe/text/ranking-table.js';
import { rankProcesses } from '../policy/rank.js';
import { globalOptions, openHost, parseCgroupPath, parsePositiveInt, writeJson } from './context.js';

export const RANKERS: readonly RankerName[] = ['kernel', 'rss', 'legacy'];

export function registerRank(program: Command): void {
  program
    .command('rank')
    .description('list processes in the order they would be killed, with every factor')
    .option('--json', 'print a JSON array in kill order')
    .option('--top <n>', 'only the first N killable candidates')
    .option(
      '--cgroup <path>',
      "only this memory cgroup's subtree, scored as a memcg OOM in it (path as in /proc/PID/cgroup)",
    )
    .addOption(new Option('--policy <name>', 'ranker').choices(RANKERS).default('kernel' as const))
    .option('--no-kernel-score', "do not read the kernel's own oom_score beside the model's")
    .action((opts, cmd) => {
      const top = opts.top === undefined ? undefined : parsePositiveInt('--top', opts.top);
      const cgroup = opts.cgroup === undefined ? null : parseCgroupPath(opts.cgroup);
      const g = globalOptions(cmd);
      const host = openHost(g);
      try {
        const snap = sampleForRanking(host, { cgroup, kernelOomScore: opts.kernelScore });
        const ranking = rankProcesses(snap, { ranker: opts.policy, cgroup });
        if (opts.json) {
          const list =
            top === undefined
              ? ranking.candidates
              : ranking.candidates.filter((c) => c.killable).slice(0, top);
          writeJson(list);
        } else {
          process.stdout.write(`${renderRankingTable(ranking, readUserNames(g.root), top)}\n`);
        }
      } finally {
        host.close();
      }
    });
}
