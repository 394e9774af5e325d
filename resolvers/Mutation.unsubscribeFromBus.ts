import { Context } from "@aws-appsync/utils";
import { requireValidChannelName } from "./lib/channels";
import { invalidateChannel } from "./lib/invalidation";
import { requireValidOrigin } from "./lib/messages";

type Args = { name: string; origin: string };

/**
 * EventBridge hands over an unsubscribe requested in another region. Only the name's shape is
 * checked, as `unsubscribe` does: closing a channel that has left the allowlist must still work.
 */
export function request(ctx: Context<Args>) {
  requireValidChannelName(ctx.args.name);
  requireValidOrigin(ctx.args.origin);
  return { payload: ctx.args };
}

/** Closes this region's subscriptions of the channel. */
export function response(ctx: Context<Args>) {
  invalidateChannel(ctx.args.name);
  return ctx.result;
}
