/**
 * The history table's layout, shared by the resolvers that read and write it, the Pulumi program
 * that creates it and the local runtime that emulates it. Plain values only: this file must not
 * import `@aws-appsync/utils`.
 *
 * One item per message, keyed by channel and message id, so a conditional put stores a `(name, id)`
 * at most once. A global secondary index keyed by channel and `ts` (publish time, then id) serves
 * `history` in time order with DynamoDB's own paging.
 */

/** Partition key of the table and of the index: the channel name. */
export const CHANNEL_KEY = "name";

/** Sort key of the table: the message id (client-chosen or server-made). */
export const MESSAGE_ID_KEY = "id";

/** The index that orders a channel's messages by `ts`. */
export const TIME_INDEX = "byTime";

/**
 * Sort key of the index: the publish time in epoch milliseconds, zero-padded to 13 digits, then
 * `#` and the id, so text order is time order and ties are broken by id.
 */
export const TIME_KEY = "ts";

/** The TTL attribute: epoch seconds after which the message is past its retention. */
export const EXPIRY_KEY = "expiresAt";
