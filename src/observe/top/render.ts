// What `oomguard top` shows, as plain lines of text: a pure function of one sample, so a test can check
// every character. The live loop (live.ts) adds the escape sequences that put the lines on the screen.
import type { Candidate, Ranking } from '../../model/ranking.js';
import type { MemInfo, Psi } from '../../model/snapshot.js';
import { systemFigures } from '../../policy/thresholds.js';
import type { HistoryEntry } from '../history.js';
import { safeText } from '../text/escape.js';
import { processColumns } from '../text/ranking-table.js';
import { type Column, renderTable } from '../text/table.js';
import { formatBytes } from '../text/units.js';
import { renderKillTable } from './kill-table.js';
import { type SortKey, sortVictims } from './sort.js';

/** One sample of everything the view shows. */
export interface TopFrame {
  readonly time: Date;
  readonly meminfo: MemInfo;
  readonly psi: Psi | null;
  readonly ranking: Ranking;
  readonly users: ReadonlyMap<number, string>;
  /** The newest kills, oldest first. */
  readonly kills: readonly HistoryEntry[];
  /** Why no kills are listed, when none are ("no kills recorded in FILE"); null when there are some. */
  readonly killsNote: string | null;
}

export interface ScreenSize {
  readonly columns: number;
  readonly rows: number;
}

/** At most this many recent kills are listed, so the victims keep most of the screen. */
export const MAX_KILLS_SHOWN = 5;

const BAR_WIDTH = 30;

/** `[#####.....]`: the used share filled. */
export function bar(usedFraction: number, width: number = BAR_WIDTH): string {
  const f = Number.isFinite(usedFraction) ? Math.min(1, Math.max(0, usedFraction)) : 0;
  const filled = Math.round(f * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

function percent(part: number, whole: number): string {
  return whole > 0 ? `${((part * 100) / whole).toFixed(1)} %` : '-';
}

export function memoryLine(meminfo: MemInfo): string {
  const fig = systemFigures(meminfo, 'total');
  const total = meminfo.memTotal;
  const avail = fig.memAvailBytes;
  return `Mem  ${bar(total > 0 ? (total - avail) / total : 0)} ${formatBytes(avail)} available of ${formatBytes(total)} (${percent(avail, total)})`;
}

export function swapLine(meminfo: MemInfo): string {
  if (meminfo.swapTotal === 0) return 'Swap none';
  const { swapTotal: total, swapFree: free } = meminfo;
  return `Swap ${bar((total - free) / total)} ${formatBytes(free)} free of ${formatBytes(total)} (${percent(free, total)})`;
}

export function psiLine(psi: Psi | null): string {
  if (psi === null) return 'PSI  memory pressure not available';
  const full = psi.full === null ? '-' : `${psi.full.avg10.toFixed(2)} %`;
  return `PSI  memory some avg10 ${psi.some.avg10.toFixed(2)} %  full avg10 ${full}`;
}

function victimColumns(users: ReadonlyMap<number, string>): Column<Candidate>[] {
  return [
    { header: '#', align: 'right', cell: (c) => String(c.position) },
    ...processColumns(users),
    { header: 'SCORE', align: 'right', cell: (c) => String(c.oomScore) },
    { header: 'CGROUP', align: 'left', cell: (c) => safeText(c.cgroup) },
  ];
}

/** Cuts a line to the screen width (by code points; names are escaped, so no control character remains). */
function fit(line: string, columns: number): string {
  const chars = [...line];
  return chars.length <= columns ? line : chars.slice(0, Math.max(0, columns)).join('');
}

/**
 * The screen, top to bottom, at most `size.rows` lines none wider than `size.columns`. The victims get
 * whatever rows the header and the recent kills leave; `message` (an error, a hint) takes the last line.
 */
export function renderTop(frame: TopFrame, sort: SortKey, size: ScreenSize, message?: string): string[] {
  const r = frame.ranking;
  const killable = r.candidates.filter((c) => c.killable).length;
  const head = [
    `oomguard top  ${frame.time.toISOString().slice(0, 19).replace('T', ' ')} UTC  ranker ${r.ranker}  scope ${safeText(r.scope)}`,
    memoryLine(frame.meminfo),
    swapLine(frame.meminfo),
    psiLine(frame.psi),
    '',
    `Next victims: ${killable} killable of ${r.candidates.length}, sorted by ${sort}   keys: s score  r rss  p pid  q quit`,
  ];
  const kills =
    frame.kills.length === 0
      ? ['Recent kills', `  ${frame.killsNote ?? 'none'}`]
      : ['Recent kills', ...renderKillTable(frame.kills.slice(-MAX_KILLS_SHOWN)).split('\n')];
  const footer = message === undefined ? [] : [message];
  // The table's header row plus at least one victim row, even on a tiny screen.
  const room = Math.max(2, size.rows - head.length - 1 - kills.length - footer.length);
  const victims = renderTable(victimColumns(frame.users), sortVictims(r.candidates, sort).slice(0, room - 1));
  const lines = [...head, ...victims.split('\n'), '', ...kills, ...footer];
  return lines.slice(0, Math.max(0, size.rows)).map((l) => fit(l, size.columns));
}
