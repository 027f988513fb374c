// oomguard history: the kills recorded by `oomguard run`, as a table or JSON.
// Only the definition lives here: reading and rendering (history-action.ts) load when `history` runs.
import type { Command } from '@commander-js/extra-typings';
import { DEFAULT_HISTORY_FILE } from '../observe/history.js';
import { lazy } from './lazy.js';

const action = lazy(() => import('./history-action.js'));

function historyCommand(program: Command) {
  return program
    .command('history')
    .description('the kills recorded by oomguard run (signals sent and victims gone), oldest first')
    .option(
      '--file <file>',
      'history file (rotated files FILE.1, FILE.2 … are read too)',
      DEFAULT_HISTORY_FILE,
    )
    .option('--json', 'print a JSON array of entries')
    .option('--limit <n>', 'only the newest N entries');
}

export type HistoryOptions = ReturnType<ReturnType<typeof historyCommand>['opts']>;

export function registerHistory(program: Command): void {
  historyCommand(program).action(async (opts) => {
    (await action()).history(opts);
  });
}
