import { util } from "@aws-appsync/utils";
import { MESSAGE_ID_PATTERN, MESSAGE_ID_RULE } from "./rules";

/**
 * A message as it is stored, put on the bus and kept in `ctx.stash.message`: `data` is the JSON
 * text of the message's value, `sender` is absent for an API key.
 */
export type Message = { name: string; data: string; id: string; origin: string; publishedAt: string; sender?: string };

/** Fails the request unless `id` is a well-formed client message id. */
export function requireValidMessageId(id: string): void {
  if (!util.matches(MESSAGE_ID_PATTERN, id)) {
    util.error(`Message id "${id.slice(0, 140)}" is not valid: use ${MESSAGE_ID_RULE}.`, "InvalidMessageId");
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
