// oomguard simulate FILE: run a scenario on the simulated kernel under one or more policies.
// Only the definition lives here: the simulator (simulate-action.ts) loads when `simulate` runs.
import type { Command } from '@commander-js/extra-typings';
import { lazy } from './lazy.js';

const action = lazy(() => import('./simulate-action.js'));

const collect = (value: string, previous: string[]) => [...previous, value];

function simulateCommand(program: Command) {
  return program
    .command('simulate')
    .description('run a scenario on the simulated kernel under one or more policies, side by side')
    .argument('<file>', 'scenario file (YAML, see docs/simulator.md)')
    .option(
      '--policy <name>',
      'kernel, legacy, earlyoom, cgroup, kube or oomguard:FILE (repeatable; default: all built-in ones)',
      collect,
      [] as string[],
    )
    .option('--json', 'print {policies: [{policy, events, summary}]} as JSON')
    .option('--svg <file>', 'write memory over time with kill markers as SVG')
    .option('--html <file>', 'write the chart and the report as one HTML page');
}

export type SimulateOptions = ReturnType<ReturnType<typeof simulateCommand>['opts']>;

export function registerSimulate(program: Command): void {
  simulateCommand(program).action(async (file, opts) => {
    await (await action()).simulate(file, opts);
  });
}
