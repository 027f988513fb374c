// The options that pick a ranker or a cgroup policy and tune it: `rank` and `explain` take the same ones,
// so that whatever order `rank` shows, `explain` can account for it.
import { type Command, Option, type OptionValues } from '@commander-js/extra-typings';
import { POLICY_NAMES } from '../model/ranking.js';

export function withPolicyOptions<
  Args extends unknown[],
  Opts extends OptionValues,
  Globals extends OptionValues,
>(command: Command<Args, Opts, Globals>) {
  return command
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
