// oomguard kube …: the kubelet's memory answers — a container's oom_score_adj, a pod's QoS class, the
// eviction order of pods, whether an eviction threshold is met, and this node's pods in eviction order.
// Only the definitions live here: the Kubernetes models (kube-action.ts) load when a kube command runs.
import type { Command } from '@commander-js/extra-typings';
import { lazy } from './lazy.js';

const action = lazy(() => import('./kube-action.js'));

type Kube = ReturnType<typeof kubeCommand>;

function kubeCommand(program: Command) {
  return program
    .command('kube')
    .description("Kubernetes answers: a container's oom_score_adj, a pod's QoS, the eviction order of pods");
}

function adjCommand(kube: Kube) {
  return kube
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
    .option('--json', 'print JSON');
}

function qosCommand(kube: Kube) {
  return kube
    .command('qos')
    .description("a pod spec's QoS class (a pod or pod spec as JSON, as the API returns it)")
    .argument('<file>', 'the pod as JSON')
    .option('--capacity <quantity>', "also each container's oom_score_adj on a node of this memory capacity")
    .option('--tie-break', 'the alpha KubeletOOMScoreAdjTieBreak feature gate (with --capacity)')
    .option('--json', 'print JSON');
}

function evictOrderCommand(kube: Kube) {
  return kube
    .command('evict-order')
    .description('pods in the order the kubelet evicts them under memory pressure, with the reason for each')
    .argument('<file>', 'JSON list of {name, priority, memoryRequestBytes, workingSetBytes}')
    .option('--json', 'print JSON');
}

function thresholdCommand(kube: Kube) {
  return kube
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
    .option('--json', 'print JSON');
}

function nodeCommand(kube: Kube) {
  return kube
    .command('node')
    .description("this node's pods, from the kubepods cgroup tree, in the kubelet's eviction order")
    .option(
      '--pods <file>',
      "pod metadata: a JSON list of {name, uid, priority, memoryRequestBytes} or the kubelet's /pods",
    )
    .option('--json', 'print JSON');
}

type OptionsOf<F extends (kube: Kube) => { opts(): unknown }> = ReturnType<ReturnType<F>['opts']>;
export type KubeAdjOptions = OptionsOf<typeof adjCommand>;
export type KubeQosOptions = OptionsOf<typeof qosCommand>;
export type KubeEvictOrderOptions = OptionsOf<typeof evictOrderCommand>;
export type KubeThresholdOptions = OptionsOf<typeof thresholdCommand>;
export type KubeNodeOptions = OptionsOf<typeof nodeCommand>;

export function registerKube(program: Command): void {
  const kube = kubeCommand(program);
  adjCommand(kube).action(async (opts) => {
    (await action()).adjAction(opts);
  });
  qosCommand(kube).action(async (file, opts) => {
    (await action()).qosAction(file, opts);
  });
  evictOrderCommand(kube).action(async (file, opts) => {
    (await action()).evictOrderAction(file, opts);
  });
  thresholdCommand(kube).action(async (opts) => {
    (await action()).thresholdAction(opts);
  });
  nodeCommand(kube).action(async (opts, cmd) => {
    (await action()).nodeAction(opts, cmd);
  });
}
