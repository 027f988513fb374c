// oomguard kube …: the kubelet's memory answers — a container's oom_score_adj, a pod's QoS class, the
// eviction order of pods, whether an eviction threshold is met, and this node's pods in eviction order.
import type { Command } from '@commander-js/extra-typings';
import { readInputFile } from '../host/kube/input-file.js';
import { sampleKubeNode } from '../host/kube/kubepods.js';
import { readPodMetadataFile } from '../host/kube/pod-metadata.js';
import { checkThreshold, parseMinReclaim, parseThresholdValue, workingSet } from '../kube/eviction.js';
import { parseEvictionCandidates } from '../kube/eviction-input.js';
import { rankForEviction } from '../kube/eviction-order.js';
import { JsonInput, parseJson } from '../kube/json-input.js';
import { rankNode } from '../kube/node-rank.js';
import { containerOomScoreAdjFor, podOomScoreAdjs } from '../kube/oom-score-adj.js';
import { readPod } from '../kube/pod.js';
import { parseQosClass, podMemoryRequest, podQosClass } from '../kube/qos.js';
import { formatQuantity, parseQuantity, parseQuantityBytes } from '../kube/quantity.js';
import { renderEvictionOrder, renderNodeRanking } from '../kube/text.js';
import { UsageError } from '../model/errors.js';
import { globalOptions, openHost, writeJson } from './context.js';

const out = (text: string) => process.stdout.write(`${text}\n`);

export function registerKube(program: Command): void {
  const kube = program
    .command('kube')
    .description("Kubernetes answers: a container's oom_score_adj, a pod's QoS, the eviction order of pods");

  kube
    .command('adj')
    .description('the oom_score_adj the kubelet gives a container')
    .requiredOption('--qos <class>', 'guaranteed, burstable or besteffort')
    .option('--request <quantity>', "the container's memory request (burstable), e.g. 512Mi")
    .option('--limit <quantity>', "the container's memory limit (read by --tie-break)")
    .requiredOption(
      '--capacity <quantity>',
      "the node's memory capacity (MemTotal, not allocatable), e.g. 16Gi",
    )
    .option('--critical', 'a container of a system-node-critical pod')
    .option('--tie-break', 'the alpha KubeletOOMScoreAdjTieBreak feature gate')
    .option('--json', 'print JSON')
    .action((opts) => {
      const qos = parseQosClass(opts.qos);
      const capacity = parseQuantity(opts.capacity, '--capacity');
      const request = opts.request === undefined ? null : parseQuantity(opts.request, '--request');
      const limit = opts.limit === undefined ? null : parseQuantity(opts.limit, '--limit');
      if (capacity === 0n) throw new UsageError('--capacity: must be positive');
      if (qos === 'BestEffort' && (request !== null || limit !== null)) {
        throw new UsageError('--request/--limit: a BestEffort container has no memory request or limit');
      }
      if (qos === 'Guaranteed' && request !== null && limit !== null && request !== limit) {
        throw new UsageError('--request/--limit: a Guaranteed container has its request equal to its limit');
      }
      if (request !== null && limit !== null && limit < request) {
        throw new UsageError(
          `--limit: ${opts.limit} is below the request ${opts.request} (the API server rejects it)`,
        );
      }
      const result = containerOomScoreAdjFor(
        {
          qos,
          requestBytes: request ?? 0n,
          limitBytes: limit,
          capacityBytes: capacity,
          nodeCritical: opts.critical === true,
        },
        { tieBreak: opts.tieBreak === true },
      );
      if (opts.json) {
        writeJson({
          qos,
          requestBytes: request === null ? null : Number(request),
          limitBytes: limit === null ? null : Number(limit),
          capacityBytes: Number(capacity),
          critical: opts.critical === true,
          tieBreak: opts.tieBreak === true,
          oomScoreAdj: result.oomScoreAdj,
          steps: result.steps,
        });
      } else {
        out([String(result.oomScoreAdj), ...result.steps.map((s) => `  ${s}`)].join('\n'));
      }
    });

  kube
    .command('qos')
    .description("a pod spec's QoS class (a pod or pod spec as JSON, as the API returns it)")
    .argument('<file>', 'the pod as JSON')
    .option('--capacity <quantity>', "also each container's oom_score_adj on a node of this memory capacity")
    .option('--tie-break', 'the alpha KubeletOOMScoreAdjTieBreak feature gate (with --capacity)')
    .option('--json', 'print JSON')
    .action((file, opts) => {
      const capacity = opts.capacity === undefined ? null : parseQuantity(opts.capacity, '--capacity');
      const pod = readPod(new JsonInput(file), parseJson(readInputFile(file, 'the pod'), file), '');
      const qos = podQosClass(pod);
      const request = podMemoryRequest(pod);
      const containers =
        capacity === null ? null : podOomScoreAdjs(pod, capacity, { tieBreak: opts.tieBreak === true });
      if (opts.json) {
        writeJson({
          name: pod.name,
          qosClass: qos,
          memoryRequestBytes: Number(request),
          containers: containers?.map((c) => ({
            name: c.name,
            kind: c.kind,
            oomScoreAdj: c.oomScoreAdj,
            steps: c.steps,
          })),
        });
        return;
      }
      const lines: string[] = [qos];
      for (const c of containers ?? []) lines.push(`${c.kind} ${c.name}: oom_score_adj ${c.oomScoreAdj}`);
      out(lines.join('\n'));
    });

  kube
    .command('evict-order')
    .description('pods in the order the kubelet evicts them under memory pressure, with the reason for each')
    .argument('<file>', 'JSON list of {name, priority, memoryRequestBytes, workingSetBytes}')
    .option('--json', 'print JSON')
    .action((file, opts) => {
      const ranked = rankForEviction(parseEvictionCandidates(readInputFile(file, 'the pod list'), file));
      if (opts.json) {
        writeJson(
          ranked.map((r) => ({
            position: r.position,
            ...r.pod,
            critical: r.pod.critical ?? null,
            evictable: r.evictable,
            exceedsRequest: r.exceedsRequest,
            overageBytes: r.overageBytes,
            tied: r.tied,
            reason: r.reason,
          })),
        );
      } else {
        out(renderEvictionOrder(ranked));
      }
    });

  kube
    .command('threshold')
    .description('whether a memory.available eviction threshold is met')
    .requiredOption('--capacity <quantity>', "the node's memory capacity")
    .option('--available <quantity>', 'memory.available (capacity − working set)')
    .option('--usage <quantity>', 'instead of --available: memory usage (available = capacity − working set)')
    .option('--inactive-file <quantity>', 'with --usage: inactive_file, subtracted for the working set')
    .requiredOption(
      '--threshold <value>',
      'an amount or a percentage of capacity: 100Mi, 10%, memory.available<5%',
    )
    .option('--min-reclaim <value>', 'evictionMinimumReclaim: an amount or percentage')
    .option('--json', 'print JSON')
    .action((opts) => {
      const capacity = parseQuantityBytes(opts.capacity, '--capacity');
      if (opts.available !== undefined && opts.usage !== undefined) {
        throw new UsageError('--available and --usage: give one of them');
      }
      if (opts.inactiveFile !== undefined && opts.usage === undefined) {
        throw new UsageError('--inactive-file: needs --usage');
      }
      let available: number;
      if (opts.available !== undefined) available = parseQuantityBytes(opts.available, '--available');
      else if (opts.usage !== undefined) {
        const usage = parseQuantityBytes(opts.usage, '--usage');
        const inactive =
          opts.inactiveFile === undefined ? 0 : parseQuantityBytes(opts.inactiveFile, '--inactive-file');
        available = capacity - workingSet(usage, inactive);
      } else throw new UsageError('--available: required (or --usage with --inactive-file)');
      if (available > capacity) {
        throw new UsageError(
          `--available: ${formatQuantity(available)} is more than the capacity ${formatQuantity(capacity)}`,
        );
      }
      const threshold = parseThresholdValue(opts.threshold);
      const minReclaim = opts.minReclaim === undefined ? null : parseMinReclaim(opts.minReclaim);
      if (threshold === null) {
        const reason = `${opts.threshold} disables the threshold (the kubelet ignores 0% and 100%): never met`;
        if (opts.json) writeJson({ met: false, disabled: true, reason });
        else out(`not met\n  ${reason}`);
        return;
      }
      const check = checkThreshold(
        { capacityBytes: capacity, availableBytes: available },
        threshold,
        minReclaim,
      );
      if (opts.json) writeJson({ ...check, disabled: false });
      else out(`${check.met ? 'met' : 'not met'}\n  ${check.reason}`);
    });

  kube
    .command('node')
    .description("this node's pods, from the kubepods cgroup tree, in the kubelet's eviction order")
    .option(
      '--pods <file>',
      "pod metadata: a JSON list of {name, uid, priority, memoryRequestBytes} or the kubelet's /pods",
    )
    .option('--json', 'print JSON')
    .action((opts, cmd) => {
      const metadata = opts.pods === undefined ? null : readPodMetadataFile(opts.pods);
      const host = openHost(globalOptions(cmd));
      try {
        const ranking = rankNode(sampleKubeNode(host), metadata);
        if (opts.json) {
          writeJson({
            ...ranking,
            pods: ranking.pods.map(({ pod, ...rank }) => ({ ...rank, ...pod })),
          });
        } else {
          out(renderNodeRanking(ranking));
        }
      } finally {
        host.close();
      }
    });
}
