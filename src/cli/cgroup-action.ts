// rank and explain under a cgroup policy. Its own module so that plain ranking, the common case, does not
// load the cgroup policies (about 13 ms of CPU at start-up).
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_CONFIG } from '../config/defaults.js';
import type { CgroupPolicyConfig, KillUnit } from '../config/types.js';
import type { Host } from '../host/host.js';
import { readPodMetadataFile } from '../host/kube/pod-metadata.js';
import { sampleForRanking } from '../host/ranking-sample.js';
import { UsageError } from '../model/errors.js';
import type { CgroupPolicyName } from '../model/ranking.js';
import type { Snapshot } from '../model/snapshot.js';
import { safeText } from '../observe/text/escape.js';
import { renderExplanation } from '../observe/text/explanation.js';
import { cgroupRankReport, explainCgroupChoice, formatCgroupRank } from '../policy/cgroup-explain.js';
import { needsHistory } from '../policy/cgroup-policy.js';
import { explainProcess } from '../policy/explain.js';
import { type Selection, selectVictim } from '../policy/select.js';
import { writeJson } from './context.js';

/** Rates and growth need an earlier sample: a history policy samples twice, this far apart. */
const HISTORY_SAMPLE_MS = 1000;

/** The options a cgroup policy takes on `rank` and `explain`. */
export interface CgroupPolicyOptions {
  readonly cgroupDepth?: string;
  readonly measure?: 'usage' | 'working-set';
  readonly unit?: KillUnit;
  /** The kube policy's pod metadata file. */
  readonly kubePods?: string;
  readonly json?: true;
}

function cgroupSettings(opts: CgroupPolicyOptions): CgroupPolicyConfig {
  const d = DEFAULT_CONFIG.cgroupSettings;
  let depth = d.depth;
  if (opts.cgroupDepth !== undefined) {
    depth = opts.cgroupDepth === 'leaves' ? 'leaves' : Number(opts.cgroupDepth);
    if (depth !== 'leaves' && (!/^\d+$/.test(opts.cgroupDepth) || depth < 1 || depth > 64)) {
      throw new UsageError(
        `--cgroup-depth: expected a number of levels from 1 to 64, or "leaves", got "${opts.cgroupDepth}"`,
      );
    }
  }
  return { ...d, depth, measure: opts.measure ?? d.measure };
}

/** A cgroup policy's selection on a fresh sample (two, a second apart, for the policies that need history). */
async function selectWithCgroupPolicy(
  host: Host,
  policy: CgroupPolicyName,
  cgroup: string | null,
  opts: CgroupPolicyOptions & { readonly kernelOomScore: boolean },
): Promise<{ snap: Snapshot; selection: Selection }> {
  // A file named on the command line must be readable: unlike the daemon, a one-off answer does not fall back.
  const podMetadata =
    policy === 'kube' && opts.kubePods !== undefined ? readPodMetadataFile(opts.kubePods) : null;
  const sample = () =>
    sampleForRanking(host, { cgroup, kernelOomScore: opts.kernelOomScore, cgroupTree: true });
  const history: Snapshot[] = [];
  if (needsHistory(policy)) {
    history.push(sample());
    await sleep(HISTORY_SAMPLE_MS);
  }
  const snap = sample();
  const settings = {
    ranker: 'kernel' as const,
    scopeCgroup: cgroup,
    cgroupPolicy: policy,
    cgroupSettings: cgroupSettings(opts),
    cgroupRules: [],
    killUnit: opts.unit ?? DEFAULT_CONFIG.killUnit,
    podMetadata,
  };
  // No rules here, so no process facts are ever asked for.
  return { snap, selection: selectVictim(snap, settings, [], () => null, history) };
}

/** `rank --policy CGROUP-POLICY`: the cgroups in the order the policy would choose them. */
export async function rankCgroups(
  host: Host,
  policy: CgroupPolicyName,
  cgroup: string | null,
  top: number | undefined,
  opts: CgroupPolicyOptions & { readonly kernelScore: boolean },
): Promise<void> {
  const { snap, selection } = await selectWithCgroupPolicy(host, policy, cgroup, {
    ...opts,
    kernelOomScore: opts.kernelScore,
  });
  const report = cgroupRankReport(selection, snap, opts.unit ?? DEFAULT_CONFIG.killUnit);
  if (opts.json) writeJson(top === undefined ? report : { ...report, cgroups: report.cgroups.slice(0, top) });
  else process.stdout.write(`${formatCgroupRank(report, top).split('\n').map(safeText).join('\n')}\n`);
}

/** `explain PID --policy CGROUP-POLICY`: why its cgroup was (or was not) chosen, then the process itself. */
export async function explainInCgroups(
  host: Host,
  policy: CgroupPolicyName,
  cgroup: string | null,
  pid: number,
  opts: CgroupPolicyOptions,
): Promise<void> {
  const { snap, selection } = await selectWithCgroupPolicy(host, policy, cgroup, {
    ...opts,
    kernelOomScore: true,
  });
  const why = explainCgroupChoice(snap, pid, selection);
  // The process among the scope's processes.
  const expl = explainProcess(snap, pid, { ranker: 'kernel', cgroup });
  if (opts.json) writeJson({ cgroup: why, process: expl });
  else process.stdout.write(`${why.lines.map(safeText).join('\n')}\n\n${renderExplanation(expl)}\n`);
}
