// The kubelet's memory eviction signal and thresholds (Kubernetes pkg/kubelet/eviction, cAdvisor's
// working set): memory.available = capacity − workingSet, compared with hard or soft thresholds given
// as quantities or percentages. Pure.
import { UsageError } from '../model/errors.js';
import { formatQuantity, parseQuantityBytes } from './quantity.js';

/** cAdvisor's container_memory_working_set_bytes: usage − inactive_file, never below 0. */
export function workingSet(usageBytes: number, inactiveFileBytes: number): number {
  return Math.max(usageBytes - inactiveFileBytes, 0);
}

/** The memory.available signal. */
export function memoryAvailable(capacityBytes: number, workingSetBytes: number): number {
  return capacityBytes - workingSetBytes;
}

/** A threshold or minimum-reclaim value: an amount, or a fraction of capacity held as a float32. */
export type ThresholdValue =
  | { readonly kind: 'quantity'; readonly bytes: number; readonly text: string }
  | { readonly kind: 'percentage'; readonly fraction: number; readonly text: string };

const SIGNAL_PREFIX = 'memory.available<';

/**
 * `100Mi`, `10%`, or the kubelet's own `memory.available<100Mi`. The kubelet ignores `0%` and `100%`
 * (they disable the threshold): null. Zero or negative amounts and percentages outside 0–100 are errors.
 */
export function parseThresholdValue(text: string, what = '--threshold'): ThresholdValue | null {
  const value = text.startsWith(SIGNAL_PREFIX) ? text.slice(SIGNAL_PREFIX.length) : text;
  if (value.endsWith('%')) {
    if (value === '0%' || value === '100%') return null;
    const fraction = parsePercentage(value, what);
    if (fraction > 1)
      throw new UsageError(`${what}: a percentage must be at most 100%, got ${JSON.stringify(text)}`);
    return { kind: 'percentage', fraction, text: value };
  }
  const bytes = parseQuantityBytes(value, what);
  if (bytes === 0)
    throw new UsageError(`${what}: the threshold must be positive, got ${JSON.stringify(text)}`);
  return { kind: 'quantity', bytes, text: value };
}

/** evictionMinimumReclaim: an amount or percentage, 0 allowed. */
export function parseMinReclaim(text: string, what = '--min-reclaim'): ThresholdValue {
  if (text.endsWith('%')) return { kind: 'percentage', fraction: parsePercentage(text, what), text };
  return { kind: 'quantity', bytes: parseQuantityBytes(text, what), text };
}

/** The kubelet parses `v%` as float32(v) / 100 in float32 arithmetic. */
function parsePercentage(text: string, what: string): number {
  const number = text.slice(0, -1);
  const v = Number(number);
  if (number.trim() === '' || !Number.isFinite(v)) {
    throw new UsageError(`${what}: expected a percentage such as 10%, got ${JSON.stringify(text)}`);
  }
  if (v < 0) throw new UsageError(`${what}: a percentage must not be negative, got ${JSON.stringify(text)}`);
  return Math.fround(Math.fround(v) / 100);
}

/** The threshold in bytes on this node: a percentage is trunc(capacity × float32 fraction), as Go's int64(). */
export function thresholdBytes(value: ThresholdValue, capacityBytes: number): number {
  return value.kind === 'quantity' ? value.bytes : Math.trunc(capacityBytes * value.fraction);
}

export interface MemoryObservation {
  readonly capacityBytes: number;
  readonly availableBytes: number;
}

export interface ThresholdCheck {
  readonly capacityBytes: number;
  readonly availableBytes: number;
  readonly workingSetBytes: number;
  readonly thresholdBytes: number;
  readonly minReclaimBytes: number;
  /** Met: available is strictly below the threshold. */
  readonly met: boolean;
  /** Met counting the minimum reclaim: a node already evicting goes on while this holds. */
  readonly metWithMinReclaim: boolean;
  /** Once evicting, eviction continues until available reaches this. */
  readonly reclaimTargetBytes: number;
  /** Bytes still to free to reach the target (0 when not met with the minimum reclaim). */
  readonly toReclaimBytes: number;
  readonly reason: string;
}

/** One look at the signal against one threshold, as `oomguard kube threshold` prints it. */
export function checkThreshold(
  observation: MemoryObservation,
  threshold: ThresholdValue,
  minReclaim: ThresholdValue | null = null,
): ThresholdCheck {
  const { capacityBytes, availableBytes } = observation;
  const limit = thresholdBytes(threshold, capacityBytes);
  const reclaim = minReclaim === null ? 0 : thresholdBytes(minReclaim, capacityBytes);
  const target = limit + reclaim;
  const met = limit > availableBytes;
  const metWithMinReclaim = target > availableBytes;
  const q = formatQuantity;
  const thresholdText =
    threshold.kind === 'percentage'
      ? `${threshold.text} of ${q(capacityBytes)} = ${limit} bytes (${q(limit)})`
      : `${q(limit)}`;
  const reason = met
    ? `memory.available ${q(availableBytes)} < ${thresholdText}: met` +
      (reclaim > 0 ? `; eviction continues until available ≥ ${q(target)} (min reclaim ${q(reclaim)})` : '')
    : metWithMinReclaim
      ? `memory.available ${q(availableBytes)} ≥ ${thresholdText}: not met; a node already evicting goes on until ${q(target)} (min reclaim ${q(reclaim)})`
      : `memory.available ${q(availableBytes)} ≥ ${thresholdText}: not met`;
  return {
    capacityBytes,
    availableBytes,
    workingSetBytes: capacityBytes - availableBytes,
    thresholdBytes: limit,
    minReclaimBytes: reclaim,
    met,
    metWithMinReclaim,
    reclaimTargetBytes: target,
    toReclaimBytes: metWithMinReclaim ? target - availableBytes : 0,
    reason,
  };
}

export interface EvictionThreshold {
  readonly value: ThresholdValue;
  readonly minReclaim: ThresholdValue | null;
  /** 0 for a hard threshold; a soft one must hold this long before it drives eviction. */
  readonly gracePeriodMs: number;
}

/** The kubelet's defaults (defaults_linux.go): hard memory.available<100Mi, no soft thresholds. */
export const DEFAULT_EVICTION_HARD: EvictionThreshold = {
  value: { kind: 'quantity', bytes: 100 * 1024 * 1024, text: '100Mi' },
  minReclaim: null,
  gracePeriodMs: 0,
};

/** Met now (available < threshold, + its minimum reclaim when `withMinReclaim`). */
export function thresholdMet(t: EvictionThreshold, o: MemoryObservation, withMinReclaim: boolean): boolean {
  let limit = thresholdBytes(t.value, o.capacityBytes);
  if (withMinReclaim && t.minReclaim !== null) limit += thresholdBytes(t.minReclaim, o.capacityBytes);
  return limit > o.availableBytes;
}

/**
 * The grace period a pod evicted for this threshold gets: 0 for a hard threshold; for a soft one the
 * smaller of the pod's terminationGracePeriodSeconds and evictionMaxPodGracePeriod.
 */
export function podEvictionGraceSeconds(
  t: EvictionThreshold,
  terminationGracePeriodSeconds: number,
  maxPodGracePeriodSeconds: number,
): number {
  return t.gracePeriodMs === 0 ? 0 : Math.min(terminationGracePeriodSeconds, maxPodGracePeriodSeconds);
}
