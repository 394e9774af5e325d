import { Amplify } from "aws-amplify";
import { generateClient } from "aws-amplify/api";
import type { GraphqlErrorEntry } from "../../lib/errors";
import { LIST_CHANNELS, PUBLISH, SUBSCRIBE, decodeMessage, type ChannelMessage, type DecodedMessage } from "../../lib/operations";
import type { BrowserOutputs, BrowserRegion } from "../../lib/regions";
import { isKeyRefused } from "./apiErrors";

/** Loads the regions the server was started with (`/outputs.json`: no credentials in it). */
export async function loadBrowserOutputs(): Promise<BrowserOutputs> {
  const response = await fetch("/outputs.json");
  if (!response.ok) throw new Error(`Cannot load /outputs.json: HTTP ${response.status}`);
  return (await response.json()) as BrowserOutputs;
}

/** What a subscription reports to the page. */
export interface ChannelObserver {
  next(message: DecodedMessage): void;
  /** A delivery that came with errors, or without a message; the subscription goes on. */
  deliveryError(error: unknown): void;
  error(error: unknown): void;
  complete(): void;
}

/** The globalws API of one region through Amplify's GraphQL client (API key auth). */
export interface RegionClient {
  channels(): Promise<string[]>;
  publish(name: string, data: unknown): Promise<DecodedMessage>;
  subscribe(name: string, observer: ChannelObserver): { unsubscribe(): void };
}

/**
 * Asked when the API refused `refusedKey`: the region's endpoints with the key the server now
 * serves (e.g. the local runtime restarted with new keys), or undefined when it has no other.
 */
export type KeyRenewal = (refusedKey: string) => Promise<BrowserRegion | undefined>;

/** What a subscription to `subscribe` delivers through Amplify. */
interface SubscriptionEvent {
  data?: { subscribe?: ChannelMessage | null } | null;
  errors?: GraphqlErrorEntry[];
}

function configure(region: string, endpoints: BrowserRegion) {
  Amplify.configure({
    API: { GraphQL: { endpoint: endpoints.graphqlUrl, region, defaultAuthMode: "apiKey", apiKey: endpoints.apiKey } },
  });
  return generateClient();
}

/**
 * Configures Amplify for `region` and returns its client. Amplify holds one configuration per
 * page, so the page connects to one region at a time. When the API refuses the API key, the client
 * asks `renewKey` for the server's current one and, if it has another, reconfigures and retries once.
 */
export function connectRegion(region: string, endpoints: BrowserRegion, renewKey: KeyRenewal): RegionClient {
  let current = endpoints;
  let client = configure(region, current);

  /** Switches to the server's current key after `refusedKey` was refused; false when there is no other. */
  const renewAfter = async (refusedKey: string): Promise<boolean> => {
    if (current.apiKey !== refusedKey) return true;
    const renewed = await renewKey(refusedKey).catch(() => undefined);
    if (!renewed || renewed.apiKey === refusedKey) return false;
    current = renewed;
    client = configure(region, renewed);
    return true;
  };

  /** Runs `operation`, and once more after a refused key when the server has a new one. */
  const withRenewal = async <T>(operation: () => Promise<T>): Promise<T> => {
    const key = current.apiKey;
    try {
      return await operation();
    } catch (error) {
      if (!isKeyRefused(error) || !(await renewAfter(key))) throw error;
      return operation();
    }
  };

  return {
    channels: () =>
      withRenewal(async () => {
        const result = (await client.graphql({ query: LIST_CHANNELS })) as { data: { channels: string[] } };
        return result.data.channels;
      }),
    publish: (name, data) =>
      withRenewal(async () => {
        const result = (await client.graphql({
          query: PUBLISH,
          variables: { name, data: JSON.stringify(data) },
        })) as { data: { publish: ChannelMessage } };
        return decodeMessage(result.data.publish);
      }),
    subscribe(name, observer) {
      let active: { unsubscribe(): void } | undefined;
      let stopped = false;
      const start = () => {
        const key = current.apiKey;
        const observable = client.graphql({ query: SUBSCRIBE, variables: { name } }) as unknown as {
          subscribe(handlers: { next(event: SubscriptionEvent): void; error(error: unknown): void; complete(): void }): { unsubscribe(): void };
        };
        active = observable.subscribe({
          next: (event) => deliver(event, observer),
          error: (error) => {
            if (!isKeyRefused(error)) return observer.error(error);
            void renewAfter(key).then((renewed) => {
              if (stopped) return;
              if (renewed) start();
              else observer.error(error);
            });
          },
          complete: observer.complete,
        });
      };
      start();
      return {
        unsubscribe: () => {
          stopped = true;
          active?.unsubscribe();
        },
      };
    },
  };
}

/** Hands a subscription event's message to `next`, or what is wrong with it to `deliveryError`. */
function deliver(event: SubscriptionEvent, observer: ChannelObserver): void {
  const message = event.data?.subscribe;
  if (event.errors?.length || !message) {
    observer.deliveryError({ errors: event.errors?.length ? event.errors : [{ message: "A delivery came without a message." }] });
    return;
  }
  let decoded: DecodedMessage;
  try {
    decoded = decodeMessage(message);
  } catch (error) {
    return observer.deliveryError(error);
  }
  observer.next(decoded);
}
