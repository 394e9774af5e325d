import { extensions } from "@aws-appsync/utils";

/** Ends every subscription to channel `name` on this API (matched by Subscription.subscribe's invalidation filter). */
export function invalidateChannel(name: string): void {
  extensions.invalidateSubscriptions({ subscriptionField: "subscribe", payload: { name } });
}
