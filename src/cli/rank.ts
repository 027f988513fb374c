// oomguard rank: the candidates in kill order with every factor.

import { setTimeout as sleep } from 'node:timers/promises';
import { type Command, Option } from '@commander-js/extra-typings';
import { DEFAULT_CONFIG } from '../config/defaults.js';
import type { CgroupPolicyConfig, KillUnit } from '../config/types.js';
import type { Host } from '../host/host.js';
import { readPodMetadataFile } from '../host/kube/pod-metadata.js';
import { readUserNames } from '../host/linux/passwd.js';
import { sampleForRanking } from '../host/ranking-sample.js';
import { UsageError } from '../model/errors.js';
import {
  type CgroupPolicyName,
  isCgroupPolicy,
  POLICY_NAMES,
  RANKER_NAMES,
  type RankerName,
} from '../model/ranking.js';
import type { Snapshot } from '../model/snapshot.js';
import { safeText } from '../observe/text/escape.js';
import { renderRankingTable } from '../observe/text/ranking-table.js';
import { cgroupRankReport, formatCgroupRank } from '../policy/cgroup-explain.js';
import { needsHistory } from '../policy/cgroup-policy.js';
import { rankProcesses } from '../policy/rank.js';
import { type Selection, selectVictim } from '../policy/select.js';
import { globalOptions, openHost, parseCgroupPath, parsePositiveInt, writeJson } from './context.js';

export const RANKERS: readonly RankerName[] = RANKER_NAMES;

/** Rates and growth need an earlier sample: a history policy samples twice, this far apart. */
const HISTORY_SAMPLE_MS = 1000;

/** The options a cgroup policy takes on `rank` and `explain`. */
export interface CgroupPolicyOptions {
  readonly cgroupDepth?: string;
  readonly measure?: 'usage' | 'working-set';
  readonly unit?: KillUnit;
  /** The kube policy's pod metadata file. */
  readonly kubePods?: string;
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
export async function selectWithCgroupPolicy(
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

export function registerRank(program: Command): void {
  program
    .command('rank')
    .description('list processes in the order they would be killed, with every factor')
    .option('--json', 'print a JSON array in kill order')
    .option('--top <n>', 'only the first N killable candidates')
    .option(
      '--cgroup <path>',
      "only this memory cgroup's subtree, scored as a memcg OOM in it (path as in /proc/PID/cgroup)",
    )
    .addOption(
      new Option('--policy <name>', 'ranker or cgroup policy')
        .choices(POLICY_NAMES)
        .default('kernel' as const),
    )
    .option('--no-kernel-score', "do not read the kernel's own oom_score beside the model's")
    .option(
      '--cgroup-depth <n>',
      'cgroup policies: candidates N levels below the scope, or "leaves" (default 1)',
    )
    .addOption(
      new Option('--measure <what>', 'cgroup policy: what a cgroup uses').choices([
        'usage',
        'working-set',
      ] as const),
    )
    .addOption(
      new Option('--unit <unit>', 'cgroup policies: what a kill takes').choices([
        'process',
        'process-group',
        'cgroup',
      ] as const),
    )
    .option('--kube-pods <file>', 'kube policy: pod metadata (names, priorities, requests) as JSON')
    .action(async (opts, cmd) => {
      const top = opts.top === undefined ? undefined : parsePositiveInt('--top', opts.top);
      const cgroup = opts.cgroup === undefined ? null : parseCgroupPath(opts.cgroup);
      const g = globalOptions(cmd);
      const host = openHost(g);
      try {
        const policy = opts.policy;
        if (isCgroupPolicy(policy)) {
          const { snap, selection } = await selectWithCgroupPolicy(host, policy, cgroup, {
            ...opts,
            kernelOomScore: opts.kernelScore,
          });
          const report = cgroupRankReport(selection, snap, opts.unit ?? DEFAULT_CONFIG.killUnit);
          if (opts.json)
            writeJson(top === undefined ? report : { ...report, cgroups: report.cgroups.slice(0, top) });
          else
            process.stdout.write(`${formatCgroupRank(report, top).split('\n').map(safeText).join('\n')}\n`);
          return;
        }
        const snap = sampleForRanking(host, { cgroup, kernelOomScore: opts.kernelScore });
        const ranking = rankProcesses(snap, { ranker: policy, cgroup });
        if (opts.json) {
          const list =
            top === undefined
              ? ranking.candidates
              : ranking.candidates.filter((c) => c.killable).slice(0, top);
          writeJson(list);
        } else {
          process.stdout.write(`${renderRankingTable(ranking, readUserNames(g.root), top)}\n`);
        }
      } finally {
        host.close();
      }
    });
}
