import { Context } from "@aws-appsync/utils";
import { invalidateChannel } from "./lib/invalidation";

type Args = { name: string; origin: string };

/** EventBridge hands over an unsubscribe requested in another region. */
export function request(ctx: Context<Args>) {
  return { payload: ctx.args };
}

/** Closes this region's subscriptions of the channel. */
export function response(ctx: Context<Args>) {
  invalidateChannel(ctx.args.name);
  return ctx.result;
}
