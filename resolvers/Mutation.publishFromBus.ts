import { Context } from "@aws-appsync/utils";

type Args = { name: string; data: unknown; id: string; origin: string; publishedAt: string };

/** EventBridge hands over a message published in another region; it is returned as it came. */
export function request(ctx: Context<Args>) {
  return { payload: ctx.args };
}

/** Returning the message fires this region's subscriptions. */
export function response(ctx: Context<Args>) {
  return ctx.result;
}
