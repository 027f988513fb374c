// A PSI trigger over time: it fires only once the average has stayed above the limit, without a dip, for the
// whole duration (systemd-oomd's limit + duration, nohang's excess duration). Pure: state in, state out.
import type { PsiTriggerConfig } from '../config/types.js';
import type { Psi, Snapshot } from '../model/snapshot.js';

export interface PsiTriggerState {
  /** Time of the first reading of the current unbroken run above the limit; null = not above. */
  readonly aboveSinceMs: number | null;
}

export const PSI_TRIGGER_IDLE: PsiTriggerState = { aboveSinceMs: null };

export interface PsiTriggerStep {
  readonly state: PsiTriggerState;
  readonly fired: boolean;
  /** How long the value has been above the limit, in ms (0 when not above). */
  readonly aboveForMs: number;
  /** The value read, null when there was none. */
  readonly value: number | null;
  readonly why: string;
}

function describe(trigger: PsiTriggerConfig): string {
  const where = trigger.cgroup === null ? 'memory' : `${trigger.cgroup} memory`;
  return `${where} ${trigger.line} ${trigger.window}`;
}

/**
 * Feeds one reading. "Above" is strictly greater than the limit. A reading at or below the limit, a missing
 * reading (the file or the cgroup is gone) or a clock that went backwards ends the run. Once the run has lasted
 * the duration the trigger fires, and keeps firing at each reading while the run lasts.
 */
export function stepPsiTrigger(
  state: PsiTriggerState,
  timeMs: number,
  value: number | null,
  trigger: PsiTriggerConfig,
): PsiTriggerStep {
  const name = describe(trigger);
  if (value === null) {
    return { state: PSI_TRIGGER_IDLE, fired: false, aboveForMs: 0, value, why: `${name}: no reading` };
  }
  if (value <= trigger.limit) {
    return {
      state: PSI_TRIGGER_IDLE,
      fired: false,
      aboveForMs: 0,
      value,
      why: `${name} = ${value} ≤ ${trigger.limit}`,
    };
  }
  const since = state.aboveSinceMs !== null && state.aboveSinceMs <= timeMs ? state.aboveSinceMs : timeMs;
  const aboveForMs = timeMs - since;
  const fired = aboveForMs >= trigger.durationMs;
  const why = fired
    ? `${name} = ${value} > ${trigger.limit} for ${aboveForMs} ms (≥ ${trigger.durationMs} ms) → ${trigger.level}`
    : `${name} = ${value} > ${trigger.limit} for ${aboveForMs} ms of ${trigger.durationMs} ms`;
  return { state: { aboveSinceMs: since }, fired, aboveForMs, value, why };
}

/** The configured average from a PSI file; null when the file or its `full` line is absent. */
export function psiValue(psi: Psi | null, trigger: Pick<PsiTriggerConfig, 'line' | 'window'>): number | null {
  const line = psi === null ? null : trigger.line === 'some' ? psi.some : psi.full;
  return line === null ? null : line[trigger.window];
}

/** The PSI file a trigger reads from a snapshot: /proc/pressure/memory or the cgroup's memory.pressure. */
export function psiForTrigger(snapshot: Snapshot, trigger: PsiTriggerConfig): Psi | null {
  if (trigger.cgroup === null) return snapshot.psi.memory;
  return snapshot.cgroups.get(trigger.cgroup)?.pressure ?? null;
}

/** Steps every trigger with one snapshot; `states` holds one state per trigger, in the same order. */
export function stepPsiTriggers(
  states: readonly PsiTriggerState[],
  snapshot: Snapshot,
  triggers: readonly PsiTriggerConfig[],
): PsiTriggerStep[] {
  return triggers.map((trigger, i) =>
    stepPsiTrigger(
      states[i] ?? PSI_TRIGGER_IDLE,
      snapshot.timeMs,
      psiValue(psiForTrigger(snapshot, trigger), trigger),
      trigger,
    ),
  );
}
