import { randomUUID } from "crypto";
import type { AppSyncTarget, RouteRule } from "../../infra/routing";
import { matchesEventPattern, type BusEvent } from "./eventPattern";

/** One entry of a PutEvents call, as the EventBridge data source sends it. */
export interface PutEventsEntry {
  readonly source?: unknown;
  readonly detailType?: unknown;
  readonly detail?: unknown;
  readonly resources?: unknown;
  readonly time?: unknown;
}

/** PutEvents' answer: one entry per event, in order, with `ErrorCode` on those refused. */
export interface PutEventsResult {
  readonly Entries: { EventId?: string; ErrorCode?: string; ErrorMessage?: string }[];
  readonly FailedEntryCount: number;
}

/** Runs an AppSync target: the operation with these variables on the target region's API; resolves to its GraphQL errors (empty = delivered). */
export type AppSyncInvoker = (target: AppSyncTarget, variables: Record<string, unknown>) => Promise<{ message: string }[]>;

/** An event that a target did not take after every retry. */
export interface DeadLetter {
  readonly rule: string;
  readonly target: string;
  readonly event: BusEvent;
  readonly error: string;
  readonly attempts: number;
}

/** How a bus delivers. */
export interface BusOptions {
  readonly region: string;
  readonly account: string;
  /** The routing plan's rules for this region. */
  readonly rules: readonly RouteRule[];
  /** Delay added to each bus-to-bus hop, to make cross-region latency visible. */
  readonly latencyMs: number;
  /** Retries after a failed target call (EventBridge's `maximumRetryAttempts`). */
  readonly retryAttempts: number;
  /** First retry delay; doubled each attempt, up to MAX_RETRY_DELAY_MS. */
  readonly retryDelayMs: number;
  /** Give up on an event this old (EventBridge's `maximumEventAgeInSeconds`). */
  readonly maxEventAgeMs: number;
  readonly log: (line: string) => void;
}

const MAX_RETRY_DELAY_MS = 5_000;

/** Dead letters kept per region (the newest): a long outage must not grow the runtime without bound (*ours*). */
export const MAX_DEAD_LETTERS = 1_000;

/** AWS accepts at most this many entries in one PutEvents call. */
export const MAX_ENTRIES_PER_PUT = 10;

/**
 * The most a PutEvents call may carry, in the entry size EventBridge calculates: "The total entry
 * size must be less than 256KB" (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html).
 */
export const MAX_PUT_EVENTS_BYTES = 256 * 1024;

const utf8Bytes = (value: unknown) => (typeof value === "string" ? Buffer.byteLength(value) : 0);

/** An entry's size as EventBridge calculates it: 14 bytes for a Time; Source, DetailType, Detail and each of Resources in UTF-8 bytes. */
export function putEventsEntrySize(entry: PutEventsEntry | null): number {
  const { source, detailType, detail, resources, time } = entry ?? {};
  const detailText = typeof detail === "string" || detail === undefined ? detail : JSON.stringify(detail);
  const resourceBytes = Array.isArray(resources) ? resources.reduce((sum: number, resource) => sum + utf8Bytes(resource), 0) : 0;
  return (time === undefined ? 0 : 14) + utf8Bytes(source) + utf8Bytes(detailType) + utf8Bytes(detailText) + resourceBytes;
}

/**
 * One region's event bus: PutEvents, then the rules of the routing plan for this region, with bus
 * targets (other regions' buses, one hop only) and AppSync targets, each with retries and a
 * dead-letter list. A bus can be taken down (the outage rehearsal): it then neither receives nor
 * forwards; what it was about to do waits for it to come back, and the targets of other buses aimed
 * at it fail, so those retry and dead-letter as configured.
 */
export class EventBus {
  readonly deadLetters: DeadLetter[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;
  private down = false;
  /** Work that fell due while the bus was down, run when it is back. */
  private held: (() => void)[] = [];

  constructor(
    private readonly options: BusOptions,
    private readonly busOf: (region: string) => EventBus,
    private readonly invokeAppSync: AppSyncInvoker,
  ) {}

  /** `arn:aws:events:REGION:ACCOUNT:event-bus/globalws-local`. */
  get arn(): string {
    return `arn:aws:events:${this.options.region}:${this.options.account}:event-bus/globalws-local`;
  }

  /**
   * Accepts events (each checked on its own, as PutEvents does) and routes the accepted ones
   * asynchronously. @throws ValidationException, as PutEvents does, for too many entries or too many bytes.
   */
  putEvents(entries: readonly PutEventsEntry[]): PutEventsResult {
    if (!Array.isArray(entries) || entries.length === 0 || entries.length > MAX_ENTRIES_PER_PUT) {
      throw Object.assign(new Error(`PutEvents takes 1 to ${MAX_ENTRIES_PER_PUT} entries`), { type: "ValidationException" });
    }
    // Over the size limit, EventBridge refuses the whole call, not an entry.
    if (entries.reduce((sum, entry) => sum + putEventsEntrySize(entry), 0) > MAX_PUT_EVENTS_BYTES) {
      throw Object.assign(new Error("Total size of the entries in the request is over the limit."), { type: "ValidationException" });
    }
    const results = entries.map((entry) => {
      const problem = entryProblem(entry);
      if (problem) return { ErrorCode: "MalformedEntry", ErrorMessage: problem };
      const event: BusEvent = {
        id: randomUUID(),
        source: entry.source as string,
        "detail-type": entry.detailType as string,
        account: this.options.account,
        region: this.options.region,
        time: typeof entry.time === "string" ? entry.time : new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
        resources: Array.isArray(entry.resources) ? (entry.resources as string[]) : [],
        // The bus carries JSON: the event is a copy, whatever the caller does with its objects later.
        detail: JSON.parse(typeof entry.detail === "string" ? entry.detail : JSON.stringify(entry.detail)),
      };
      this.later(0, () => this.route(event, false));
      return { EventId: event.id };
    });
    return { Entries: results, FailedEntryCount: results.filter((result) => "ErrorCode" in result).length };
  }

  /** Stops every pending delivery and retry. */
  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.held = [];
  }

  /** Takes the bus down (its region's outage) or brings it back, doing then what waited. */
  setDown(down: boolean): void {
    this.down = down;
    if (down) return;
    for (const run of this.held.splice(0)) run();
  }

  /** Another region's rule puts `event` on this bus; false when the bus is down (that target then retries). */
  receive(event: BusEvent): boolean {
    if (this.down) return false;
    this.route(event, true);
    return true;
  }

  /** An event from this bus's own PutEvents, or (fromOtherBus) forwarded by another region's rule. */
  private route(event: BusEvent, fromOtherBus: boolean): void {
    for (const rule of this.options.rules) {
      if (!matchesEventPattern(rule.eventPattern, event)) continue;
      for (const target of rule.targets) {
        if (target.kind === "bus") {
          // EventBridge's one-hop rule: an event that came from another bus is not forwarded again.
          if (!fromOtherBus) this.later(this.options.latencyMs, () => void this.deliver(rule, `bus ${target.region}`, event, 0, () => this.forward(target.region, event)));
        } else {
          void this.deliver(rule, `${target.region} ${target.field}`, event, 0, () => this.invoke(target, event));
        }
      }
    }
  }

  /** Puts `event` on another region's bus; the failure, or null. */
  private async forward(region: string, event: BusEvent): Promise<string | null> {
    return this.busOf(region).receive(event) ? null : `The event bus in ${region} is unavailable`;
  }

  /** Runs an AppSync target; the failure, or null. */
  private async invoke(target: AppSyncTarget, event: BusEvent): Promise<string | null> {
    // inputPath "$.detail": the event's detail is the operation's variables, untouched.
    const errors = await this.invokeAppSync(target, event.detail);
    return errors.length === 0 ? null : errors.map((error) => error.message).join("; ");
  }

  /** One delivery to a target, retried with backoff up to `retryAttempts` and `maxEventAgeMs`, then dead-lettered. */
  private async deliver(rule: RouteRule, target: string, event: BusEvent, attempt: number, send: () => Promise<string | null>): Promise<void> {
    let failure: string | null;
    try {
      failure = await send();
    } catch (error) {
      failure = (error as Error).message;
    }
    if (failure === null || this.closed) return;
    const young = Date.now() - Date.parse(event.time) < this.options.maxEventAgeMs;
    if (attempt < this.options.retryAttempts && young) {
      this.later(Math.min(this.options.retryDelayMs * 2 ** attempt, MAX_RETRY_DELAY_MS), () => void this.deliver(rule, target, event, attempt + 1, send));
      return;
    }
    const letter: DeadLetter = { rule: rule.name, target, event, error: failure, attempts: attempt + 1 };
    this.deadLetters.push(letter);
    if (this.deadLetters.length > MAX_DEAD_LETTERS) this.deadLetters.shift();
    this.options.log(`[${this.options.region}] dead letter: rule ${letter.rule} → ${letter.target} gave up on event ${event.id} after ${letter.attempts} attempts: ${failure}`);
  }

  /** Runs `run` in `delayMs`, or once the bus is back if it is down then. */
  private later(delayMs: number, run: () => void): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.down) this.held.push(run);
      else run();
    }, delayMs);
    this.timers.add(timer);
  }
}

function entryProblem(entry: PutEventsEntry): string | null {
  if (typeof entry?.source !== "string" || entry.source === "") return "Source is required";
  if (typeof entry.detailType !== "string" || entry.detailType === "") return "DetailType is required";
  const detail = typeof entry.detail === "string" ? safeParse(entry.detail) : entry.detail;
  if (typeof detail !== "object" || detail === null || Array.isArray(detail)) return "Detail must be a JSON object";
  return null;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
