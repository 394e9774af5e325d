import { requestSigner, type AuthOption } from "./auth";
import { systemClock } from "./clock";
import { credentialsFor } from "./credentials";
import { readHistory } from "./history";
import { nodeTransport } from "./nodeTransport";
import { UNSUBSCRIBE, decodeMessage, type DecodedMessage, type UnsubscribedChannel } from "./operations";
import { readTrustedCertificate, selectRegion, type ClientOutputs } from "./outputs";
import type { ActiveSubscription, RealtimeConnection, SubscriptionHandlers } from "./realtime";
import { RegionClient } from "./regionClient";

/**
 * The globalws API of one region from Node, as the outputs describe it: every operation with the
 * right auth (the API key or a user's token; IAM for `unsubscribe`), single calls with no retry. Resuming and
 * failing over subscriptions and publishes are the `GlobalWsClient`'s (`createNodeClient`).
 */
export class RegionApi {
  private constructor(
    readonly region: string,
    private readonly client: RegionClient,
    private readonly iamClient: RegionClient,
  ) {}

  /** The API of `region` (default: the first region) in `outputs`, called as `auth` says (default: the API key). */
  static of(outputs: ClientOutputs, region?: string, auth: AuthOption = { mode: "apiKey" }): RegionApi {
    const chosen = selectRegion(outputs, region);
    const transport = nodeTransport(readTrustedCertificate(outputs));
    const options = { clock: systemClock, requestTimeoutMs: 30_000 };
    const user = requestSigner(chosen.region, chosen.endpoints.apiKey, auth);
    const iam = requestSigner(chosen.region, undefined, { mode: "iam", credentials: credentialsFor(outputs) });
    return new RegionApi(chosen.region, new RegionClient(chosen.region, chosen.endpoints, user, transport, options), new RegionClient(chosen.region, chosen.endpoints, iam, transport, options));
  }

  /** Every region's API. */
  static all(outputs: ClientOutputs, auth?: AuthOption): RegionApi[] {
    return Object.keys(outputs.regions).map((region) => RegionApi.of(outputs, region, auth));
  }

  /** The channel allowlist (an entry ending in `*` is a prefix; empty: any valid name). */
  channels(): Promise<string[]> {
    return this.client.channels();
  }

  /** Publishes `data` (any JSON value) on channel `name`, with the message id `id` when given. */
  publish(name: string, data: unknown, id?: string): Promise<DecodedMessage> {
    return this.client.publish(name, data, id);
  }

  /** Every stored message of channel `name` published at or after `since` (default: all kept), oldest first, page after page. */
  async *history(name: string, since?: string): AsyncGenerator<DecodedMessage> {
    for await (const message of readHistory(this.client, name, since)) yield decodeMessage(message);
  }

  /** Closes every subscription to channel `name`, in every region (signed with IAM). */
  async unsubscribe(name: string): Promise<UnsubscribedChannel> {
    return (await this.iamClient.request<{ unsubscribe: UnsubscribedChannel }>(UNSUBSCRIBE, { name })).unsubscribe;
  }

  /** Opens a real-time connection to this region. */
  connectRealtime(): Promise<RealtimeConnection> {
    return this.client.connect();
  }

  /** Subscribes to channel `name` on `connection`; resolves once the server acknowledged it. */
  subscribe(connection: RealtimeConnection, name: string, handlers: SubscriptionHandlers<DecodedMessage>): Promise<ActiveSubscription> {
    return this.client.subscribe(connection, name, {
      ...handlers,
      next: (message) => {
        let decoded: DecodedMessage;
        try {
          decoded = decodeMessage(message);
        } catch (error) {
          return handlers.deliveryError(error as Error);
        }
        handlers.next(decoded);
      },
    });
  }
}
