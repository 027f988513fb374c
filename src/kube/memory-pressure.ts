// The eviction manager's memory loop as a pure state machine (Kubernetes pkg/kubelet/eviction
// eviction_manager.go synchronize): one step per monitoring cycle, time from the caller's clock.
//   1. thresholds met now; thresholds met last cycle stay met until available passes threshold + minReclaim;
//   2. each remembers when it was first observed; MemoryPressure holds while one was observed within
//      the transition period;
//   3. only thresholds whose grace period has elapsed drive eviction (one pod per cycle).
import { type EvictionThreshold, type MemoryObservation, thresholdMet } from './eviction.js';

export interface MemoryPressureConfig {
  readonly thresholds: readonly EvictionThreshold[];
  /** evictionPressureTransitionPeriod: 5 minutes by default. */
  readonly pressureTransitionPeriodMs: number;
}

export const DEFAULT_PRESSURE_TRANSITION_PERIOD_MS = 5 * 60 * 1000;

export interface MemoryPressureState {
  /** Threshold index → when it was first seen met (in the current unbroken run). */
  readonly firstObservedAtMs: ReadonlyMap<number, number>;
  /** When the MemoryPressure condition was last observed; null: never. */
  readonly pressureLastObservedAtMs: number | null;
  /** Indexes of the thresholds that drove eviction last cycle: minimum reclaim applies to them. */
  readonly thresholdsMet: readonly number[];
}

export const INITIAL_MEMORY_PRESSURE_STATE: MemoryPressureState = {
  firstObservedAtMs: new Map(),
  pressureLastObservedAtMs: null,
  thresholdsMet: [],
};

export interface MemoryPressureStep {
  readonly state: MemoryPressureState;
  /** The node condition: new BestEffort pods are refused while it is true. */
  readonly memoryPressure: boolean;
  /** Indexes of the thresholds met this cycle, grace periods aside (minimum reclaim included). */
  readonly observed: readonly number[];
  /** Indexes of the thresholds whose grace period has elapsed: these evict. */
  readonly active: readonly number[];
  /** True when this cycle evicts (at most one pod). */
  readonly evict: boolean;
}

export function stepMemoryPressure(
  config: MemoryPressureConfig,
  state: MemoryPressureState,
  observation: MemoryObservation,
  nowMs: number,
): MemoryPressureStep {
  const observed = config.thresholds.flatMap((t, i) =>
    thresholdMet(t, observation, false) ||
    (state.thresholdsMet.includes(i) && thresholdMet(t, observation, true))
      ? [i]
      : [],
  );
  const firstObservedAtMs = new Map<number, number>();
  for (const i of observed) firstObservedAtMs.set(i, state.firstObservedAtMs.get(i) ?? nowMs);
  const pressureLastObservedAtMs = observed.length > 0 ? nowMs : state.pressureLastObservedAtMs;
  const memoryPressure =
    pressureLastObservedAtMs !== null && nowMs - pressureLastObservedAtMs < config.pressureTransitionPeriodMs;
  const active = observed.filter((i) => {
    const since = firstObservedAtMs.get(i) ?? nowMs;
    return nowMs - since >= (config.thresholds[i]?.gracePeriodMs ?? 0);
  });
  return {
    state: { firstObservedAtMs, pressureLastObservedAtMs, thresholdsMet: active },
    memoryPressure,
    observed,
    active,
    evict: active.length > 0,
  };
}
