import { Amplify } from "aws-amplify";
import { generateClient } from "aws-amplify/api";
import { LIST_CHANNELS, PUBLISH, SUBSCRIBE, decodeMessage, type ChannelMessage, type DecodedMessage } from "../../lib/operations";
import type { BrowserOutputs, BrowserRegion } from "../../lib/regions";

/** Loads the regions the server was started with (`/outputs.json`: no credentials in it). */
export async function loadBrowserOutputs(): Promise<BrowserOutputs> {
  const response = await fetch("/outputs.json");
  if (!response.ok) throw new Error(`Cannot load /outputs.json: HTTP ${response.status}`);
  return (await response.json()) as BrowserOutputs;
}

/** What a subscription reports to the page. */
export interface ChannelObserver {
  next(message: DecodedMessage): void;
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
 * Configures Amplify for `region` and returns its client. Amplify holds one configuration per
 * page, so the page connects to one region at a time.
 */
export function connectRegion(region: string, endpoints: BrowserRegion): RegionClient {
  Amplify.configure({
    API: { GraphQL: { endpoint: endpoints.graphqlUrl, region, defaultAuthMode: "apiKey", apiKey: endpoints.apiKey } },
  });
  const client = generateClient();
  return {
    async channels() {
      const result = (await client.graphql({ query: LIST_CHANNELS })) as { data: { channels: string[] } };
      return result.data.channels;
    },
    async publish(name, data) {
      const result = (await client.graphql({
        query: PUBLISH,
        variables: { name, data: JSON.stringify(data) },
      })) as { data: { publish: ChannelMessage } };
      return decodeMessage(result.data.publish);
    },
    subscribe(name, observer) {
      const observable = client.graphql({ query: SUBSCRIBE, variables: { name } }) as unknown as {
        subscribe(handlers: {
          next(value: { data: { subscribe: ChannelMessage } }): void;
          error(error: unknown): void;
          complete(): void;
        }): { unsubscribe(): void };
      };
      return observable.subscribe({
        next: ({ data }) => observer.next(decodeMessage(data.subscribe)),
        error: observer.error,
        complete: observer.complete,
      });
    },
  };
}
