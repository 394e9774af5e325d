import { util, Context } from "@aws-appsync/utils";
import { requireAllowedChannel } from "./lib/channels";
import { putEvent, requireEventAccepted } from "./lib/events";
import { requireDataWithinLimit } from "./lib/messages";
import { MESSAGE_PUBLISHED } from "./lib/rules";
import { region } from "./lib/settings";

type Args = { name: string; data: unknown };

/** Checks channel and size, then puts one `message.published` event on this region's bus. */
export function request(ctx: Context<Args>) {
  const { name, data } = ctx.args;
  requireAllowedChannel(name);
  const message = {
    name,
    data: requireDataWithinLimit(data),
    id: util.autoId(),
    origin: region,
    publishedAt: util.time.nowISO8601(),
  };
  ctx.stash.message = message;
  return putEvent(MESSAGE_PUBLISHED, message);
}

/** Returns the message, which fires this region's subscriptions at once. */
export function response(ctx: Context<Args>) {
  requireEventAccepted(ctx);
  const message = ctx.stash.message;
  return {
    name: message.name,
    data: ctx.args.data,
    id: message.id,
    origin: message.origin,
    publishedAt: message.publishedAt,
  };
}
