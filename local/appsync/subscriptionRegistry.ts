import type { SubscriptionFilter } from "./resolverRuntime";
import { filterMatches } from "./subscriptionFilter";

/** A subscription that a client started and the subscribe resolver accepted. */
export interface ActiveSubscription {
  /** The Subscription field it selects, e.g. `subscribe`. */
  readonly fieldName: string;
  readonly args: Readonly<Record<string, unknown>>;
  /** The enhanced filter the resolver set; without one, the arguments filter (AppSync's basic filtering). */
  readonly filter?: SubscriptionFilter;
  readonly invalidationFilter?: SubscriptionFilter;
  /** Subscriptions with the same key render a payload identically (same document, variables and auth mode). */
  readonly shapeKey: string;
  /** The `payload` of the data message for one mutation result, as JSON; `null` when over AppSync's subscription payload limit. */
  render(result: unknown): string | null;
  /** Sends a rendered payload to the client. */
  deliver(payloadJson: string): void;
  /** Ends the subscription because a mutation invalidated it, telling the client. */
  invalidate(): void;
  /** Lets go of what the subscription holds (its parsed document); called once it is removed or invalidated. */
  release(): void;
}

function argumentsMatch(args: Readonly<Record<string, unknown>>, result: unknown): boolean {
  return Object.entries(args).every(
    ([name, value]) => value === null || value === undefined || (result as Record<string, unknown> | null)?.[name] === value,
  );
}

/** The live subscriptions of one API, and the fan-out of mutation results to them. */
export class SubscriptionRegistry {
  private readonly byField = new Map<string, Set<ActiveSubscription>>();
  private oversizedMessages = 0;

  /** @param subscribedMutations Subscription field → the mutation fields that fire it (`@aws_subscribe`). */
  constructor(private readonly subscribedMutations: ReadonlyMap<string, readonly string[]>) {}

  /**
   * Mutation results a subscription field did not deliver because a subscriber's payload would
   * have been over AppSync's 240 KB: AppSync delivers no such payload and counts it in its
   * `InboundMessageError` metric ("exceeding the 240 kB subscription payload size limit",
   * https://docs.aws.amazon.com/appsync/latest/devguide/monitoring.html).
   */
  get inboundMessageErrors(): number {
    return this.oversizedMessages;
  }

  add(subscription: ActiveSubscription): void {
    let set = this.byField.get(subscription.fieldName);
    if (!set) this.byField.set(subscription.fieldName, (set = new Set()));
    set.add(subscription);
  }

  remove(subscription: ActiveSubscription): void {
    this.byField.get(subscription.fieldName)?.delete(subscription);
    subscription.release();
  }

  /**
   * Delivers the result of mutation field `mutationField` to every subscription it fires that
   * passes its filter. Each distinct subscription shape is rendered once per result; a payload
   * over the limit goes to no one (see `inboundMessageErrors`).
   * @returns how many subscriptions received it.
   */
  publish(mutationField: string, result: unknown): number {
    const rendered = new Map<string, string | null>();
    let delivered = 0;
    for (const [fieldName, mutations] of this.subscribedMutations) {
      if (!mutations.includes(mutationField)) continue;
      let tooLarge = false;
      for (const subscription of this.byField.get(fieldName) ?? []) {
        const passes = subscription.filter ? filterMatches(subscription.filter, result) : argumentsMatch(subscription.args, result);
        if (!passes) continue;
        let payload = rendered.get(subscription.shapeKey);
        if (payload === undefined) rendered.set(subscription.shapeKey, (payload = subscription.render(result)));
        if (payload === null) {
          tooLarge = true;
          continue;
        }
        subscription.deliver(payload);
        delivered += 1;
      }
      if (tooLarge) this.oversizedMessages += 1;
    }
    return delivered;
  }

  /**
   * Ends the subscriptions on `subscriptionField` whose invalidation filter matches `payload`
   * (`extensions.invalidateSubscriptions`). @returns how many ended.
   */
  invalidate(subscriptionField: string, payload: unknown): number {
    const set = this.byField.get(subscriptionField);
    if (!set) return 0;
    const ended = [...set].filter((subscription) => subscription.invalidationFilter && filterMatches(subscription.invalidationFilter, payload));
    for (const subscription of ended) {
      set.delete(subscription);
      subscription.release();
      subscription.invalidate();
    }
    return ended.length;
  }
}
