import { Context } from "@aws-appsync/utils";
import { putEvent, requireEventAccepted } from "../lib/events";
import type { Message } from "../lib/messages";
import { MESSAGE_PUBLISHED } from "../lib/rules";
import { region } from "../lib/settings";

/**
 * Puts the message on this region's bus. `via` is this region: the mesh forwards what entered it
 * here, even a retried message first published elsewhere (whose `origin` stays the original's).
 */
export function request(ctx: Context) {
  return putEvent(MESSAGE_PUBLISHED, { ...(ctx.stash.message as Message), via: region });
}

/** A failed entry is an error, so the caller retries (with the same id, stored once). */
export function response(ctx: Context) {
  requireEventAccepted(ctx);
  return ctx.stash.message;
}
