import type { DataSource } from "../appsync/resolverRuntime";
import type { EventBus, PutEventsEntry } from "./bus";

/**
 * The EVENTBRIDGE data source of an AppSync API: the resolver's `{operation: "PutEvents", events}`
 * request goes to the region's bus; the result is PutEvents' answer.
 */
export function eventBridgeDataSource(bus: EventBus): DataSource {
  return async (request) => {
    const { operation, events } = (request ?? {}) as { operation?: unknown; events?: PutEventsEntry[] };
    if (operation !== "PutEvents") {
      throw Object.assign(new Error(`Unsupported EventBridge operation ${JSON.stringify(operation)}: only PutEvents`), { type: "BadRequestException" });
    }
    return bus.putEvents(events ?? []);
  };
}
