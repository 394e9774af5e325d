import { util } from "@aws-appsync/utils";
import { CHANNEL_FIELDS, MAX_DATA_BYTES, MESSAGE_ID_PATTERN, MESSAGE_ID_RULE, ORIGIN_PATTERN } from "./rules";

/**
 * A message as it is stored, put on the bus and kept in `ctx.stash.message`: `data` is the JSON
 * text of the message's value, `sender` is absent for an API key.
 */
export type Message = { name: string; data: string; id: string; origin: string; publishedAt: string; sender?: string };

/** UTF-8 size of `text`, read off its base64 form (APPSYNC_JS has no TextEncoder). */
function utf8Bytes(text: string): number {
  const base64 = util.base64Encode(text);
  const padding = base64.endsWith("==") ? 2 : base64.endsWith("=") ? 1 : 0;
  return (base64.length / 4) * 3 - padding;
}

/**
 * Fails the request unless `data` fits a subscription payload, measured as it travels: its JSON text
 * written as a JSON string (so quotes and backslashes count twice). @returns the JSON text.
 */
export function requireDataWithinLimit(data: unknown): string {
  const json = JSON.stringify(data);
  const bytes = utf8Bytes(JSON.stringify(json));
  if (bytes > MAX_DATA_BYTES) {
    util.error(
      `Message data takes ${bytes} bytes written as a JSON string; the limit is ${MAX_DATA_BYTES} bytes (AppSync's 240 KB subscription payload, less room for the other fields).`,
      "MessageTooLarge",
    );
  }
  return json;
}

/** What AppSync tells a resolver of the fields its caller selected (`ctx.info`). */
type Selection = { selectionSetList: string[]; selectionSetGraphQL: string };

/**
 * Fails the request unless it selects every `Channel` field directly: no alias (AppSync lists an
 * aliased field by its alias only), no fragment and no directive (`@include(if: false)`). AppSync
 * sends this region's subscribers only what the mutation selected, so a publisher could otherwise
 * hide `sender` from them or put another field's value in its place.
 * (https://docs.aws.amazon.com/appsync/latest/devguide/resolver-context-reference-js.html)
 */
export function requireEveryChannelFieldSelected(info: Selection): void {
  const missing = CHANNEL_FIELDS.filter((field) => info.selectionSetList.indexOf(field) < 0);
  const text = info.selectionSetGraphQL;
  const indirect = text.indexOf(":") >= 0 || text.indexOf("...") >= 0 || text.indexOf("@") >= 0;
  if (missing.length > 0 || indirect) {
    util.error(
      `publish must select every Channel field (${CHANNEL_FIELDS.join(" ")}) directly, without aliases, fragments or directives: subscribers in this region receive only what the publish selects.`,
      "BadRequest",
    );
  }
}

/** Fails the request unless `id` is a well-formed message id. */
export function requireValidMessageId(id: string): void {
  if (!util.matches(MESSAGE_ID_PATTERN, id)) {
    util.error(`Message id "${id.slice(0, 80)}" is not valid: use ${MESSAGE_ID_RULE}.`, "InvalidMessageId");
  }
}

/** Fails the request unless `origin` is shaped like an AWS region name. */
export function requireValidOrigin(origin: string): void {
  if (!util.matches(ORIGIN_PATTERN, origin)) {
    util.error(`Origin "${origin.slice(0, 80)}" is not a region name: use 1 to 32 of the characters a-z 0-9 -.`, "InvalidOrigin");
  }
}

/** The message as the API returns it (a `Channel`): `data` as its value, `sender` null when there is none. */
export function toChannel(message: Message) {
  return {
    name: message.name,
    data: JSON.parse(message.data),
    id: message.id,
    origin: message.origin,
    publishedAt: message.publishedAt,
    sender: message.sender ?? null,
  };
}
