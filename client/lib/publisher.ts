import { backoffDelay } from "./backoff";
import { sleep } from "./clock";
import { isPermanent } from "./errors";
import type { DecodedMessage } from "./operations";
import type { ClientContext } from "./settings";

/** A publish attempt failed and will be tried again, in `nextRegion`, in `retryInMs`. */
export interface PublishRetry {
  region: string;
  nextRegion: string;
  error: Error;
  retryInMs: number;
}

/** How one message is published. */
export interface PublishOptions {
  /** The message's id (1–128 of `A-Z a-z 0-9 _ . : -`); generated when not given. Every retry reuses it. */
  id?: string;
  /** Called before each retry. */
  onRetry?: (retry: PublishRetry) => void;
}

/**
 * Publishes with retries and failover, as a subscription resumes: one id per message, reused by
 * every attempt, so the API stores it once however often it is sent (and subscribers drop a repeat
 * by id, history on or off). Temporary failures are retried with full-jitter backoff; after
 * `failoverAfter` in a row in one region the next region is tried; a permanent refusal is thrown
 * at once; after `publishTimeoutMs` the last error is thrown. Once away from home, the publisher
 * stays where publishing worked and tries home again at the first publish `homeRetryMs` later.
 */
export class Publisher {
  private current = 0;
  private homeRetryAt = 0;

  constructor(
    private readonly context: ClientContext,
    private readonly newId: () => string,
  ) {}

  private get regions(): string[] {
    return this.context.failover ? this.context.regions : this.context.regions.slice(0, 1);
  }

  async publish(channel: string, data: unknown, options: PublishOptions = {}): Promise<DecodedMessage> {
    const id = options.id ?? this.newId();
    const { clock, random, settings } = this.context;
    const started = clock.now();
    let index = this.current;
    let tryingHome = index !== 0 && clock.now() >= this.homeRetryAt;
    if (tryingHome) index = 0;
    let failuresHere = 0;
    let attempt = 0;
    for (;;) {
      const region = this.regions[index];
      try {
        const message = await this.context.client(region).publish(channel, data, id);
        if (index !== this.current && index !== 0) this.homeRetryAt = clock.now() + settings.homeRetryMs;
        this.current = index;
        return message;
      } catch (error) {
        if (isPermanent(error)) throw error;
        let retryInMs: number;
        if (tryingHome) {
          // Home still fails: straight back to the region that worked, and home again later.
          tryingHome = false;
          index = this.current;
          this.homeRetryAt = clock.now() + settings.homeRetryMs;
          retryInMs = 0;
        } else {
          failuresHere += 1;
          const switching = this.regions.length > 1 && failuresHere >= settings.failoverAfter;
          if (switching) {
            index = (index + 1) % this.regions.length;
            failuresHere = 0;
          }
          // As a subscription does: a new region gets the shortest delay, the attempts go on counting.
          retryInMs = backoffDelay(switching ? 0 : attempt, settings.backoff, random);
          attempt += 1;
        }
        if (clock.now() - started + retryInMs > settings.publishTimeoutMs) throw error;
        options.onRetry?.({ region, nextRegion: this.regions[index], error: error as Error, retryInMs });
        await sleep(clock, retryInMs);
      }
    }
  }
}
