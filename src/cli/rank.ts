// oomguard rank: the candidates in kill order with every factor.
// Only the definition lives here: the scan and its rendering (rank-action.ts) load when `rank` runs.
import { type Command, Option } from '@commander-js/extra-typings';
import { POLICY_NAMES, RANKER_NAMES, type RankerName } from '../model/ranking.js';
import { lazy } from './lazy.js';

const action = lazy(() => import('./rank-action.js'));

export const RANKERS: readonly RankerName[] = RANKER_NAMES;

function rankCommand(program: Command) {
  return program
    .command('rank')
    .description('list processes in the order they would be killed, with every factor')
    .option('--json', 'print a JSON array in kill order')
    .option('--top <n>', 'only the first N killable candidates')
    .option(
      '--cgroup <path>',
      "only this memory cgroup's subtree, scored as a memcg OOM in it (path as in /proc/PID/cgroup)",
    )
    .addOption(
      new Option('--policy <name>', 'ranker or cgroup policy')
        .choices(POLICY_NAMES)
        .default('kernel' as const),
    )
    .option('--no-kernel-score', "do not read the kernel's own oom_score beside the model's")
    .option(
      '--cgroup-depth <n>',
      'cgroup policies: candidates N levels below the scope, or "leaves" (default 1)',
    )
    .addOption(
      new Option('--measure <what>', 'cgroup policy: what a cgroup uses').choices([
        'usage',
        'working-set',
      ] as const),
    )
    .addOption(
      new Option('--unit <unit>', 'cgroup policies: what a kill takes').choices([
        'process',
        'process-group',
        'cgroup',
      ] as const),
    )
    .option('--kube-pods <file>', 'kube policy: pod metadata (names, priorities, requests) as JSON');
}

export type RankOptions = ReturnType<ReturnType<typeof rankCommand>['opts']>;

export function registerRank(program: Command): void {
  rankCommand(program).action(async (opts, cmd) => {
    await (await action()).rank(opts, cmd);
  });
}
