import { backoffDelay } from "./backoff";
import type { TimerHandle } from "./clock";
import { Emitter } from "./emitter";
import { GraphqlError, NetworkError, isPermanent } from "./errors";
import { readHistory, recentHistory } from "./history";
import { decodeMessage, type ChannelMessage, type DecodedMessage } from "./operations";
import type { RealtimeConnection } from "./realtime";
import { RecentIds } from "./recentIds";
import type { ClientContext } from "./settings";

/**
 * Where a subscription stands. `connecting` (opening a connection and `start`), `catchingUp`
 * (live, reading history before handing over the live messages), `live`, `reconnecting` (waiting
 * to try again); then for good: `closed` (by the caller), `unsubscribed` (by the server, a forced
 * unsubscribe), `failed` (a refusal no retry can fix).
 */
export type SubscriptionState = "connecting" | "catchingUp" | "live" | "reconnecting" | "closed" | "unsubscribed" | "failed";

/** A change of state; `retryInMs` when it is `reconnecting`. */
export interface StateChange {
  from: SubscriptionState;
  to: SubscriptionState;
  reason: string;
  region: string;
  retryInMs?: number;
}

/** The subscription lost its connection and tries again in `retryInMs`, in `region`. */
export interface ReconnectingEvent {
  region: string;
  attempt: number;
  retryInMs: number;
  reason: string;
}

/** Live again after a drop: `caughtUp` messages came from history; `gapClosed` is false when some may be missing (see `gap`). */
export interface ResumedEvent {
  region: string;
  caughtUp: number;
  gapClosed: boolean;
  /** From the moment the live connection was lost to now. */
  downtimeMs: number;
}

/** Now live in `to` instead of `from`; `home` when it went back to its home region. */
export interface FailoverEvent {
  from: string;
  to: string;
  home: boolean;
}

/**
 * Messages published between `from` and `to` (ISO times) may never be delivered: they left the
 * retention window before the subscription could read them, or history is off on the API.
 */
export interface GapEvent {
  from: string;
  to: string;
  reason: "retention" | "historyDisabled";
}

/** What a subscription reports (see `ChannelSubscription.on`). */
export type SubscriptionEvents = {
  state: (change: StateChange) => void;
  /** A message, once; `replayed` when it came from history rather than live. */
  message: (message: DecodedMessage, meta: { replayed: boolean }) => void;
  /** A delivery that came with errors, or without a message; the subscription goes on. */
  deliveryError: (error: Error) => void;
  reconnecting: (event: ReconnectingEvent) => void;
  resumed: (event: ResumedEvent) => void;
  failover: (event: FailoverEvent) => void;
  gap: (event: GapEvent) => void;
  /** The server ended the subscription (a forced unsubscribe): it is over, and does not resume. */
  unsubscribed: () => void;
  /** A refusal no retry can fix (e.g. `ChannelNotAllowed`): it is over. */
  failed: (error: Error) => void;
};

/** What to deliver before the live messages, when the subscription starts. */
export interface SubscribeOptions {
  /** Replay the history published at or after this ISO time first. */
  since?: string;
  /** Replay the last `last` messages first (e.g. 50 to fill a board). */
  last?: number;
}

/** What a connection does once live: deliver nothing first, history from a time, the last N, or catch up after a drop. */
type Plan = { kind: "none" } | { kind: "since"; since: string } | { kind: "last"; count: number } | { kind: "resume" };

const RESUME: Plan = { kind: "resume" };
const TERMINAL: ReadonlySet<SubscriptionState> = new Set(["closed", "unsubscribed", "failed"]);

/**
 * One connection attempt in one region and its subscription. A leg that is replaced or dropped
 * is closed, and every callback it still gets is ignored (the role of a generation counter).
 */
class Leg {
  phase: "connecting" | "catchingUp" | "live" = "connecting";
  closed = false;
  connection?: RealtimeConnection;
  /** Live messages received while the history is read. */
  readonly buffer: ChannelMessage[] = [];
  settleTimer?: TimerHandle;

  constructor(readonly region: string) {}
}

/** What a catch-up did. */
interface CatchUp {
  caughtUp: number;
  gapClosed: boolean;
}

/** A stretch of history from `sinceMs` on, and the ids delivered in it: reading it again repeats none, however many it holds. */
interface DeliveredSince {
  sinceMs: number;
  delivered: Set<string>;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * A subscription to one channel that survives drops and regional outages.
 *
 * - It reconnects after a drop, a keep-alive timeout or a server close, with full-jitter backoff.
 * - Once subscribed again (`start_ack`, the moment it is live), it reads `history` from the last
 *   `publishedAt` it delivered minus the overlap window, buffering live messages meanwhile, then
 *   delivers what it missed (oldest first) and the buffer; repeated ids are dropped with bounded
 *   memory. It reads that history once more `settleMs` later, for a message that had not yet
 *   replicated to this region (and again, backing off, while that read fails); until that read
 *   succeeds, a later resume reads the range again, and every id in it is remembered.
 * - After `failoverAfter` failed attempts in a row in its region (refused, timed out), or at once
 *   when the keep-alive was lost, it moves to the next region of the preference list and resumes
 *   there. Away from home, it probes home every `homeRetryMs` and moves back once home answers,
 *   make-before-break: subscribed and caught up at home before the other connection closes.
 * - When the last message it had is older than the retention, it says so (`gap`).
 * - A forced unsubscribe ends it (`unsubscribed`); a permanent refusal by home, or by its only
 *   region, too (`failed`). A fallback that refuses is skipped.
 */
export class ChannelSubscription extends Emitter<SubscriptionEvents> {
  private currentState: SubscriptionState = "connecting";
  private active?: Leg;
  /** The home leg being opened while the active leg, in another region, still delivers. */
  private candidate?: Leg;
  private readonly regions: string[];
  private regionIndex = 0;
  private attempt = 0;
  private failuresHere = 0;
  private plan: Plan;
  /** The latest `publishedAt` delivered (the server's clock): the resume point, before the overlap. */
  private cursorMs?: number;
  /** When the subscription was last known live (this client's clock): after a drop, how long it was away. */
  private liveAnchorMs?: number;
  private lastLiveRegion?: string;
  private downSinceMs?: number;
  /** The home region failed while this subscription was live there: what its return must bring back (its messages from here on). */
  private failedHome?: DeliveredSince;
  /**
   * The range of a resume whose settle read has not yet succeeded: a later resume reads from here
   * again (the recent-ids memory alone forgets past its capacity).
   */
  private unsettled?: DeliveredSince;
  private readonly seen: RecentIds;
  private retryTimer?: TimerHandle;
  private homeTimer?: TimerHandle;
  /** Repeats dropped by id, and messages only the second history read of a resume found (the soak reports both). */
  readonly stats = { duplicatesDropped: 0, caughtUpLate: 0 };

  constructor(
    private readonly context: ClientContext,
    /** The channel. */
    readonly channel: string,
    options: SubscribeOptions = {},
  ) {
    super();
    this.regions = context.failover ? context.regions : context.regions.slice(0, 1);
    this.seen = new RecentIds(context.settings.dedupeCapacity);
    this.plan = options.since !== undefined ? { kind: "since", since: options.since } : options.last ? { kind: "last", count: options.last } : { kind: "none" };
    // Started once the caller has attached its listeners.
    queueMicrotask(() => this.open(this.regions[0]));
  }

  /** The current state. */
  get state(): SubscriptionState {
    return this.currentState;
  }

  /** The region it is connected (or connecting) to; while `reconnecting`, the one it tries next. */
  get region(): string {
    if (this.currentState === "reconnecting" || !this.active) return this.regions[this.regionIndex];
    return this.active.region;
  }

  /** Ends the subscription. */
  close(): void {
    this.end("closed", "closed by the caller");
  }

  private get home(): string {
    return this.regions[0];
  }

  private get terminal(): boolean {
    return TERMINAL.has(this.currentState);
  }

  private now(): number {
    return this.context.clock.now();
  }

  private open(region: string): void {
    if (this.terminal) return;
    const leg = new Leg(region);
    this.active = leg;
    this.setState("connecting", `connecting to ${region}`);
    void this.run(leg);
  }

  private async run(leg: Leg): Promise<void> {
    const api = this.context.client(leg.region);
    try {
      const connection = await api.connect(() => this.onActivity(leg));
      if (leg.closed) return void connection.close();
      leg.connection = connection;
      await api.subscribe(connection, this.channel, {
        next: (message) => this.onLiveMessage(leg, message),
        deliveryError: (error) => this.onDeliveryError(leg, error),
        error: (error) => this.onLegFailure(leg, error),
        complete: () => this.onServerComplete(leg),
      });
      if (leg.closed) return;
      leg.phase = "catchingUp";
      const plan = leg === this.candidate ? RESUME : this.plan;
      if (leg === this.active && plan.kind !== "none") this.setState("catchingUp", `subscribed in ${leg.region}, reading history`);
      const outcome = await this.catchUp(leg, plan);
      if (!leg.closed) this.goLive(leg, plan, outcome);
    } catch (error) {
      this.onLegFailure(leg, error);
    }
  }

  /** Reads what the plan asks for from history and delivers it (live messages wait in the leg's buffer). */
  private async catchUp(leg: Leg, plan: Plan): Promise<CatchUp> {
    const api = this.context.client(leg.region);
    const retentionMs = this.context.settings.retentionMs;
    let caughtUp = 0;
    let gap: GapEvent | undefined;
    const deliverAll = async (messages: AsyncIterable<ChannelMessage> | ChannelMessage[], accept: (message: ChannelMessage) => boolean = () => true) => {
      for await (const message of messages) {
        if (leg.closed) return;
        if (accept(message) && this.deliver(message, true)) caughtUp += 1;
      }
    };
    let fromMs = this.now();
    try {
      switch (plan.kind) {
        case "none":
          return { caughtUp, gapClosed: true };
        case "since":
          fromMs = Date.parse(plan.since);
          gap = this.retentionGap(fromMs);
          await deliverAll(readHistory(api, this.channel, plan.since));
          break;
        case "last":
          await deliverAll(await recentHistory(api, this.channel, plan.count, this.now(), retentionMs));
          break;
        case "resume": {
          fromMs = this.resumeFromMs();
          gap = this.downtimeGap(fromMs);
          const unsettled = this.openUnsettled(fromMs);
          // Back home after an outage there: what it published before it failed, and no other region had, is in its own replica.
          const recovery = leg.region === this.home ? this.failedHome : undefined;
          const readFrom = recovery ? Math.min(recovery.sinceMs, unsettled.sinceMs) : unsettled.sinceMs;
          await deliverAll(readHistory(api, this.channel, iso(readFrom)), (message) => {
            if (Date.parse(message.publishedAt) >= unsettled.sinceMs) return true;
            return recovery !== undefined && message.origin === this.home && !recovery.delivered.has(message.id);
          });
          if (recovery && !leg.closed) this.failedHome = undefined;
          break;
        }
      }
    } catch (error) {
      // History off, or a stack deployed before history existed (its schema has no `history` field).
      if (!(error instanceof GraphqlError && (error.errorType === "HistoryDisabled" || error.errorType === "ValidationError"))) throw error;
      // Without history nothing missed can be read back: any disconnection is a gap.
      gap = plan.kind === "last" ? undefined : { from: iso(fromMs), to: iso(this.now()), reason: "historyDisabled" };
      this.unsettled = undefined;
    }
    if (gap && !leg.closed) this.emit("gap", gap);
    return { caughtUp, gapClosed: gap === undefined };
  }

  /** The range a resume reads: from `fromMs`, or earlier when a previous resume's range is not yet settled. */
  private openUnsettled(fromMs: number): DeliveredSince {
    const previous = this.unsettled;
    // A new record each time, so that an older leg's settle read cannot clear this wider range.
    this.unsettled = previous ? { sinceMs: Math.min(fromMs, previous.sinceMs), delivered: previous.delivered } : this.deliveredSince(fromMs);
    return this.unsettled;
  }

  /** A range from `sinceMs`, with the ids delivered in it that are still remembered. */
  private deliveredSince(sinceMs: number): DeliveredSince {
    return { sinceMs, delivered: this.seen.publishedSince(sinceMs) };
  }

  /** The history read after a drop starts here: the last `publishedAt` delivered, less the overlap window. */
  private resumeFromMs(): number {
    return (this.cursorMs ?? this.liveAnchorMs ?? this.now()) - this.context.settings.overlapMs;
  }

  /** A gap, when the subscription was away longer than the retention: what was published then may have expired. */
  private downtimeGap(fromMs: number): GapEvent | undefined {
    const { retentionMs, overlapMs } = this.context.settings;
    if (retentionMs === undefined || this.liveAnchorMs === undefined) return undefined;
    // One clock (this client's), so no skew: away from the last live moment to now, plus the overlap.
    if (this.now() - this.liveAnchorMs + overlapMs < retentionMs) return undefined;
    return { from: iso(Math.max(fromMs, this.liveAnchorMs - overlapMs)), to: iso(this.now() - retentionMs), reason: "retention" };
  }

  /** A gap, when history is asked for from before the retention window. */
  private retentionGap(fromMs: number): GapEvent | undefined {
    const { retentionMs } = this.context.settings;
    if (retentionMs === undefined || fromMs >= this.now() - retentionMs) return undefined;
    return { from: iso(fromMs), to: iso(this.now() - retentionMs), reason: "retention" };
  }

  /** Hands over the buffered live messages and goes live. */
  private goLive(leg: Leg, plan: Plan, outcome: CatchUp): void {
    for (const message of leg.buffer.splice(0)) this.deliver(message, false);
    leg.phase = "live";
    this.scheduleSettleRead(leg);
    if (leg === this.candidate) return this.moveHome(leg);
    this.liveAnchorMs = this.now();
    const previousRegion = this.lastLiveRegion;
    this.lastLiveRegion = leg.region;
    this.attempt = 0;
    this.failuresHere = 0;
    this.plan = RESUME;
    this.setState("live", `live in ${leg.region}`);
    if (previousRegion !== undefined && previousRegion !== leg.region) {
      this.emit("failover", { from: previousRegion, to: leg.region, home: leg.region === this.home });
    }
    if (plan.kind === "resume") {
      this.emit("resumed", { region: leg.region, caughtUp: outcome.caughtUp, gapClosed: outcome.gapClosed, downtimeMs: this.now() - (this.downSinceMs ?? this.now()) });
    }
    this.downSinceMs = undefined;
    this.scheduleHomeProbe();
  }

  /** The home leg is live and caught up: it takes over, and the leg in the other region closes (make-before-break). */
  private moveHome(leg: Leg): void {
    const away = this.active;
    this.active = leg;
    this.candidate = undefined;
    this.regionIndex = 0;
    if (away) this.closeLeg(away);
    this.liveAnchorMs = this.now();
    this.lastLiveRegion = leg.region;
    if (away) this.emit("failover", { from: away.region, to: leg.region, home: true });
  }

  /** One funnel for every delivery: drops a repeated id, decodes, hands over, then advances the cursor. */
  private deliver(message: ChannelMessage, replayed: boolean): boolean {
    const publishedAtMs = Date.parse(message.publishedAt);
    const unsettled = this.unsettled && publishedAtMs >= this.unsettled.sinceMs ? this.unsettled.delivered : undefined;
    const repeat = !this.seen.add(message.id, publishedAtMs) || unsettled?.has(message.id) === true;
    unsettled?.add(message.id);
    if (this.failedHome && message.origin === this.home && publishedAtMs >= this.failedHome.sinceMs) this.failedHome.delivered.add(message.id);
    if (repeat) {
      this.stats.duplicatesDropped += 1;
      return false;
    }
    let decoded: DecodedMessage;
    try {
      decoded = decodeMessage(message);
    } catch (error) {
      this.emit("deliveryError", error as Error);
      return false;
    }
    this.emit("message", decoded, { replayed });
    if (this.cursorMs === undefined || publishedAtMs > this.cursorMs) this.cursorMs = publishedAtMs;
    return true;
  }

  private onLiveMessage(leg: Leg, message: ChannelMessage): void {
    if (leg.closed) return;
    if (leg.phase !== "live") {
      leg.buffer.push(message);
      return;
    }
    this.deliver(message, false);
    if (leg === this.active) this.liveAnchorMs = this.now();
  }

  /** A live frame without a usable message (say, its publisher selected too few fields): the message is in history, so read it there. */
  private onDeliveryError(leg: Leg, error: Error): void {
    if (leg.closed) return;
    this.emit("deliveryError", error);
    this.openUnsettled(this.resumeFromMs());
    this.scheduleSettleRead(leg);
  }

  private onActivity(leg: Leg): void {
    if (!leg.closed && leg === this.active && leg.phase === "live") this.liveAnchorMs = this.now();
  }

  /** The one funnel for a lost connection or a refused subscription: retry, fail over, or give up for good. */
  private onLegFailure(leg: Leg, error: unknown): void {
    if (leg.closed || this.terminal) return;
    this.closeLeg(leg);
    if (leg === this.candidate) {
      this.candidate = undefined;
      this.scheduleHomeProbe();
      return;
    }
    if (leg !== this.active) return;
    // Only home's refusal is final: a refusing fallback (say, a key rotated there first) is skipped, and home tried again.
    const refusedAway = isPermanent(error) && leg.region !== this.home && this.regions.length > 1;
    if (isPermanent(error) && !refusedAway) return this.end("failed", (error as Error).message, error as Error);
    const reason = (error as Error).message;
    if (leg.phase === "live") this.downSinceMs ??= this.now();
    if (this.candidate) {
      // Home is already being joined: it takes over now.
      this.active = this.candidate;
      this.candidate = undefined;
      this.regionIndex = 0;
      this.setState(this.active.phase === "connecting" ? "connecting" : "catchingUp", `lost ${leg.region} (${reason}); joining ${this.home}`);
      return;
    }
    if (leg.phase !== "live") this.failuresHere += 1;
    const keepAliveLost = error instanceof NetworkError && error.reason === "keepAlive";
    const switching = this.regions.length > 1 && (keepAliveLost || refusedAway || this.failuresHere >= this.context.settings.failoverAfter);
    if (switching) this.failOver(leg.region);
    const next = this.regions[this.regionIndex];
    // A new region gets the first, shortest delay; the attempts go on counting, so a client that finds every region down still backs off to the maximum.
    const retryInMs = backoffDelay(switching ? 0 : this.attempt, this.context.settings.backoff, this.context.random);
    this.attempt += 1;
    this.setState("reconnecting", reason, retryInMs);
    this.emit("reconnecting", { region: next, attempt: this.attempt, retryInMs, reason });
    this.retryTimer = this.context.clock.setTimeout(() => this.open(next), retryInMs);
  }

  /** Moves on to the next region of the preference list, remembering what a failed home must bring back. */
  private failOver(from: string): void {
    if (from === this.home && this.lastLiveRegion === this.home && this.failedHome === undefined) {
      this.failedHome = this.deliveredSince(this.resumeFromMs());
    }
    this.regionIndex = (this.regionIndex + 1) % this.regions.length;
    this.failuresHere = 0;
  }

  private onServerComplete(leg: Leg): void {
    if (leg.closed || this.terminal) return;
    this.end("unsubscribed", "the server ended the subscription (forced unsubscribe)");
  }

  /**
   * Reads the open range once more (see `unsettled`), for messages that reached this region's
   * replica late. A failed read is tried again (backing off) while the leg lasts: the cursor moves
   * on with live messages, so without it no resume would read this range again.
   */
  private scheduleSettleRead(leg: Leg, failures = 0): void {
    if (this.unsettled === undefined || leg.settleTimer !== undefined) return;
    const { settleMs, backoff } = this.context.settings;
    const delayMs = failures === 0 ? settleMs : backoffDelay(failures - 1, backoff, this.context.random);
    leg.settleTimer = this.context.clock.setTimeout(async () => {
      leg.settleTimer = undefined;
      const unsettled = this.unsettled;
      if (unsettled === undefined || leg.closed) return;
      try {
        for await (const message of readHistory(this.context.client(leg.region), this.channel, iso(unsettled.sinceMs))) {
          if (leg.closed) return;
          if (this.deliver(message, true)) this.stats.caughtUpLate += 1;
        }
        if (!leg.closed && this.unsettled === unsettled) this.unsettled = undefined;
      } catch (error) {
        if (leg.closed) return;
        if (!isPermanent(error)) return this.scheduleSettleRead(leg, failures + 1);
        if (this.unsettled === unsettled) this.unsettled = undefined;
      }
    }, delayMs);
  }

  /** Away from home and live: look again at home in `homeRetryMs`. */
  private scheduleHomeProbe(): void {
    this.context.clock.clearTimeout(this.homeTimer);
    const away = this.active;
    if (!away || away.phase !== "live" || away.region === this.home || this.candidate || this.terminal) return;
    this.homeTimer = this.context.clock.setTimeout(() => void this.probeHome(away), this.context.settings.homeRetryMs);
  }

  /** Home answers a cheap query: join it while the other region still delivers. */
  private async probeHome(away: Leg): Promise<void> {
    try {
      await this.context.client(this.home).channels();
    } catch {
      if (!away.closed) this.scheduleHomeProbe();
      return;
    }
    if (away.closed || away !== this.active || this.candidate || this.terminal) return;
    this.candidate = new Leg(this.home);
    void this.run(this.candidate);
  }

  private closeLeg(leg: Leg): void {
    leg.closed = true;
    this.context.clock.clearTimeout(leg.settleTimer);
    void leg.connection?.close();
  }

  private end(state: "closed" | "unsubscribed" | "failed", reason: string, error?: Error): void {
    if (this.terminal) return;
    this.context.clock.clearTimeout(this.retryTimer);
    this.context.clock.clearTimeout(this.homeTimer);
    for (const leg of [this.active, this.candidate]) if (leg) this.closeLeg(leg);
    this.candidate = undefined;
    this.setState(state, reason);
    if (state === "unsubscribed") this.emit("unsubscribed");
    if (state === "failed") this.emit("failed", error as Error);
  }

  /** The one state transition: every change is reported as `state {from, to, reason, retryInMs}`. */
  private setState(to: SubscriptionState, reason: string, retryInMs?: number): void {
    const from = this.currentState;
    if (from === to && to !== "reconnecting") return;
    this.currentState = to;
    this.emit("state", { from, to, reason, region: this.region, ...(retryInMs === undefined ? {} : { retryInMs }) });
  }
}
