import type { Random } from "./clock";

/** The bounds of the delay between two attempts. */
export interface BackoffOptions {
  /** The shortest delay (default 500 ms). */
  minMs: number;
  /** The longest delay (default 10 s). */
  maxMs: number;
}

/** centrifuge-js's bounds are 500 ms–20 s; ours stop at 10 s, so a client is back within seconds of its region. */
export const DEFAULT_BACKOFF: BackoffOptions = { minMs: 500, maxMs: 10_000 };

/**
 * The delay before retry number `attempt` (0 for the first): "full jitter" as centrifuge-js draws
 * it, a random interval of up to `minMs · 2^attempt` (capped at `maxMs`) on top of `minMs`, the
 * whole capped at `maxMs`. The jitter spreads a crowd of clients dropped at once over the
 * interval instead of sending them back together (AppSync's real-time guide asks clients for
 * "a jittered exponential backoff").
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: Random): number {
  const step = Math.min(Math.max(attempt, 0), 31);
  const interval = Math.floor(random() * Math.min(options.maxMs, options.minMs * 2 ** step));
  return Math.min(options.maxMs, options.minMs + interval);
}
