import { util, extensions, Context } from "@aws-appsync/utils";
import { requireRight } from "./lib/access";
import { requireAllowedChannel } from "./lib/channels";

type Args = { name: string };

/** Refuses a channel outside the allowlist, or one the caller may not subscribe to, with an error the client sees. */
export function request(ctx: Context<Args>) {
  requireAllowedChannel(ctx.args.name);
  requireRight(ctx, "subscribe", ctx.args.name);
  return { payload: null };
}

/** Delivers only this channel's messages, and lets `unsubscribe` end the subscription. */
export function response(ctx: Context<Args>) {
  const filter = util.transform.toSubscriptionFilter({ name: { eq: ctx.args.name } });
  extensions.setSubscriptionFilter(filter);
  extensions.setSubscriptionInvalidationFilter(filter);
  return null;
}
