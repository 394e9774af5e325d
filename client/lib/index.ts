/**
 * The globalws client library, for browsers and Node: no Node built-ins here (Node's transport and
 * outputs loading are in `./node`).
 */
export { GlobalWsClient, type GlobalWsClientOptions, type RegionEntry } from "./client";
export type {
  ChannelSubscription,
  FailoverEvent,
  GapEvent,
  ReconnectingEvent,
  ResumedEvent,
  StateChange,
  SubscribeOptions,
  SubscriptionEvents,
  SubscriptionState,
} from "./subscription";
export type { PublishOptions, PublishRetry } from "./publisher";
export { DEFAULT_RESUME_SETTINGS, type ResumeSettings } from "./settings";
export type { AuthOption, AwsCredentials, CredentialsProvider, TokenProvider } from "./auth";
export { browserTransport, type HttpSend, type Transport, type WebSocketFactory, type WebSocketLike } from "./transport";
export { ClientError, GraphqlError, HttpStatusError, NetworkError, isCredentialRefused, isPermanent } from "./errors";
export type { ChannelMessage, DecodedMessage } from "./operations";
export type { Clock, Random } from "./clock";
