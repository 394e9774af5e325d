/**
 * The rules that both the resolvers (at request time) and the Pulumi config (at deploy time)
 * enforce. Plain values only: this file must not import `@aws-appsync/utils`.
 */

/** A channel name: 1 to 64 letters, digits, `_`, `.` or `-`. */
export const CHANNEL_NAME_PATTERN = "^[A-Za-z0-9_.-]{1,64}$";

/** Said wherever a channel name is refused. */
export const CHANNEL_NAME_RULE = "1 to 64 of the characters A-Z a-z 0-9 _ . -";

/** A client-chosen message id: 1 to 128 letters, digits, `_`, `.`, `:` or `-`. */
export const MESSAGE_ID_PATTERN = "^[A-Za-z0-9_.:-]{1,128}$";

/** Said wherever a message id is refused. */
export const MESSAGE_ID_RULE = "1 to 128 of the characters A-Z a-z 0-9 _ . : -";

/** Messages a `history` page holds unless the caller asks for fewer. */
export const HISTORY_PAGE_DEFAULT = 50;

/** The most messages a `history` page may hold. */
export const HISTORY_PAGE_MAX = 100;

/** Largest `data` a message may carry, in UTF-8 bytes of its JSON (AppSync's subscription payload limit is about 240 KB). */
export const MAX_DATA_BYTES = 240 * 1024;

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
