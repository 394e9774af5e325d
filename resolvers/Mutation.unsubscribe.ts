import { Context } from "@aws-appsync/utils";
import { requireValidChannelName } from "./lib/channels";
import { putEvent, requireEventAccepted } from "./lib/events";
import { invalidateChannel } from "./lib/invalidation";
import { CHANNEL_UNSUBSCRIBED } from "./lib/rules";
import { region } from "./lib/settings";

type Args = { name: string };

/**
 * Puts one `channel.unsubscribed` event so every other region closes the channel too.
 * Only the name's shape is checked: closing a channel that has left the allowlist must still work.
 */
export function request(ctx: Context<Args>) {
  requireValidChannelName(ctx.args.name);
  return putEvent(CHANNEL_UNSUBSCRIBED, { name: ctx.args.name, origin: region, via: region });
}

/** Closes this region's subscriptions once the event is on the bus. */
export function response(ctx: Context<Args>) {
  requireEventAccepted(ctx);
  invalidateChannel(ctx.args.name);
  return { name: ctx.args.name, origin: region };
}
