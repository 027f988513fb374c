// prefer / avoid / ignore / protect rules applied to ranked candidates. Pure: process facts the candidate does
// not carry (command line, executable, user name) come through a callback, asked only when a rule needs them.
//
// Score adjustments are in oom_score_adj points (earlyoom's default magnitude, ±300) and act like oom_score_adj
// does in the kernel: each point is worth trunc(totalpages / 1000) pages of the candidate's memory scope.
// - kernel ranker (badness, pages): key ± points × trunc(totalPages / 1000), exactly the kernel's adj term;
// - rss ranker (RSS + swap, bytes): the same pages in bytes, × pageSize;
// - legacy ranker (points ≈ virtual pages): the same pages (an approximation: legacy has no adj term in pages).
// So "prefer" ranks a process as if it used 30 % more of the memory it competes for, whatever the ranker.
import { MAX_MATCH_INPUT } from '../config/regex.js';
import type { RuleAction, RuleConfig } from '../config/types.js';
import type { Candidate, RankerName } from '../model/ranking.js';

/** What rules test that a Candidate does not carry. null = unreadable (kernel thread, permission, gone). */
export interface ProcessFacts {
  readonly comm: string;
  /** Arguments joined by single spaces. */
  readonly cmdline: string | null;
  readonly exe: string | null;
  readonly cgroup: string;
  readonly uid: number;
  readonly user: string | null;
}

/** Facts about a pid; null when the process is gone. */
export type FactsFn = (pid: number) => ProcessFacts | null;

export interface CompiledRule {
  readonly rule: RuleConfig;
  readonly comm: RegExp | null;
  readonly cmdline: RegExp | null;
  readonly exe: RegExp | null;
  readonly cgroup: RegExp | null;
  readonly user: RegExp | null;
}

export interface RuleMatch {
  readonly action: RuleAction;
  readonly source: string;
  readonly adjust: number;
}

export interface RuledCandidate {
  readonly candidate: Candidate;
  /** The ranker's key plus the rules' adjustment, in the ranker's units. */
  readonly key: number;
  /** Sum of the matching prefer/avoid rules' points, clamped to −1000..1000 like oom_score_adj. */
  readonly adjustPoints: number;
  /** adjustPoints in the ranker's key units. */
  readonly adjustKey: number;
  readonly ignored: boolean;
  readonly protected: boolean;
  readonly matched: readonly RuleMatch[];
  /** Why this candidate may not be chosen (a protect/ignore rule, the ranker's reason, vanished); null = eligible. */
  readonly excludedBy: string | null;
}

export interface RuleScale {
  readonly ranker: RankerName;
  readonly pageSize: number;
}

/** RegExps are already checked at config load; compiling cannot fail here. */
export function compileRules(rules: readonly RuleConfig[]): CompiledRule[] {
  const re = (source: string | null) => (source === null ? null : new RegExp(source));
  return rules.map((rule) => ({
    rule,
    comm: re(rule.comm),
    cmdline: re(rule.cmdline),
    exe: re(rule.exe),
    cgroup: re(rule.cgroup),
    user: re(rule.user),
  }));
}

/** Key units one oom_score_adj point is worth for a candidate whose memory scope has `totalPages` pages. */
export function keyUnitsPerPoint(scale: RuleScale, totalPages: number): number {
  const pages = Math.trunc(totalPages / 1000);
  return scale.ranker === 'rss' ? pages * scale.pageSize : pages;
}

function test(re: RegExp | null, text: string | null): boolean {
  if (re === null) return true;
  return text !== null && re.test(text.slice(0, MAX_MATCH_INPUT));
}

function needsFacts(rule: CompiledRule): boolean {
  return rule.cmdline !== null || rule.exe !== null || rule.user !== null;
}

function matches(rule: CompiledRule, c: Candidate, facts: () => ProcessFacts | null): boolean {
  const r = rule.rule;
  if (r.uid !== null && r.uid !== c.uid) return false;
  if (!test(rule.comm, c.comm) || !test(rule.cgroup, c.cgroup)) return false;
  if (!needsFacts(rule)) return true;
  const f = facts();
  return f !== null && test(rule.cmdline, f.cmdline) && test(rule.exe, f.exe) && test(rule.user, f.user);
}

const GONE = 'vanished before the rules were checked';

function rule(
  c: Candidate,
  rules: readonly CompiledRule[],
  facts: FactsFn,
  scale: RuleScale,
): RuledCandidate {
  // No rule, or not killable: nothing to match. One literal each, no spreads (this runs for every process).
  if (!c.killable || rules.length === 0) {
    return {
      candidate: c,
      key: c.key,
      adjustPoints: 0,
      adjustKey: 0,
      ignored: false,
      protected: false,
      matched: [],
      excludedBy: c.killable ? null : (c.reason ?? 'not killable'),
    };
  }
  const base = { candidate: c, key: c.key, adjustPoints: 0, adjustKey: 0, ignored: false, protected: false };
  // Facts are read at most once, and only when a rule tests the command line, executable or user.
  let cached: ProcessFacts | null | undefined;
  const lazyFacts = () => {
    if (cached === undefined) cached = facts(c.pid);
    return cached;
  };
  const matched: RuleMatch[] = [];
  for (const r of rules) {
    if (matches(r, c, lazyFacts))
      matched.push({ action: r.rule.action, source: r.rule.source, adjust: r.rule.adjust });
  }
  if (cached === null) return { ...base, matched, excludedBy: GONE };
  const protectedBy = matched.find((m) => m.action === 'protect');
  const ignoredBy = matched.find((m) => m.action === 'ignore');
  const sum = matched.reduce((acc, m) => acc + m.adjust, 0);
  const adjustPoints = Math.max(-1000, Math.min(1000, sum));
  const adjustKey = adjustPoints * keyUnitsPerPoint(scale, c.totalPages);
  const excludedBy = protectedBy
    ? `protected by ${protectedBy.source}`
    : ignoredBy
      ? `ignored by ${ignoredBy.source}`
      : null;
  return {
    candidate: c,
    key: c.key + adjustKey,
    adjustPoints,
    adjustKey,
    ignored: ignoredBy !== undefined,
    protected: protectedBy !== undefined,
    matched,
    excludedBy,
  };
}

/**
 * The candidates in kill order after the rules: eligible ones by adjusted key, highest first (equal keys keep
 * the ranker's order, so its tie-breaking stands), then the excluded ones in the order they came.
 */
export function applyRules(
  rules: readonly CompiledRule[],
  candidates: readonly Candidate[],
  facts: FactsFn,
  scale: RuleScale,
): RuledCandidate[] {
  const ruled = candidates.map((c) => rule(c, rules, facts, scale));
  const eligible = ruled.filter((r) => r.excludedBy === null).sort((a, b) => b.key - a.key);
  return [...eligible, ...ruled.filter((r) => r.excludedBy !== null)];
}
