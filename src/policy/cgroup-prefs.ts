// Per-cgroup preferences of the cgroup policies: prefer / avoid / omit, from `[[cgroup_rules]]` and from the
// systemd-oomd xattrs the host carries as CgroupInfo.oomdPreference. Pure.
//
// They work in tiers, as ManagedOOMPreference and oomd's kill preferences do, not by points: every preferred
// candidate goes before every plain one, every avoided one after, whatever the sizes; an omitted one never goes.
// Omit from any source wins; otherwise the first matching rule decides; otherwise the xattr.
import { MAX_MATCH_INPUT } from '../config/regex.js';
import type { CgroupRuleConfig } from '../config/types.js';
import type { CgroupInfo } from '../model/snapshot.js';

export type CgroupPreference = 'prefer' | 'none' | 'avoid' | 'omit';

export interface CompiledCgroupRule {
  readonly rule: CgroupRuleConfig;
  readonly path: RegExp;
}

export interface ResolvedPreference {
  readonly preference: CgroupPreference;
  /** The rule or xattr that set it; null for none. */
  readonly source: string | null;
}

/** Kill order of the tiers: lower goes first. */
export const PREFERENCE_TIER: Readonly<Record<Exclude<CgroupPreference, 'omit'>, number>> = {
  prefer: 0,
  none: 1,
  avoid: 2,
};

/** RegExps are already checked at config load; compiling cannot fail here. */
export function compileCgroupRules(rules: readonly CgroupRuleConfig[]): CompiledCgroupRule[] {
  return rules.map((rule) => ({ rule, path: new RegExp(rule.path) }));
}

export function cgroupPreference(cg: CgroupInfo, rules: readonly CompiledCgroupRule[]): ResolvedPreference {
  const matching = rules.filter((r) => r.path.test(cg.path.slice(0, MAX_MATCH_INPUT)));
  const xattr = cg.oomdPreference;
  if (xattr === 'omit') return { preference: 'omit', source: 'xattr user.oomd_omit' };
  const omit = matching.find((r) => r.rule.action === 'omit');
  if (omit) return { preference: 'omit', source: omit.rule.source };
  const first = matching[0];
  if (first) return { preference: first.rule.action, source: first.rule.source };
  if (xattr === 'avoid') return { preference: 'avoid', source: 'xattr user.oomd_avoid' };
  return { preference: 'none', source: null };
}
