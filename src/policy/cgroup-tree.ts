// The memory cgroup tree of a snapshot as the cgroup policies see it: which cgroups below a scope are
// candidates, what each one uses, and which cgroup a kill takes whole. Pure.
import type { CgroupInfo } from '../model/snapshot.js';
import { inScope } from './rank.js';

export type CgroupTree = ReadonlyMap<string, CgroupInfo>;

/** How many levels `path` lies below `scope` ('/a/b' is 2 below '/', 1 below '/a'); `path` must be in scope. */
export function depthBelow(path: string, scope: string): number {
  const count = (p: string) => (p === '/' ? 0 : p.split('/').length - 1);
  return count(path) - count(scope);
}

/** True when no cgroup of the tree lies below `path`. */
export function isLeaf(tree: CgroupTree, path: string): boolean {
  for (const other of tree.keys()) if (other !== path && inScope(other, path)) return false;
  return true;
}

/** The cgroups strictly below `scope`, in path order. */
export function descendants(tree: CgroupTree, scope: string): CgroupInfo[] {
  return [...tree.values()]
    .filter((cg) => cg.path !== scope && inScope(cg.path, scope))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * The cgroups a size policy compares: those `depth` levels below the scope, plus leaves that end higher up (their
 * processes would otherwise never be candidates); or, with 'leaves', every leaf below the scope.
 */
export function candidatesAtDepth(tree: CgroupTree, scope: string, depth: number | 'leaves'): CgroupInfo[] {
  return descendants(tree, scope).filter((cg) => {
    const leaf = isLeaf(tree, cg.path);
    if (depth === 'leaves') return leaf;
    const d = depthBelow(cg.path, scope);
    return d === depth || (d < depth && leaf);
  });
}

/**
 * systemd-oomd's candidates: the cgroups below the scope that are leaves or have memory.oom.group set (the kernel
 * kills those whole anyway).
 */
export function oomdCandidates(tree: CgroupTree, scope: string): CgroupInfo[] {
  return descendants(tree, scope).filter((cg) => cg.oomGroup || isLeaf(tree, cg.path));
}

/** The stat key of inactive page cache: v2 counts hierarchically in `inactive_file`, v1 in `total_inactive_file`. */
export function inactiveFileKey(cg: CgroupInfo): string {
  return cg.version === 2 ? 'inactive_file' : 'total_inactive_file';
}

/** The kubelet's working set: usage − inactive file pages, floored at 0; null without a usage figure. */
export function workingSet(cg: CgroupInfo): number | null {
  if (cg.usage === null) return null;
  return Math.max(0, cg.usage - (cg.stat[inactiveFileKey(cg)] ?? 0));
}

/**
 * The cgroup the kernel would kill whole for a victim in `victimCgroup`: the highest cgroup with memory.oom.group
 * set on the way up from it to the OOM domain `scope`, both included (mm/memcontrol.c mem_cgroup_get_oom_group);
 * null when none has it. The root is never a group.
 */
export function oomGroupOf(tree: CgroupTree, victimCgroup: string, scope: string): string | null {
  let group: string | null = null;
  let path = victimCgroup;
  while (path !== '/' && inScope(path, scope)) {
    if (tree.get(path)?.oomGroup === true) group = path;
    if (path === scope) break;
    path = path.slice(0, path.lastIndexOf('/')) || '/';
  }
  return group;
}
