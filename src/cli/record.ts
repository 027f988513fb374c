// oomguard record: snapshots of the live machine, appended to a trace file as compact JSON lines.
// Only the definition lives here: sampling and the trace format (record-action.ts) load when `record` runs.
import type { Command } from '@commander-js/extra-typings';
import { lazy } from './lazy.js';

const action = lazy(() => import('./record-action.js'));

function recordCommand(program: Command) {
  return program
    .command('record')
    .description('append snapshots of this machine (memory, processes, cgroups) to a trace file')
    .requiredOption('--out <file>', 'trace file (created, or appended to)')
    .option('--interval <ms>', 'milliseconds between snapshots', '1000')
    .option('--count <n>', 'stop after N snapshots')
    .option('--duration <time>', 'stop after this long (e.g. 30s, 5min)');
}

export type RecordOptions = ReturnType<ReturnType<typeof recordCommand>['opts']>;

export function registerRecord(program: Command): void {
  recordCommand(program).action(async (opts, cmd) => {
    await (await action()).record(opts, cmd);
  });
}
