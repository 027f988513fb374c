// oomguard explain, run: sample, explain, print. Loaded only when `explain` runs.
import { sampleForRanking } from '../host/ranking-sample.js';
import { UsageError } from '../model/errors.js';
import { isCgroupPolicy } from '../model/ranking.js';
import { renderExplanation } from '../observe/text/explanation.js';
import { explainProcess } from '../policy/explain.js';
import { globalOptions, type HasGlobals, openHost, parseCgroupPath, writeJson } from './context.js';
import type { ExplainOptions } from './explain.js';
import { lazy } from './lazy.js';

// The cgroup policies load only when one is asked for: plain ranking, the common case, does not need them.
const cgroupAction = lazy(() => import('./cgroup-action.js'));

export async function explain(pidArg: string, opts: ExplainOptions, cmd: HasGlobals): Promise<void> {
  const pid = Number(pidArg);
  if (!/^\d+$/.test(pidArg) || pid < 1 || !Number.isSafeInteger(pid)) {
    throw new UsageError(`explain: expected a process id (a positive whole number), got "${pidArg}"`);
  }
  const cgroup = opts.cgroup === undefined ? null : parseCgroupPath(opts.cgroup);
  const host = openHost(globalOptions(cmd));
  try {
    const policy = opts.policy;
    if (isCgroupPolicy(policy)) {
      await (await cgroupAction()).explainInCgroups(host, policy, cgroup, pid, opts);
      return;
    }
    let snap = sampleForRanking(host, { cgroup, kernelOomScore: true });
    if (cgroup !== null && !snap.processes.some((p) => p.pid === pid)) {
      // The scoped sample holds only the subtree: the whole table tells "outside the cgroup" from "no such process".
      snap = { ...snap, processes: host.sample({ processes: true, kernelOomScore: true }).processes };
    }
    const expl = explainProcess(snap, pid, { ranker: policy, cgroup });
    if (opts.json) writeJson(expl);
    else process.stdout.write(`${renderExplanation(expl)}\n`);
  } finally {
    host.close();
  }
}
