// oomguard explain PID: why this process is where it is in the kill order, factor by factor.
// Only the definition lives here: the work (explain-action.ts) loads when `explain` runs.
import { type Command, Option } from '@commander-js/extra-typings';
import { POLICY_NAMES } from '../model/ranking.js';
import { lazy } from './lazy.js';

const action = lazy(() => import('./explain-action.js'));

function explainCommand(program: Command) {
  return program
    .command('explain')
    .description(
      'explain one process: its factors, badness, oom_score, place in the order and what would move it',
    )
    .argument('<pid>', 'process id')
    .option('--json', 'print the explanation as JSON')
    .option('--cgroup <path>', 'explain it within a memcg OOM of this cgroup')
    .addOption(
      new Option('--policy <name>', 'ranker or cgroup policy')
        .choices(POLICY_NAMES)
        .default('kernel' as const),
    )
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

export type ExplainOptions = ReturnType<ReturnType<typeof explainCommand>['opts']>;

export function registerExplain(program: Command): void {
  explainCommand(program).action(async (pidArg, opts, cmd) => {
    await (await action()).explain(pidArg, opts, cmd);
  });
}
