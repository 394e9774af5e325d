import { requestSigner, type AuthOption } from "./auth";
import { systemClock, type Clock, type Random } from "./clock";
import { ClientError } from "./errors";
import { readHistory } from "./history";
import { decodeMessage, type DecodedMessage } from "./operations";
import { Publisher, type PublishOptions } from "./publisher";
import { RegionClient, type RegionUrls } from "./regionClient";
import { DEFAULT_RESUME_SETTINGS, type ClientContext, type ResumeSettings } from "./settings";
import { ChannelSubscription, type SubscribeOptions } from "./subscription";
import type { Transport } from "./transport";

/** A region as the outputs describe it: its URLs and, for API key auth, its key. */
export interface RegionEntry extends RegionUrls {
  apiKey?: string;
}

/** How to build a client. */
export interface GlobalWsClientOptions {
  /** The stack outputs' `regions` (what `/outputs.json` serves a browser is enough). */
  regions: Record<string, RegionEntry>;
  /** How to reach the API: `browserTransport()`, or `nodeTransport(ca)` from `client/lib/node`. */
  transport: Transport;
  /** The region to use first (default: the first of `regions`). */
  home?: string;
  /** The order to fail over in (default: home, then the others in the order of `regions`). */
  preference?: string[];
  /** False: never leave the home region (default true). */
  failover?: boolean;
  /** How to authenticate (default: each region's API key). */
  auth?: AuthOption;
  /** The stack output `historyRetentionHours`: lets a subscription say when a gap is older than history. */
  historyRetentionHours?: number;
  /** Overrides of the resume and failover defaults (`DEFAULT_RESUME_SETTINGS`). */
  settings?: Partial<ResumeSettings>;
  /** How long a request, handshake or `start` may go unanswered (default 10 s). */
  requestTimeoutMs?: number;
  /** Caps the keep-alive deadline the server announces (AppSync: 5 minutes). */
  keepAliveTimeoutMs?: number;
  clock?: Clock;
  random?: Random;
  /** Makes the id of a message published without one (default `crypto.randomUUID()`). */
  newId?: () => string;
}

/**
 * A globalws client: subscriptions that resume and fail over by themselves, publishes that retry
 * with the same id, and history. The same code runs in browsers and Node; only the transport differs.
 *
 * ```ts
 * const client = new GlobalWsClient({ regions: outputs.regions, transport: browserTransport() });
 * const subscription = client.subscribe("cars");
 * subscription.on("message", (message) => console.log(message.data));
 * subscription.on("resumed", ({ caughtUp }) => console.log(`caught up ${caughtUp}`));
 * await client.publish("cars", { text: "hello" });
 * ```
 */
export class GlobalWsClient {
  private readonly context: ClientContext;
  private readonly clients = new Map<string, RegionClient>();
  private readonly publisher: Publisher;

  constructor(private readonly options: GlobalWsClientOptions) {
    const names = Object.keys(options.regions);
    if (names.length === 0) throw new ClientError("The outputs name no region.", 2);
    const home = options.home ?? names[0];
    const preference = options.preference ?? [home, ...names.filter((name) => name !== home)];
    for (const region of preference) {
      if (!options.regions[region]) throw new ClientError(`Unknown region "${region}". Regions in these outputs: ${names.join(", ")}.`, 2);
    }
    const retentionMs = options.historyRetentionHours === undefined ? undefined : options.historyRetentionHours * 3_600_000;
    this.context = {
      regions: preference,
      failover: options.failover ?? true,
      client: (region) => this.region(region),
      clock: options.clock ?? systemClock,
      random: options.random ?? Math.random,
      settings: { ...DEFAULT_RESUME_SETTINGS, retentionMs, ...options.settings },
    };
    this.publisher = new Publisher(this.context, options.newId ?? (() => crypto.randomUUID()));
  }

  /** The home region. */
  get home(): string {
    return this.context.regions[0];
  }

  /** One region's API, with this client's auth and transport. */
  region(name: string): RegionClient {
    let client = this.clients.get(name);
    if (!client) {
      const entry = this.options.regions[name];
      if (!entry) throw new ClientError(`Unknown region "${name}". Regions in these outputs: ${Object.keys(this.options.regions).join(", ")}.`, 2);
      const signer = requestSigner(name, entry.apiKey, this.options.auth ?? { mode: "apiKey" });
      client = new RegionClient(name, entry, signer, this.options.transport, {
        clock: this.context.clock,
        requestTimeoutMs: this.options.requestTimeoutMs,
        keepAliveTimeoutMs: this.options.keepAliveTimeoutMs,
      });
      this.clients.set(name, client);
    }
    return client;
  }

  /** Subscribes to `channel` (started at once; attach listeners right away). */
  subscribe(channel: string, options: SubscribeOptions = {}): ChannelSubscription {
    return new ChannelSubscription(this.context, channel, options);
  }

  /** Publishes `data` (any JSON value) on `channel`, retrying and failing over with one id; resolves with the stored message. */
  publish(channel: string, data: unknown, options: PublishOptions = {}): Promise<DecodedMessage> {
    return this.publisher.publish(channel, data, options);
  }

  /** Every stored message of `channel` published at or after `since` (default: all kept), oldest first, from `region` (default home). */
  async *history(channel: string, options: { since?: string; region?: string } = {}): AsyncGenerator<DecodedMessage> {
    for await (const message of readHistory(this.region(options.region ?? this.home), channel, options.since)) yield decodeMessage(message);
  }

  /** The channel allowlist of `region` (default home). */
  channels(region = this.home): Promise<string[]> {
    return this.region(region).channels();
  }
}
