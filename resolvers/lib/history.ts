import { util } from "@aws-appsync/utils";
import { CHANNEL_KEY, EXPIRY_KEY, MESSAGE_ID_KEY, TIME_KEY } from "./historyTable";
import type { Message } from "./messages";
import { historyRetentionHours } from "./settings";

/** The largest time a 13-digit key holds (the year 2286). */
const LATEST_MS = 9999999999999;

/**
 * Epoch milliseconds as 13 zero-padded digits, so that text order is time order (APPSYNC_JS has no
 * padStart); a time past what 13 digits hold is the latest one.
 */
export function timeKeyPrefix(epochMs: number): string {
  return `0000000000000${Math.min(Math.max(epochMs, 0), LATEST_MS)}`.slice(-13);
}

/** The index sort key of a message: its publish time, then its id. */
function timeKey(message: Message): string {
  return `${timeKeyPrefix(util.time.parseISO8601ToEpochMilliSeconds(message.publishedAt))}#${message.id}`;
}

/** Retention in milliseconds. */
export const retentionMs = historyRetentionHours * 60 * 60 * 1000;

/**
 * Who may retry a message with the same id: a stable form of the publisher's identity (`sender`
 * names the very caller, e.g. an IAM role's session, which changes when a publisher restarts).
 * `oidc:<sub>`, `cognito:<identity id>`, or `iam:<ARN>` without the role session; none for an API key.
 */
export function senderKeyOf(identity: Record<string, unknown> | null): string | undefined {
  if (!identity) return undefined;
  if (identity.sub) return `oidc:${identity.sub}`;
  if (identity.cognitoIdentityId) return `cognito:${identity.cognitoIdentityId}`;
  const arn = identity.userArn as string | undefined;
  if (!arn) return undefined;
  // arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION: the role, whatever the session.
  const parts = arn.split("/");
  return arn.indexOf(":assumed-role/") > 0 ? `iam:${parts[0]}/${parts[1]}` : `iam:${arn}`;
}

/** The attribute that holds `senderKeyOf`, compared when a put meets a stored message. */
export const SENDER_KEY = "senderKey";

/**
 * The table item of a message (key and attributes), expiring `historyRetentionHours` after
 * `nowSeconds`, published by the caller whose stable identity is `senderKey`.
 */
export function toItem(message: Message, nowSeconds: number, senderKey: string | undefined) {
  const attributes: Record<string, unknown> = {
    [TIME_KEY]: timeKey(message),
    data: message.data,
    origin: message.origin,
    publishedAt: message.publishedAt,
    [EXPIRY_KEY]: nowSeconds + historyRetentionHours * 60 * 60,
  };
  // No attribute at all for an API key caller, rather than a NULL.
  if (message.sender) attributes.sender = message.sender;
  if (senderKey) attributes[SENDER_KEY] = senderKey;
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
