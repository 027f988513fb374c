// oomguard rank: the candidates in kill order with every factor.
// Only the definition lives here: the scan and its rendering (rank-action.ts) load when `rank` runs.
import type { Command } from '@commander-js/extra-typings';
import { RANKER_NAMES, type RankerName } from '../model/ranking.js';
import { lazy } from './lazy.js';
import { withPolicyOptions } from './policy-options.js';

const action = lazy(() => import('./rank-action.js'));

export const RANKERS: readonly RankerName[] = RANKER_NAMES;

function rankCommand(program: Command) {
  return withPolicyOptions(
    program
      .command('rank')
      .description('list processes in the order they would be killed, with every factor')
      .option('--json', 'print a JSON array in kill order')
      .option('--top <n>', 'only the first N killable candidates')
      .option(
        '--cgroup <path>',
        "only this memory cgroup's subtree, scored as a memcg OOM in it (path as in /proc/PID/cgroup)",
      )
      .option('--no-kernel-score', "do not read the kernel's own oom_score beside the model's"),
  );
}

export type RankOptions = ReturnType<ReturnType<typeof rankCommand>['opts']>;

export function registerRank(program: Command): void {
  rankCommand(program).action(async (opts, cmd) => {
    await (await action()).rank(opts, cmd);
  });
}
