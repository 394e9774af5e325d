/**
 * The GraphQL operations every globalws client sends (the command line and the web app).
 * Plain strings only: this module is bundled for the browser too.
 */

/**
 * Every field of `Channel`, as publishers get a message back and subscribers receive it. A
 * publisher must select all of them: AppSync sends subscribers only the fields the mutation
 * selected, so a subscriber that needs more gets an error instead of the message (README: Limits).
 */
const MESSAGE_FIELDS = "name data id origin publishedAt sender";

/** Lists the channel allowlist (empty: any valid name is allowed). */
export const LIST_CHANNELS = /* GraphQL */ `query Channels { channels }`;

/**
 * Publishes `data` (a JSON string) on channel `name`, in every region. `id` (optional) makes a retry
 * safe: the same `(name, id)` is stored once and the retry returns the original.
 */
export const PUBLISH = /* GraphQL */ `mutation Publish($name: String!, $data: AWSJSON!, $id: ID) {
  publish(name: $name, data: $data, id: $id) { ${MESSAGE_FIELDS} }
}`;

/** One page of channel `name`'s stored messages published at or after `since`, oldest first. */
export const HISTORY = /* GraphQL */ `query History($name: String!, $since: AWSDateTime, $limit: Int, $nextToken: String) {
  history(name: $name, since: $since, limit: $limit, nextToken: $nextToken) { items { ${MESSAGE_FIELDS} } nextToken }
}`;

/** Receives every message published on channel `name`, from every region. */
export const SUBSCRIBE = /* GraphQL */ `subscription Subscribe($name: String!) {
  subscribe(name: $name) { ${MESSAGE_FIELDS} }
}`;

/** Closes every subscription to channel `name` in every region (IAM only). */
export const UNSUBSCRIBE = /* GraphQL */ `mutation Unsubscribe($name: String!) {
  unsubscribe(name: $name) { name origin }
}`;

/** A message as the API returns it: `data` is the message's JSON, as a string. */
export interface ChannelMessage {
  name: string;
  data: string;
  id: string;
  origin: string;
  publishedAt: string;
  /** Who published it, set by the server: a user's `sub`, `iam:<ARN>`, or null for the API key. */
  sender: string | null;
}

/** One page of `history`. */
export interface HistoryPage {
  items: ChannelMessage[];
  /** Pass it back for the next page; null on the last one. */
  nextToken: string | null;
}

/** What `unsubscribe` returns. */
export interface UnsubscribedChannel {
  name: string;
  origin: string;
}

/** A message with its `data` decoded from JSON. */
export interface DecodedMessage extends Omit<ChannelMessage, "data"> {
  data: unknown;
}

/**
 * Decodes a message's `data`; AppSync sends AWSJSON as a string.
 * @throws Error when `data` is not JSON text.
 */
export function decodeMessage(message: ChannelMessage): DecodedMessage {
  if (typeof message.data !== "string") return message;
  try {
    return { ...message, data: JSON.parse(message.data) };
  } catch (error) {
    throw new Error(`Message ${message.id} on "${message.name}" has data that is not JSON (${(error as Error).message}).`);
  }
}
