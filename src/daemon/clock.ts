// Time for the daemon: the real monotonic clock, or a fake one tests advance by hand.

export interface Clock {
  /** Milliseconds, monotonic. */
  now(): number;
  /** Resolve after ms, or earlier when `wake` resolves (a PSI event). */
  sleep(ms: number, wake?: Promise<unknown>): Promise<void>;
}

export const realClock: Clock = {
  now: () => performance.now(),
  sleep(ms, wake) {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake?.then(
        () => {
          clearTimeout(timer);
          resolve();
        },
        () => undefined,
      );
    });
  },
};

/**
 * A wake-up source that allows one wait at a time (a PSI trigger) made safe for the loop: when the sleep's
 * timer wins, that wait is still running, and the next sleep shares it instead of starting a second one
 * (which the source refuses). A shared wait may end before the new sleep would: the loop then looks early.
 */
export function sharedWake(
  wait: (timeoutMs: number) => Promise<unknown>,
): (timeoutMs: number) => Promise<unknown> {
  let running: Promise<unknown> | null = null;
  return (timeoutMs) => {
    running ??= wait(timeoutMs).finally(() => {
      running = null;
    });
    return running;
  };
}
