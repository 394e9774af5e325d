import type { RequestSigner } from "./auth";
import type { Clock } from "./clock";
import { isCredentialRefused } from "./errors";
import { DEFAULT_REQUEST_TIMEOUT_MS, graphqlRequest } from "./graphql";
import { HISTORY, LIST_CHANNELS, PUBLISH, SUBSCRIBE, decodeMessage, type ChannelMessage, type DecodedMessage, type HistoryPage } from "./operations";
import { RealtimeConnection, type ActiveSubscription, type SubscriptionHandlers } from "./realtime";
import type { Transport } from "./transport";

/** A region's endpoints, as the outputs give them. */
export interface RegionUrls {
  graphqlUrl: string;
  realtimeUrl: string;
}

/** Timeouts of one region's client. */
export interface RegionClientOptions {
  clock: Clock;
  /** How long an HTTP request, a connection handshake or a `start` may go unanswered. */
  requestTimeoutMs?: number;
  /** Caps the keep-alive deadline the server announces. */
  keepAliveTimeoutMs?: number;
}

/** What to read of a channel's history. */
export interface HistoryQuery {
  since?: string;
  limit?: number;
  nextToken?: string | null;
}

/**
 * The globalws API of one region (browser and Node): channels, publish, one page of history, and
 * real-time connections. When the API refuses the credential, it is renewed once if it can be (a
 * rotated API key, a fresh token) and the call made again.
 */
export class RegionClient {
  constructor(
    readonly region: string,
    readonly urls: RegionUrls,
    private readonly signer: RequestSigner,
    private readonly transport: Transport,
    private readonly options: RegionClientOptions,
  ) {}

  /** The channel allowlist (an entry ending in `*` is a prefix; empty: any valid name). */
  async channels(): Promise<string[]> {
    return (await this.request<{ channels: string[] }>(LIST_CHANNELS)).channels;
  }

  /** Publishes `data` (any JSON value) on channel `name`; with `id`, a retry is stored once and returns the original. */
  async publish(name: string, data: unknown, id?: string): Promise<DecodedMessage> {
    const result = await this.request<{ publish: ChannelMessage }>(PUBLISH, { name, data: JSON.stringify(data), ...(id === undefined ? {} : { id }) });
    return decodeMessage(result.publish);
  }

  /** One page of channel `name`'s stored messages, oldest first. */
  async history(name: string, query: HistoryQuery = {}): Promise<HistoryPage> {
    return (await this.request<{ history: HistoryPage }>(HISTORY, { name, ...query })).history;
  }

  /** Opens a real-time connection; `onActivity` hears every frame the server sends. */
  connect(onActivity?: () => void): Promise<RealtimeConnection> {
    return this.withRenewal(() =>
      RealtimeConnection.connect({
        ...this.urls,
        signer: this.signer,
        webSocket: this.transport.webSocket,
        clock: this.options.clock,
        timeoutMs: this.timeoutMs,
        keepAliveTimeoutMs: this.options.keepAliveTimeoutMs,
        onActivity,
      }),
    );
  }

  /** Subscribes to channel `name` on `connection` (messages as the API sends them); resolves once live (`start_ack`). */
  subscribe(connection: RealtimeConnection, name: string, handlers: SubscriptionHandlers<ChannelMessage>): Promise<ActiveSubscription> {
    return connection.subscribe(SUBSCRIBE, { name }, handlers);
  }

  /** Any operation on this region's API, authorized by this client's credential. */
  request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    return this.withRenewal(() => graphqlRequest<T>(this.transport.http, this.urls.graphqlUrl, this.signer, query, variables, this.timeoutMs));
  }

  private get timeoutMs(): number {
    return this.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  private async withRenewal<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (!isCredentialRefused(error) || !(await this.signer.renew())) throw error;
      return operation();
    }
  }
}
