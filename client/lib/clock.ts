/**
 * Time and chance, injected so that tests drive them: the resume logic reads the time and sets
 * timers only through a `Clock`, and draws jitter only from a `Random`.
 */

/** An opaque timer handle, as `Clock.setTimeout` returns it. */
export type TimerHandle = unknown;

/** Wall-clock time (epoch milliseconds) and one-shot timers. */
export interface Clock {
  now(): number;
  setTimeout(run: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** A number in [0, 1), as `Math.random` returns. */
export type Random = () => number;

/** The real clock: `Date.now` and the global timers (browser and Node). */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (run, delayMs) => setTimeout(run, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as Parameters<typeof clearTimeout>[0]),
};

/** Resolves after `delayMs` on `clock`. */
export function sleep(clock: Clock, delayMs: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, delayMs));
}
