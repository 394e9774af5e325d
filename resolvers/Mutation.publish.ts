import { util, Context } from "@aws-appsync/utils";
import { requireAllowedChannel } from "./lib/channels";
import { Message, requireValidMessageId, toChannel } from "./lib/messages";
import { MAX_DATA_BYTES } from "./lib/rules";
import { region } from "./lib/settings";
import { isGiven } from "./lib/values";

type Args = { name: string; data: unknown; id?: string | null };

/** UTF-8 size of `text`, read off its base64 form (APPSYNC_JS has no TextEncoder). */
function utf8Bytes(text: string): number {
  const base64 = util.base64Encode(text);
  const padding = base64.endsWith("==") ? 2 : base64.endsWith("=") ? 1 : 0;
  return (base64.length / 4) * 3 - padding;
}

/** Who published: `iam:<arn>` for IAM, nothing for an API key. */
function senderOf(ctx: Context<Args>): string | undefined {
  const identity = ctx.identity as { userArn?: string } | null;
  return identity && identity.userArn ? `iam:${identity.userArn}` : undefined;
}

/**
 * Pipeline "before": checks the channel, the size and the id, and makes the message the
 * functions store (`storeMessage`, with history on) and put on the bus (`putMessageEvent`).
 */
export function request(ctx: Context<Args>) {
  const { name, data } = ctx.args;
  requireAllowedChannel(name);
  const id = ctx.args.id;
  if (isGiven(id)) requireValidMessageId(id);
  const json = JSON.stringify(data);
  const bytes = utf8Bytes(json);
  if (bytes > MAX_DATA_BYTES) {
    util.error(`Message data is ${bytes} bytes; the limit is ${MAX_DATA_BYTES} bytes (240 KB).`, "MessageTooLarge");
  }
  const message: Message = {
    name,
    data: json,
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
