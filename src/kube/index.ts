// The Kubernetes half of the library: quantities, QoS, oom_score_adj, eviction signal and order, and
// the node ranking. Everything here is pure; host/kube reads the files.
export { type CgroupDriver, type KubeCgroup, kubeCgroupOf } from './cgroup-path.js';
export { criticalReason, isNodeCriticalPod, SYSTEM_CRITICAL_PRIORITY } from './critical.js';
export {
  checkThreshold,
  DEFAULT_EVICTION_HARD,
  type EvictionThreshold,
  type MemoryObservation,
  memoryAvailable,
  parseMinReclaim,
  parseThresholdValue,
  podEvictionGraceSeconds,
  type ThresholdCheck,
  type ThresholdValue,
  thresholdBytes,
  thresholdMet,
  workingSet,
} from './eviction.js';
export {
  compareForEviction,
  type EvictionCandidate,
  type RankedForEviction,
  rankForEviction,
} from './eviction-order.js';
export { JsonInput } from './json-input.js';
export {
  DEFAULT_PRESSURE_TRANSITION_PERIOD_MS,
  INITIAL_MEMORY_PRESSURE_STATE,
  type MemoryPressureConfig,
  type MemoryPressureState,
  type MemoryPressureStep,
  stepMemoryPressure,
} from './memory-pressure.js';
export {
  cgroupWorkingSet,
  type NodeContainer,
  type NodePod,
  type NodeProcess,
  type NodeRanking,
  rankNode,
  type WorkingSetSource,
} from './node-rank.js';
export {
  type AdjOptions,
  type AdjResult,
  BEST_EFFORT_OOM_SCORE_ADJ,
  type ContainerAdj,
  containerOomScoreAdjFor,
  GUARANTEED_OOM_SCORE_ADJ,
  KUBE_PROXY_OOM_SCORE_ADJ,
  KUBELET_OOM_SCORE_ADJ,
  maxTieBreakNudge,
  PAUSE_OOM_SCORE_ADJ,
  podOomScoreAdjs,
  type SingleContainer,
} from './oom-score-adj.js';
export { type ContainerSpec, type PodSpec, readPod } from './pod.js';
export { type PodMetadata, parsePodMetadata } from './pod-metadata.js';
export {
  aggregateContainerMemoryRequest,
  parseQosClass,
  podMemoryRequest,
  podQosClass,
  type QosClass,
} from './qos.js';
export { formatQuantity, parseExactQuantity, parseQuantity, parseQuantityBytes } from './quantity.js';
