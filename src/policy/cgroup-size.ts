// The `cgroup` policy's order: the cgroup that uses the most memory first (the cgroup-aware OOM killer's rule),
// measured as usage or as working set (usage − inactive file), among the cgroups at a depth below the scope or
// among the leaves. Pure.
import type { CgroupPolicyConfig } from '../config/types.js';
import type { Snapshot } from '../model/snapshot.js';
import { formatMiB } from '../score/pages.js';
import type { CompiledCgroupRule } from './cgroup-prefs.js';
import { type CgroupRanking, orderCgroups, type ScoredCgroup } from './cgroup-ranking.js';
import { candidatesAtDepth, inactiveFileKey, workingSet } from './cgroup-tree.js';

export type CgroupSizeSettings = Pick<CgroupPolicyConfig, 'measure' | 'depth'>;

export function rankCgroupsBySize(
  snap: Snapshot,
  scope: string,
  settings: CgroupSizeSettings,
  rules: readonly CompiledCgroupRule[],
): CgroupRanking {
  const scored = candidatesAtDepth(snap.cgroups, scope, settings.depth).map((cg): ScoredCgroup => {
    const inactiveKey = inactiveFileKey(cg);
    const inactive = cg.stat[inactiveKey] ?? 0;
    const ws = workingSet(cg);
    const used = settings.measure === 'usage' ? cg.usage : ws;
    if (cg.usage === null || used === null) {
      return { cg, figures: {}, keys: [], why: 'no usage figure', excludedBy: 'no memory usage figure' };
    }
    return {
      cg,
      figures: { usage: cg.usage, inactiveFile: inactive, workingSet: ws ?? 0 },
      keys: [used],
      why:
        settings.measure === 'usage'
          ? `usage ${formatMiB(cg.usage)}`
          : `working set ${formatMiB(used)} (usage ${formatMiB(cg.usage)} − ${inactiveKey} ${formatMiB(inactive)})`,
      excludedBy: null,
    };
  });
  return { policy: 'cgroup', scope, trigger: null, cgroups: orderCgroups(scored, rules) };
}
