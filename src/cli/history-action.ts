// oomguard history, run.
// A history file that does not exist yet means nothing was killed: that is an answer, not an error (exit 0).
// Lines that are not history entries (a line torn by a crash, a hand edit) are skipped and counted on stderr.
import { readHistory } from '../observe/history.js';
import { renderKillTable } from '../observe/top/kill-table.js';
import { parsePositiveInt, writeJson } from './context.js';
import type { HistoryOptions } from './history.js';

export function history(opts: HistoryOptions): void {
  const limit = opts.limit === undefined ? undefined : parsePositiveInt('--limit', opts.limit);
  const h = readHistory(opts.file, limit === undefined ? {} : { limit });
  if (h.skipped > 0) {
    process.stderr.write(
      `oomguard: skipped ${h.skipped} corrupt line${h.skipped === 1 ? '' : 's'} in ${h.files.join(', ')}\n`,
    );
  }
  if (opts.json) writeJson(h.entries);
  else if (h.files.length === 0) process.stdout.write(`no kills recorded (${opts.file} does not exist)\n`);
  else if (h.entries.length === 0) process.stdout.write(`no kills recorded in ${opts.file}\n`);
  else process.stdout.write(`${renderKillTable(h.entries)}\n`);
}
