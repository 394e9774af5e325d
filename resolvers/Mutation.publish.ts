import { util, Context } from "@aws-appsync/utils";
import { requireAllowedChannel } from "./lib/channels";
import { putEvent, requireEventAccepted } from "./lib/events";
import { MAX_DATA_BYTES, MESSAGE_PUBLISHED } from "./lib/rules";
import { region } from "./lib/settings";

type Args = { name: string; data: unknown };

/** UTF-8 size of `text`, read off its base64 form (APPSYNC_JS has no TextEncoder). */
function utf8Bytes(text: string): number {
  const base64 = util.base64Encode(text);
  const padding = base64.endsWith("==") ? 2 : base64.endsWith("=") ? 1 : 0;
  return (base64.length / 4) * 3 - padding;
}

/** Checks channel and size, then puts one `message.published` event on this region's bus. */
export function request(ctx: Context<Args>) {
  const { name, data } = ctx.args;
  requireAllowedChannel(name);
  const json = JSON.stringify(data);
  const bytes = utf8Bytes(json);
  if (bytes > MAX_DATA_BYTES) {
    util.error(
      `Message data is ${bytes} bytes; the limit is ${MAX_DATA_BYTES} bytes (240 KB).`,
      "MessageTooLarge",
    );
  }
  const message = {
    name,
    data: json,
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
