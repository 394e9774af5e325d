/**
 * The rules that both the resolvers (at request time) and the Pulumi config (at deploy time)
 * enforce. Plain values only: this file must not import `@aws-appsync/utils`.
 */

/** A channel name: 1 to 64 letters, digits, `_`, `.` or `-`. */
export const CHANNEL_NAME_PATTERN = "^[A-Za-z0-9_.-]{1,64}$";

/** Said wherever a channel name is refused. */
export const CHANNEL_NAME_RULE = "1 to 64 of the characters A-Z a-z 0-9 _ . -";

/**
 * AppSync's subscription payload limit, "240 kilobytes" (Service Quotas, "Subscription payload size";
 * https://docs.aws.amazon.com/general/latest/gr/appsync.html): the whole `{"data":{"subscribe":{…}}}`.
 */
export const SUBSCRIPTION_PAYLOAD_BYTES = 240 * 1024;

/**
 * What a subscription payload needs besides `data`, with every other field at its largest: the
 * envelope and keys, `name` (64), `id` (128, a client's own id), `origin` (a region name, up to 32),
 * `publishedAt` (an AWSDateTime, up to 38), `__typename` (clients such as Amplify add it) and 2 KB
 * for a `sender` (an IAM ARN or an OIDC subject), rounded up.
 */
export const PAYLOAD_RESERVED_BYTES = 4 * 1024;

/**
 * Largest `data` a message may carry, measured as it travels: its JSON text written as a JSON string
 * (AWSJSON in the subscription payload, and `detail.data` on the bus), in UTF-8 bytes. Quotes and
 * backslashes count twice. This keeps every subscription payload within AppSync's limit.
 */
export const MAX_DATA_BYTES = SUBSCRIPTION_PAYLOAD_BYTES - PAYLOAD_RESERVED_BYTES;

/** Said wherever a message id is refused. */
export const MESSAGE_ID_RULE = "1 to 128 of the characters A-Z a-z 0-9 _ . : -";

/** Messages a `history` page holds unless the caller asks for fewer. */
export const HISTORY_PAGE_DEFAULT = 50;

/** The most messages a `history` page may hold. */
export const HISTORY_PAGE_MAX = 100;

/** A message id: 1 to 128 letters, digits, `_`, `.`, `:` or `-` (a UUID, or a client's own id). */
export const MESSAGE_ID_PATTERN = "^[A-Za-z0-9_.:-]{1,128}$";

/** The `origin` of a message: the shape of an AWS region name, at most 32 characters. */
export const ORIGIN_PATTERN = "^[a-z0-9-]{1,32}$";

/** `source` of every event globalws puts on a bus. */
export const EVENT_SOURCE = "globalws";

/** `detail-type` of a published message. */
export const MESSAGE_PUBLISHED = "message.published";

/** `detail-type` of a forced unsubscribe. */
export const CHANNEL_UNSUBSCRIBED = "channel.unsubscribed";

/** True when `name` is on the allowlist: an entry ending in `*` is a prefix; an empty list allows every name. */
export function isOnAllowlist(name: string, allowlist: string[]): boolean {
  return (
    allowlist.length === 0 ||
    allowlist.some((entry) =>
      entry.endsWith("*") ? name.startsWith(entry.slice(0, -1)) : entry === name,
    )
  );
}
