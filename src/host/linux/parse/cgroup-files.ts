// Memory cgroup files, v1 and v2: flat `key value` files, single values, pid lists.
import type { OomControl } from '../../../model/snapshot.js';

/**
 * v1 prints PAGE_COUNTER_MAX × PAGE (9223372036854771712 with 4 KiB pages) for "no limit", and other
 * page sizes give other near-2^63 values: anything this large is no real limit.
 */
const UNLIMITED_FROM = 2 ** 62;

/** `key value` lines (memory.stat, memory.events, memory.oom_control) by key; odd lines are skipped. */
export function parseKeyValues(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const space = line.indexOf(' ');
    if (space <= 0) continue;
    const value = Number(line.slice(space + 1));
    if (Number.isFinite(value)) out[line.slice(0, space)] = value;
  }
  return out;
}

/** A single integer (memory.current, memory.swappiness, ...); undefined when the text is not one. */
export function parseNumber(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^-?\d+$/.test(trimmed)) return undefined;
  return Number(trimmed);
}

/**
 * A limit: `max` (v2) or a v1 value ≥ 2^62 means unlimited → null; undefined when the text is neither
 * a number nor `max`, so a garbled file is never mistaken for "no limit".
 */
export function parseLimit(text: string): number | null | undefined {
  if (text.trim() === 'max') return null;
  const value = parseNumber(text);
  if (value === undefined) return undefined;
  return value >= UNLIMITED_FROM ? null : value;
}

/** v1 memory.oom_control; `oom_kill` appeared in 4.13. */
export function parseOomControl(text: string): OomControl {
  const kv = parseKeyValues(text);
  return {
    oomKillDisable: kv.oom_kill_disable === 1,
    underOom: kv.under_oom === 1,
    oomKill: kv.oom_kill ?? null,
  };
}

/** cgroup.procs: one pid a line. */
export function parsePidList(text: string): number[] {
  const pids: number[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const pid = Number(line);
    if (Number.isInteger(pid) && pid > 0) pids.push(pid);
  }
  return pids;
}
