import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { DecodedMessage } from "../lib/operations";
import type { RealtimeConnection } from "../lib/realtime";
import type { RegionApi } from "../lib/regionApi";
import { lost, type RouteStats } from "./latencyMatrix";

/** What a smoke run does. */
export interface SmokeOptions {
  /** Messages to publish in each region. */
  count: number;
  /** Channel to use; by default one is derived from the allowlist. */
  channel?: string;
  /** How long to wait for the last deliveries after the last publish. */
  timeoutMs: number;
  /** Progress lines (stderr for the command line). */
  log(line: string): void;
}

/** What a smoke run measured. */
export interface SmokeResult {
  channel: string;
  regions: string[];
  routes: RouteStats[];
  /** Publishes the API refused. */
  publishErrors: string[];
}

/** The payload of a smoke message: which run, region and sequence number it is. */
interface SmokeData {
  smokeRun: string;
  origin: string;
  seq: number;
}

/**
 * Subscribes in every region, publishes `count` messages in each, and measures every
 * origin → destination route: latency from the publish call to the delivery, losses, duplicates.
 */
export async function runSmoke(apis: RegionApi[], options: SmokeOptions): Promise<SmokeResult> {
  const regions = apis.map((api) => api.region);
  const channel = options.channel ?? smokeChannelFor(await apis[0].channels());
  const run = randomUUID();
  const routes = regions.flatMap((origin) =>
    regions.map((destination): RouteStats => ({ origin, destination, sent: 0, latenciesMs: [], duplicates: 0 })),
  );
  const route = (origin: string, destination: string) =>
    routes.find((r) => r.origin === origin && r.destination === destination);
  const sentAt = new Map<string, number>();
  const seen = new Set<string>();
  let onDelivery = () => {};

  const receive = (destination: string, message: DecodedMessage) => {
    const data = message.data as Partial<SmokeData> | null;
    if (data?.smokeRun !== run || typeof data.origin !== "string") return;
    const stats = route(data.origin, destination);
    const started = sentAt.get(`${data.origin}/${data.seq}`);
    if (!stats || started === undefined) return;
    if (seen.has(`${destination}/${message.id}`)) {
      stats.duplicates += 1;
      return;
    }
    seen.add(`${destination}/${message.id}`);
    stats.latenciesMs.push(performance.now() - started);
    onDelivery();
  };

  options.log(`smoke: subscribing to "${channel}" in ${regions.join(", ")}`);
  const connections: RealtimeConnection[] = [];
  try {
    for (const api of apis) {
      const connection = await api.connectRealtime();
      connections.push(connection);
      await api.subscribe(connection, channel, {
        next: (message) => receive(api.region, message),
        deliveryError: (error) => options.log(`smoke: a delivery in ${api.region} came without a message: ${error.message}`),
        error: (error) => options.log(`smoke: subscription in ${api.region} failed: ${error.message}`),
        complete: () => options.log(`smoke: subscription in ${api.region} was closed by the server`),
      });
    }
    const expected = options.count * regions.length * regions.length;
    const allDelivered = new Promise<void>((resolve) => {
      onDelivery = () => {
        if (routes.every((r) => r.latenciesMs.length === options.count)) resolve();
      };
    });
    options.log(`smoke: publishing ${options.count} messages in each region (${expected} deliveries expected)`);
    const publishErrors: string[] = [];
    await Promise.all(
      apis.map(async (api) => {
        for (let seq = 0; seq < options.count; seq += 1) {
          for (const destination of regions) route(api.region, destination)!.sent += 1;
          sentAt.set(`${api.region}/${seq}`, performance.now());
          await api
            .publish(channel, { smokeRun: run, origin: api.region, seq } satisfies SmokeData)
            .catch((error: Error) => publishErrors.push(`${api.region}: ${error.message}`));
        }
      }),
    );
    await waitAtMost(allDelivered, options.timeoutMs);
    return { channel, regions, routes, publishErrors };
  } finally {
    await Promise.all(connections.map((connection) => connection.close()));
  }
}

/** True when every published message reached every region and every publish succeeded. */
export function smokePassed(result: SmokeResult): boolean {
  return result.publishErrors.length === 0 && result.routes.every((route) => lost(route) === 0);
}

/**
 * A channel the allowlist permits and that nobody is likely to watch: `<prefix>smoke` for a
 * prefix entry, else the first exact entry, else `globalws-smoke` when any name is allowed.
 */
export function smokeChannelFor(allowlist: string[]): string {
  const prefix = allowlist.find((entry) => entry.endsWith("*"));
  if (prefix !== undefined) return `${prefix.slice(0, -1)}smoke`;
  return allowlist[0] ?? "globalws-smoke";
}

function waitAtMost(promise: Promise<void>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
