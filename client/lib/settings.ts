import { DEFAULT_BACKOFF, type BackoffOptions } from "./backoff";
import type { Clock, Random } from "./clock";
import type { RegionClient } from "./regionClient";

/** The knobs of resume and failover, with their defaults below. */
export interface ResumeSettings {
  /** Delay between attempts: full jitter between `minMs` and `maxMs`. */
  backoff: BackoffOptions;
  /** How far before the last message delivered a resume reads history again. */
  overlapMs: number;
  /** A resume reads its history once more this long after (replication may lag). */
  settleMs: number;
  /** Failed attempts in a row in one region before moving to the next (keep-alive loss moves at once). */
  failoverAfter: number;
  /** Away from home, how often home is tried again. */
  homeRetryMs: number;
  /** How many recent message ids a subscription remembers to drop repeats. */
  dedupeCapacity: number;
  /** A publish gives up after retrying this long. */
  publishTimeoutMs: number;
  /** How long history is kept (the stack output `historyRetentionHours`); unknown: no `gap` is reported for age. */
  retentionMs?: number;
}

/**
 * The defaults, and why:
 * - overlap 30 s: DynamoDB global tables replicate "usually within a second" with no SLA, and a
 *   message from another region reaches this one through EventBridge in about as long; 30 s is
 *   tens of times both, so a message published just before the drop but still on its way (or
 *   behind a message from a nearer region) is read again, at the cost of re-reading 30 s of
 *   messages (dropped by id). The resume point is the origin region's own `publishedAt`, so a
 *   client's clock does not move it.
 * - settle 5 s: a second read after a resume, for a message whose live delivery fell in the gap
 *   but whose replica copy arrived after the first read.
 * - failover after 3 failures: one refused connection (a deploy, a blip) does not move a client;
 *   three in a row, 1.5–5 s with the backoff, do.
 * - home retry 60 s: a client stays on the fallback at least a minute (ably-js sticks for 10
 *   minutes), so a flapping home region does not bounce it.
 * - 5,000 ids: live, the overlap re-reads 30 s of messages, so this covers a channel up to ~160
 *   messages/s (a resume's own range is remembered whole until its settle read succeeds).
 */
export const DEFAULT_RESUME_SETTINGS: ResumeSettings = {
  backoff: DEFAULT_BACKOFF,
  overlapMs: 30_000,
  settleMs: 5_000,
  failoverAfter: 3,
  homeRetryMs: 60_000,
  dedupeCapacity: 5_000,
  publishTimeoutMs: 30_000,
};

/** What subscriptions and publishes share with the client that made them. */
export interface ClientContext {
  /** Regions in preference order; the first is home. */
  regions: string[];
  /** False: stay in the home region. */
  failover: boolean;
  client(region: string): RegionClient;
  clock: Clock;
  random: Random;
  settings: ResumeSettings;
}
