// Kill history as a table, for `oomguard history` and the recent kills in `oomguard top`.
import type { HistoryEntry } from '../history.js';
import { safeText } from '../text/escape.js';
import { type Column, renderTable } from '../text/table.js';
import { formatBytes } from '../text/units.js';

/** "2026-11-02T10:11:12.345Z" → "2026-11-02 10:11:12" (UTC, as recorded). */
export function shortTime(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(iso);
  return m ? `${m[1]} ${m[2]}` : safeText(iso);
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/** What happened, in a few words: a signal's reason, an exit's delay. */
export function killDetail(e: HistoryEntry): string {
  const f = e.fields;
  if (e.event === 'exit') {
    const ms = num(f.afterMs);
    return ms === null ? 'exited' : `exited ${Math.round(ms)} ms after the first signal`;
  }
  const reason = str(f.reason) ?? e.message;
  const cgroup = str(f.cgroupKill) === null ? '' : `cgroup ${str(f.cgroup) ?? '?'}: `;
  return `${f.dryRun === true ? 'dry run: ' : ''}${cgroup}${reason}`;
}

export function renderKillTable(entries: readonly HistoryEntry[]): string {
  const columns: Column<HistoryEntry>[] = [
    { header: 'TIME (UTC)', align: 'left', cell: (e) => shortTime(e.time) },
    { header: 'EVENT', align: 'left', cell: (e) => safeText(e.event) },
    { header: 'PID', align: 'right', cell: (e) => String(num(e.fields.pid) ?? '-') },
    { header: 'NAME', align: 'left', cell: (e) => safeText(str(e.fields.comm) ?? '-') },
    { header: 'SIGNAL', align: 'left', cell: (e) => safeText(str(e.fields.signal) ?? '-') },
    {
      header: 'RSS',
      align: 'right',
      cell: (e) => {
        const rss = num(e.fields.rssBytes);
        return rss === null ? '-' : formatBytes(rss);
      },
    },
    { header: 'DETAIL', align: 'left', cell: (e) => safeText(killDetail(e)) },
  ];
  return renderTable(columns, entries);
}
