import { Context } from "@aws-appsync/utils";
import { requireValidChannelName } from "./lib/channels";
import { requireDataWithinLimit, requireValidMessageId, requireValidOrigin } from "./lib/messages";

type Args = { name: string; data: unknown; id: string; origin: string; publishedAt: string; sender?: string | null };

/**
 * EventBridge hands over a message published in another region; it is checked as `publish` checks
 * one (`publishedAt` by its AWSDateTime type) and returned as it came. The allowlist is not checked:
 * the origin region did that, and a region whose config changes a moment later must still deliver.
 * Nor are rights: the origin region checked the publisher's, and set `sender` from their identity.
 */
export function request(ctx: Context<Args>) {
  const { name, data, id, origin } = ctx.args;
  requireValidChannelName(name);
  requireDataWithinLimit(data);
  requireValidMessageId(id);
  requireValidOrigin(origin);
  return { payload: ctx.args };
}

/** Returning the message fires this region's subscriptions. */
export function response(ctx: Context<Args>) {
  return ctx.result;
}
