// /proc/vmstat: `name value` lines, cumulative counters. Keys a kernel lacks read as 0.
import type { VmStat } from '../../../model/snapshot.js';

export function parseVmstat(text: string): VmStat {
  const counters = new Map<string, number>();
  for (const line of text.split('\n')) {
    const space = line.indexOf(' ');
    if (space <= 0) continue;
    const value = Number(line.slice(space + 1));
    if (Number.isFinite(value)) counters.set(line.slice(0, space), value);
  }
  const get = (key: string): number => counters.get(key) ?? 0;
  return {
    pgscanKswapd: get('pgscan_kswapd'),
    pgscanDirect: get('pgscan_direct'),
    pgstealKswapd: get('pgsteal_kswapd'),
    pgstealDirect: get('pgsteal_direct'),
    oomKill: get('oom_kill'),
    workingsetRefaultAnon: get('workingset_refault_anon'),
    workingsetRefaultFile: get('workingset_refault_file'),
    pswpin: get('pswpin'),
    pswpout: get('pswpout'),
  };
}
