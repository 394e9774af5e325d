import { util, Context } from "@aws-appsync/utils";
import { requireRight, senderOf } from "./lib/access";
import { requireAllowedChannel } from "./lib/channels";
import { Message, requireDataWithinLimit, requireEveryChannelFieldSelected, requireValidMessageId, toChannel } from "./lib/messages";
import { region } from "./lib/settings";
import { isGiven } from "./lib/values";

type Args = { name: string; data: unknown; id?: string | null };

/**
 * Pipeline "before": checks the selection, the channel, the caller's publish right, the id and the
 * size, and makes the message the functions store (`storeMessage`, with history on) and put on the
 * bus (`putMessageEvent`). The sender comes from the caller's identity, never from the arguments.
 */
export function request(ctx: Context<Args>) {
  const { name, data, id } = ctx.args;
  requireEveryChannelFieldSelected(ctx.info);
  requireAllowedChannel(name);
  requireRight(ctx, "publish", name);
  if (isGiven(id)) requireValidMessageId(id);
  const message: Message = {
    name,
    data: requireDataWithinLimit(data),
    id: isGiven(id) ? id : util.autoId(),
    origin: region,
    publishedAt: util.time.nowISO8601(),
  };
  const sender = senderOf(ctx);
  if (sender) message.sender = sender;
  ctx.stash.message = message;
  return {};
}

/** Pipeline "after": the message as stored (the original, on a retry), which fires this region's subscriptions. */
export function response(ctx: Context<Args>) {
  return toChannel(ctx.stash.message as Message);
}
