// oomguard explain PID: why this process is where it is in the kill order, factor by factor.
// Only the definition lives here: the work (explain-action.ts) loads when `explain` runs.
import type { Command } from '@commander-js/extra-typings';
import { lazy } from './lazy.js';
import { withPolicyOptions } from './policy-options.js';

const action = lazy(() => import('./explain-action.js'));

function explainCommand(program: Command) {
  return withPolicyOptions(
    program
      .command('explain')
      .description(
        'explain one process: its factors, badness, oom_score, place in the order and what would move it',
      )
      .argument('<pid>', 'process id')
      .option('--json', 'print the explanation as JSON')
      .option('--cgroup <path>', 'explain it within a memcg OOM of this cgroup'),
  );
}

export type ExplainOptions = ReturnType<ReturnType<typeof explainCommand>['opts']>;

export function registerExplain(program: Command): void {
  explainCommand(program).action(async (pidArg, opts, cmd) => {
    await (await action()).explain(pidArg, opts, cmd);
  });
}
