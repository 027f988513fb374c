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
