// oomguard history: the kills recorded by `oomguard run`, as a table or JSON.
// A history file that does not exist yet means nothing was killed: that is an answer, not an error (exit 0).
// Lines that are not history entries (a line torn by a crash, a hand edit) are skipped and counted on stderr.
import type { Command } from '@commander-js/extra-typings';
import { DEFAULT_HISTORY_FILE, readHistory } from '../observe/history.js';
import { renderKillTable } from '../observe/top/kill-table.js';
import { parsePositiveInt, writeJson } from './context.js';

export function registerHistory(program: Command): void {
  program
    .command('history')
    .description('the kills recorded by oomguard run (signals sent and victims gone), oldest first')
    .option(
      '--file <file>',
      'history file (rotated files FILE.1, FILE.2 … are read too)',
      DEFAULT_HISTORY_FILE,
    )
    .option('--json', 'print a JSON array of entries')
    .option('--limit <n>', 'only the newest N entries')
    .action((opts) => {
      const limit = opts.limit === undefined ? undefined : parsePositiveInt('--limit', opts.limit);
      const h = readHistory(opts.file, limit === undefined ? {} : { limit });
      if (h.skipped > 0) {
        process.stderr.write(
          `oomguard: skipped ${h.skipped} corrupt line${h.skipped === 1 ? '' : 's'} in ${h.files.join(', ')}\n`,
        );
      }
      if (opts.json) writeJson(h.entries);
      else if (h.files.length === 0)
        process.stdout.write(`no kills recorded (${opts.file} does not exist)\n`);
      else if (h.entries.length === 0) process.stdout.write(`no kills recorded in ${opts.file}\n`);
      else process.stdout.write(`${renderKillTable(h.entries)}\n`);
    });
}
