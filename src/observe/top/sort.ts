// The orders `oomguard top` can list the next victims in, and the keys that choose them.
import type { Candidate } from '../../model/ranking.js';

export type SortKey = 'score' | 'rss' | 'pid';

export const SORT_KEYS: readonly SortKey[] = ['score', 'rss', 'pid'];

/** What a key press asks for. */
export type TopCommand = { readonly kind: 'quit' } | { readonly kind: 'sort'; readonly key: SortKey };

/**
 * The command behind one chunk of terminal input, or null. In raw mode Ctrl-C and Ctrl-\ arrive as bytes,
 * not as signals, so they quit here. A chunk may hold several keys (fast typing, a paste): the last one counts.
 */
export function commandForInput(data: string): TopCommand | null {
  let cmd: TopCommand | null = null;
  for (const ch of data) {
    const c = commandForKey(ch);
    if (c?.kind === 'quit') return c;
    cmd = c ?? cmd;
  }
  return cmd;
}

function commandForKey(ch: string): TopCommand | null {
  switch (ch) {
    case 'q':
    case 'Q':
    case '\u0003':
    case '\u001c':
      return { kind: 'quit' };
    case 's':
      return { kind: 'sort', key: 'score' };
    case 'r':
    case 'm':
      return { kind: 'sort', key: 'rss' };
    case 'p':
      return { kind: 'sort', key: 'pid' };
    default:
      return null;
  }
}

/**
 * The killable candidates in the chosen order. `score` is the kill order itself; `rss` puts the largest
 * resident set first (kill order breaks ties); `pid` is ascending.
 */
export function sortVictims(candidates: readonly Candidate[], key: SortKey): Candidate[] {
  const killable = candidates.filter((c) => c.killable).sort((a, b) => a.position - b.position);
  switch (key) {
    case 'score':
      return killable;
    case 'rss':
      return killable.sort((a, b) => b.rssBytes - a.rssBytes || a.position - b.position);
    case 'pid':
      return killable.sort((a, b) => a.pid - b.pid);
  }
}
