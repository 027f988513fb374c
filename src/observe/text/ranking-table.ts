// The table `oomguard rank` prints: one row per process, in the order it would be killed.
import type { Candidate, RankerName, Ranking } from '../../model/ranking.js';
import { safeText } from './escape.js';
import { type Column, renderTable } from './table.js';
import { formatBytes } from './units.js';

export function userLabel(uid: number, users: ReadonlyMap<number, string>): string {
  return users.get(uid) ?? String(uid);
}

/** Who a candidate is and what it holds: the columns `rank` and `top` share. */
export function processColumns(users: ReadonlyMap<number, string>): Column<Candidate>[] {
  return [
    { header: 'PID', align: 'right', cell: (c) => String(c.pid) },
    { header: 'USER', align: 'left', cell: (c) => safeText(userLabel(c.uid, users)) },
    { header: 'NAME', align: 'left', cell: (c) => safeText(c.comm) },
    { header: 'RSS', align: 'right', cell: (c) => formatBytes(c.rssBytes) },
    { header: 'SWAP', align: 'right', cell: (c) => formatBytes(c.swapBytes) },
    { header: 'ADJ', align: 'right', cell: (c) => String(c.oomScoreAdj) },
  ];
}

function note(c: Candidate, ranker: RankerName): string {
  if (!c.killable) return `not killable: ${c.reason ?? 'unknown'}`;
  const parts: string[] = [];
  // The rss ranker breaks a tie on RSS+swap by badness; the kernel and legacy rankers by iteration order.
  if (c.tied) parts.push(ranker === 'rss' ? 'tie: badness decides' : 'tie: iteration order decides');
  if (c.kernelOomScore !== null && c.kernelOomScore !== c.oomScore) {
    parts.push(`kernel shows ${c.kernelOomScore}`);
  }
  return parts.join('; ');
}

export function renderRankingTable(
  ranking: Ranking,
  users: ReadonlyMap<number, string>,
  top?: number,
): string {
  const killable = ranking.candidates.filter((c) => c.killable);
  const shown = top === undefined ? ranking.candidates : killable.slice(0, top);
  const columns: Column<Candidate>[] = [
    { header: '#', align: 'right', cell: (c) => (c.killable ? String(c.position) : '-') },
    ...processColumns(users),
    { header: 'BADNESS', align: 'right', cell: (c) => (c.badness === null ? '-' : String(c.badness)) },
    { header: 'SCORE', align: 'right', cell: (c) => String(c.oomScore) },
    { header: 'NOTE', align: 'left', cell: (c) => note(c, ranking.ranker) },
  ];
  if (ranking.ranker !== 'kernel') {
    columns.splice(7, 0, { header: 'KEY', align: 'right', cell: (c) => String(c.key) });
  }
  const head =
    `ranker ${ranking.ranker}, scope ${safeText(ranking.scope)}, totalpages ${ranking.totalPages} ` +
    `(${safeText(ranking.totalPagesSource)}), page ${ranking.pageSize} B`;
  return `${head}\n${renderTable(columns, shown)}`;
}
