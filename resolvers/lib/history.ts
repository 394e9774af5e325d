import { util } from "@aws-appsync/utils";
import { CHANNEL_KEY, EXPIRY_KEY, MESSAGE_ID_KEY, TIME_KEY } from "./historyTable";
import type { Message } from "./messages";
import { historyRetentionHours } from "./settings";

/** Epoch milliseconds as 13 zero-padded digits, so that text order is time order (APPSYNC_JS has no padStart). */
export function timeKeyPrefix(epochMs: number): string {
  return `0000000000000${epochMs}`.slice(-13);
}

/** The index sort key of a message: its publish time, then its id. */
function timeKey(message: Message): string {
  return `${timeKeyPrefix(util.time.parseISO8601ToEpochMilliSeconds(message.publishedAt))}#${message.id}`;
}

/** Retention in milliseconds. */
export const retentionMs = historyRetentionHours * 60 * 60 * 1000;

/** The table item of a message (key and attributes), expiring `historyRetentionHours` after `nowSeconds`. */
export function toItem(message: Message, nowSeconds: number) {
  const attributes: Record<string, unknown> = {
    [TIME_KEY]: timeKey(message),
    data: message.data,
    origin: message.origin,
    publishedAt: message.publishedAt,
    [EXPIRY_KEY]: nowSeconds + historyRetentionHours * 60 * 60,
  };
  // No attribute at all for an API key caller, rather than a NULL.
  if (message.sender) attributes.sender = message.sender;
  return {
    key: util.dynamodb.toMapValues({ [CHANNEL_KEY]: message.name, [MESSAGE_ID_KEY]: message.id }),
    attributeValues: util.dynamodb.toMapValues(attributes),
  };
}

/** The message a table item holds. */
export function fromItem(item: Record<string, unknown>): Message {
  const message: Message = {
    name: item[CHANNEL_KEY] as string,
    data: item.data as string,
    id: item[MESSAGE_ID_KEY] as string,
    origin: item.origin as string,
    publishedAt: item.publishedAt as string,
  };
  if (item.sender) message.sender = item.sender as string;
  return message;
}
