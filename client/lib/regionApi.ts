import { credentialsFor, type CredentialsProvider } from "./credentials";
import { graphqlRequest, type GraphqlAuth, type GraphqlEndpoint } from "./graphqlHttp";
import {
  LIST_CHANNELS,
  PUBLISH,
  SUBSCRIBE,
  UNSUBSCRIBE,
  decodeMessage,
  type ChannelMessage,
  type DecodedMessage,
  type UnsubscribedChannel,
} from "./operations";
import { readTrustedCertificate, selectRegion, type ClientOutputs } from "./outputs";
import type { RegionEndpoints } from "./regions";
import { RealtimeConnection, type ActiveSubscription, type SubscriptionHandlers } from "./realtime";

/** The globalws API of one region: every operation a client needs, with the right auth for each. */
export class RegionApi {
  private readonly endpoint: GraphqlEndpoint;

  private constructor(
    readonly region: string,
    private readonly endpoints: RegionEndpoints,
    private readonly ca: string | undefined,
    private readonly credentials: CredentialsProvider,
  ) {
    this.endpoint = { url: endpoints.graphqlUrl, ca };
  }

  /** The API of `region` (default: the first region) in `outputs`. */
  static of(outputs: ClientOutputs, region?: string): RegionApi {
    const chosen = selectRegion(outputs, region);
    return new RegionApi(chosen.region, chosen.endpoints, readTrustedCertificate(outputs), credentialsFor(outputs));
  }

  /** Every region's API. */
  static all(outputs: ClientOutputs): RegionApi[] {
    return Object.keys(outputs.regions).map((region) => RegionApi.of(outputs, region));
  }

  /** The channel allowlist (an entry ending in `*` is a prefix; empty: any valid name). */
  async channels(): Promise<string[]> {
    const data = await graphqlRequest<{ channels: string[] }>(this.endpoint, this.apiKey(), LIST_CHANNELS);
    return data.channels;
  }

  /** Publishes `data` (any JSON value) on channel `name`. */
  async publish(name: string, data: unknown): Promise<DecodedMessage> {
    const result = await graphqlRequest<{ publish: ChannelMessage }>(this.endpoint, this.apiKey(), PUBLISH, {
      name,
      data: JSON.stringify(data),
    });
    return decodeMessage(result.publish);
  }

  /** Closes every subscription to channel `name`, in every region (signed with IAM). */
  async unsubscribe(name: string): Promise<UnsubscribedChannel> {
    const auth: GraphqlAuth = { mode: "iam", region: this.region, credentials: this.credentials };
    const result = await graphqlRequest<{ unsubscribe: UnsubscribedChannel }>(this.endpoint, auth, UNSUBSCRIBE, {
      name,
    });
    return result.unsubscribe;
  }

  /** Opens a real-time connection to this region. */
  connectRealtime(): Promise<RealtimeConnection> {
    return RealtimeConnection.connect({ ...this.endpoints, ca: this.ca });
  }

  /** Subscribes to channel `name` on `connection`; resolves once the server acknowledged it. */
  subscribe(
    connection: RealtimeConnection,
    name: string,
    handlers: SubscriptionHandlers<DecodedMessage>,
  ): Promise<ActiveSubscription> {
    return connection.subscribe<ChannelMessage>(SUBSCRIBE, { name }, {
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

  private apiKey(): GraphqlAuth {
    return { mode: "apiKey", apiKey: this.endpoints.apiKey };
  }
}
