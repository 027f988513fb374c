// oomguard replay FILE: what each policy would have done, and when, on a recorded trace.
// Only the definition lives here: the trace reader and the policies (replay-action.ts) load when `replay` runs.
import type { Command } from '@commander-js/extra-typings';
import { lazy } from './lazy.js';

const action = lazy(() => import('./replay-action.js'));

const collect = (value: string, previous: string[]) => [...previous, value];

function replayCommand(program: Command) {
  return program
    .command('replay')
    .description(
      'replay a recorded trace through policies: what each would have done, and when (nothing acts)',
    )
    .argument('<file>', 'trace file written by oomguard record')
    .option(
      '--policy <name>',
      'kernel, legacy, earlyoom, cgroup, kube or oomguard:FILE (repeatable; default: kernel, earlyoom)',
      collect,
      [] as string[],
    )
    .option('--json', 'print {snapshots, policies: [{policy, events}]} as JSON');
}

export type ReplayOptions = ReturnType<ReturnType<typeof replayCommand>['opts']>;

export function registerReplay(program: Command): void {
  replayCommand(program).action(async (file, opts) => {
    await (await action()).replay(file, opts);
  });
}
