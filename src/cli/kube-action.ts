// oomguard kube …, run: each subcommand's answer, printed as text or JSON.
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
import { globalOptions, type HasGlobals, openHost, writeJson } from './context.js';
import type {
  KubeAdjOptions,
  KubeEvictOrderOptions,
  KubeNodeOptions,
  KubeQosOptions,
  KubeThresholdOptions,
} from './kube.js';

const out = (text: string) => process.stdout.write(`${text}\n`);

export function adjAction(opts: KubeAdjOptions): void {
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
}

export function qosAction(file: string, opts: KubeQosOptions): void {
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
}

export function evictOrderAction(file: string, opts: KubeEvictOrderOptions): void {
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
}

export function thresholdAction(opts: KubeThresholdOptions): void {
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
  const check = checkThreshold({ capacityBytes: capacity, availableBytes: available }, threshold, minReclaim);
  if (opts.json) writeJson({ ...check, disabled: false });
  else out(`${check.met ? 'met' : 'not met'}\n  ${check.reason}`);
}

export function nodeAction(opts: KubeNodeOptions, cmd: HasGlobals): void {
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
}
