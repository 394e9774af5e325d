import { CHANNEL_FIELDS, CHANNEL_UNSUBSCRIBED, EVENT_SOURCE, MESSAGE_PUBLISHED } from "../resolvers/lib/rules";

/** EventBridge allows at most 5 targets on one rule. */
export const MAX_TARGETS_PER_RULE = 5;

/** An EventBridge event pattern, as JSON (exact values, `anything-but`, `prefix`, `exists`, `$or`). */
export type EventPattern = { [key: string]: EventPattern | unknown[] };

/**
 * The `detail` that says which region an event entered the mesh in: `via` (put by every resolver of
 * this version); or, for an event put by a resolver from before `via` (while `pulumi up` updates the
 * regions one by one), its `origin`, which was the entering region then.
 */
function enteredIn(region: unknown): EventPattern {
  return { $or: [{ detail: { via: [region] } }, { detail: { via: [{ exists: false }], origin: [region] } }] };
}

/** Put the event on another region's bus. */
export interface BusTarget {
  readonly kind: "bus";
  /** The region whose bus receives the event. */
  readonly region: string;
}

/** Run an IAM-signed GraphQL mutation on this region's API, with the event's `detail` as its variables. */
export interface AppSyncTarget {
  readonly kind: "appsync";
  /** The region whose API is called (always the rule's own region). */
  readonly region: string;
  /** The mutation field the operation calls. */
  readonly field: "publishFromBus" | "unsubscribeFromBus";
  /** The GraphQL document EventBridge sends. */
  readonly operation: string;
  /** JSONPath of the part of the event that becomes the variables: no string templating of user data. */
  readonly inputPath: "$.detail";
}

export type RouteTarget = BusTarget | AppSyncTarget;

/** One EventBridge rule on one region's bus. */
export interface RouteRule {
  /** Unique within the region, stable (used in resource names). */
  readonly name: string;
  /** The region whose bus the rule lives on. */
  readonly region: string;
  /** Why the rule exists, for the rule's description. */
  readonly description: string;
  readonly eventPattern: EventPattern;
  /** At most MAX_TARGETS_PER_RULE. */
  readonly targets: readonly RouteTarget[];
}

/**
 * Delivers a message published elsewhere; selects every field a subscriber may ask for. `sender` is
 * absent from the detail of an API key's message, and an absent variable is null.
 */
const PUBLISH_FROM_BUS_OPERATION = `mutation PublishFromBus($name: String!, $data: AWSJSON!, $id: ID!, $origin: String!, $publishedAt: AWSDateTime!, $sender: String) {
  publishFromBus(name: $name, data: $data, id: $id, origin: $origin, publishedAt: $publishedAt, sender: $sender) { ${CHANNEL_FIELDS.join(" ")} }
}`;

/** Delivers an unsubscribe requested elsewhere. */
const UNSUBSCRIBE_FROM_BUS_OPERATION = `mutation UnsubscribeFromBus($name: String!, $origin: String!) {
  unsubscribeFromBus(name: $name, origin: $origin) { name origin }
}`;

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

function forwardRules(region: string, regions: readonly string[]): RouteRule[] {
  const others = regions.filter((other) => other !== region);
  return chunk(others, MAX_TARGETS_PER_RULE).map((group, index) => ({
    name: `forward-${index}`,
    region,
    description: `Copies events published in ${region} to the buses of ${group.join(", ")}`,
    eventPattern: {
      source: [EVENT_SOURCE],
      "detail-type": [MESSAGE_PUBLISHED, CHANNEL_UNSUBSCRIBED],
      ...enteredIn(region),
    },
    targets: group.map((other): BusTarget => ({ kind: "bus", region: other })),
  }));
}

function deliverRule(
  region: string,
  name: string,
  detailType: string,
  field: AppSyncTarget["field"],
  operation: string,
): RouteRule {
  return {
    name,
    region,
    description: `Delivers ${detailType} events from other regions to ${field} of the ${region} API`,
    eventPattern: {
      source: [EVENT_SOURCE],
      "detail-type": [detailType],
      ...enteredIn({ "anything-but": region }),
    },
    targets: [{ kind: "appsync", region, field, operation, inputPath: "$.detail" }],
  };
}

/**
 * The routing plan: a full mesh, because EventBridge stops an event after one bus-to-bus hop.
 * Each region forwards the events that entered the mesh on its bus (`detail.via` = itself) to every
 * other bus, and delivers events that entered elsewhere (`via` ≠ itself) to its own API. `via` is
 * the region whose API put the event, which is the message's `origin` except for a publish retried
 * in another region with the same id: the original is put again there, and must still reach everyone.
 * A one-region plan has no forward rule.
 */
export function planRouting(regions: readonly string[]): RouteRule[] {
  return regions.flatMap((region) => [
    ...forwardRules(region, regions),
    deliverRule(region, "deliver-messages", MESSAGE_PUBLISHED, "publishFromBus", PUBLISH_FROM_BUS_OPERATION),
    deliverRule(region, "deliver-unsubscribes", CHANNEL_UNSUBSCRIBED, "unsubscribeFromBus", UNSUBSCRIBE_FROM_BUS_OPERATION),
  ]);
}
