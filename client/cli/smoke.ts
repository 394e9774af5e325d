import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { GlobalWsClient } from "../lib/client";
import type { AuthOption } from "../lib/auth";
import { createNodeClient } from "../lib/node";
import type { DecodedMessage } from "../lib/operations";
import type { ClientOutputs } from "../lib/outputs";
import type { ChannelSubscription } from "../lib/subscription";
import { lost, type RouteStats } from "./latencyMatrix";
import { requestOutage } from "./outageControl";

/** What a smoke run does. */
export interface SmokeOptions {
  /** Messages to publish in each region. */
  count: number;
  /** Channel to use; by default one is derived from the allowlist. */
  channel?: string;
  /** How long to wait for the last deliveries after the last publish. */
  timeoutMs: number;
  /** Take this region of the local runtime down for `seconds` in the middle of the run. */
  outage?: { region: string; seconds: number };
  /** How to authenticate (default: each region's API key). */
  auth?: AuthOption;
  /** Progress lines (stderr for the command line). */
  log(line: string): void;
}

/** What one region's subscriber went through. */
export interface SubscriberReport {
  region: string;
  /** Times its live connection was lost. */
  drops: number;
  /** Time without a live subscription, from each drop to its resume. */
  downMs: number;
  /** Regions it failed over to, in order (home last when it came back). */
  failovers: string[];
  /** Messages it caught up from history. */
  caughtUp: number;
  /** Gaps it reported (messages it could not read back). */
  gaps: number;
}

/** What a smoke run measured. */
export interface SmokeResult {
  channel: string;
  regions: string[];
  routes: RouteStats[];
  /** Publishes that failed for good (after their retries). */
  publishErrors: string[];
  outage?: { region: string; seconds: number };
  subscribers: SubscriberReport[];
}

/** The payload of a smoke message: which run, region and sequence number it is. */
interface SmokeData {
  smokeRun: string;
  origin: string;
  seq: number;
}

/**
 * Subscribes in every region with the client library (each subscriber homed in its region, free
 * to fail over), publishes `count` messages in each region, each with its own id, and measures
 * every origin → destination route: latency from the publish call to the delivery, losses,
 * duplicates. With an outage, publishing is spread over three times its length and the region
 * goes down after the first third; every publisher and subscriber must ride it out.
 */
export async function runSmoke(outputs: ClientOutputs, options: SmokeOptions): Promise<SmokeResult> {
  const regions = Object.keys(outputs.regions);
  const clients = regions.map((region) => createNodeClient(outputs, { home: region, auth: options.auth }));
  const channel = options.channel ?? smokeChannelFor(await clients[0].channels());
  const run = randomUUID();
  const routes = regions.flatMap((origin) => regions.map((destination): RouteStats => ({ origin, destination, sent: 0, latenciesMs: [], duplicates: 0 })));
  const route = (origin: string, destination: string) => routes.find((r) => r.origin === origin && r.destination === destination) as RouteStats;
  const sentAt = new Map<string, number>();
  const seen = new Set<string>();
  let onDelivery = () => {};

  const receive = (destination: string, message: DecodedMessage) => {
    const data = message.data as Partial<SmokeData> | null;
    if (data?.smokeRun !== run || typeof data.origin !== "string") return;
    const started = sentAt.get(`${data.origin}/${data.seq}`);
    if (!regions.includes(data.origin) || started === undefined) return;
    const stats = route(data.origin, destination);
    if (seen.has(`${destination}/${message.id}`)) {
      stats.duplicates += 1;
      return;
    }
    seen.add(`${destination}/${message.id}`);
    stats.latenciesMs.push(performance.now() - started);
    onDelivery();
  };

  options.log(`smoke: subscribing to "${channel}" in ${regions.join(", ")}`);
  const subscriptions: ChannelSubscription[] = [];
  const subscribers = regions.map((region): SubscriberReport => ({ region, drops: 0, downMs: 0, failovers: [], caughtUp: 0, gaps: 0 }));
  try {
    await Promise.all(clients.map((client, index) => subscribeAndWatch(client, channel, subscribers[index], subscriptions, (message) => receive(regions[index], message), options.log)));
    options.log(`smoke: publishing ${options.count} messages in each region, each with its own id`);
    const publishErrors: string[] = [];
    const spacingMs = options.outage ? (3 * options.outage.seconds * 1000) / options.count : 0;
    const outage = options.outage && scheduleOutage(outputs, options.outage, options.log);
    const firstPublish = performance.now();
    await Promise.all(
      clients.map(async (client, index) => {
        const origin = regions[index];
        for (let seq = 0; seq < options.count; seq += 1) {
          const due = firstPublish + seq * spacingMs;
          if (due > performance.now()) await new Promise((resolve) => setTimeout(resolve, due - performance.now()));
          sentAt.set(`${origin}/${seq}`, performance.now());
          try {
            await client.publish(channel, { smokeRun: run, origin, seq } satisfies SmokeData, {
              id: `smoke-${run}-${origin}-${seq}`,
              onRetry: (retry) => options.log(`smoke: publish ${origin}/${seq} failed in ${retry.region} (${retry.error.message}); retrying in ${retry.nextRegion}`),
            });
            // Acknowledged: every region must deliver it.
            for (const destination of regions) route(origin, destination).sent += 1;
          } catch (error) {
            publishErrors.push(`${origin}: ${(error as Error).message}`);
          }
        }
      }),
    );
    await outage;
    // Every acknowledged message is counted now: wait until each has reached every region.
    const allDelivered = new Promise<void>((resolve) => {
      onDelivery = () => {
        if (routes.every((r) => r.latenciesMs.length >= r.sent)) resolve();
      };
      onDelivery();
    });
    await waitAtMost(allDelivered, options.timeoutMs);
    return { channel, regions, routes, publishErrors, outage: options.outage, subscribers };
  } finally {
    for (const subscription of subscriptions) subscription.close();
  }
}

/** Subscribes, records what the subscription goes through in `report`, and resolves once it is live. */
function subscribeAndWatch(
  client: GlobalWsClient,
  channel: string,
  report: SubscriberReport,
  subscriptions: ChannelSubscription[],
  receive: (message: DecodedMessage) => void,
  log: (line: string) => void,
): Promise<void> {
  const subscription = client.subscribe(channel);
  subscriptions.push(subscription);
  subscription.on("message", receive);
  subscription.on("deliveryError", (error) => log(`smoke: a delivery in ${report.region} came without a message: ${error.message}`));
  subscription.on("state", (change) => {
    if (change.from === "live" && change.to === "reconnecting") report.drops += 1;
  });
  subscription.on("resumed", (event) => {
    report.downMs += event.downtimeMs;
    report.caughtUp += event.caughtUp;
    log(`smoke: subscriber ${report.region} resumed in ${event.region} after ${(event.downtimeMs / 1000).toFixed(1)} s, caught up ${event.caughtUp}`);
  });
  subscription.on("failover", (event) => {
    report.failovers.push(event.to);
    log(`smoke: subscriber ${report.region} failed over to ${event.to}`);
  });
  subscription.on("gap", () => (report.gaps += 1));
  subscription.on("unsubscribed", () => log(`smoke: subscription in ${report.region} was closed by the server`));
  return new Promise((resolve, reject) => {
    subscription.on("state", (change) => change.to === "live" && resolve());
    subscription.on("failed", reject);
  });
}

/** Takes the region down after the first third of the publishing, and resolves once it is back. */
async function scheduleOutage(outputs: ClientOutputs, outage: { region: string; seconds: number }, log: (line: string) => void): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, outage.seconds * 1000));
  const started = await requestOutage(outputs, outage.region, outage.seconds);
  log(`smoke: ${outage.region} is down until ${started.until}`);
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(started.until) - Date.now())));
  log(`smoke: ${outage.region} is back`);
}

/** True when every acknowledged message reached every region exactly once and every publish succeeded. */
export function smokePassed(result: SmokeResult): boolean {
  return result.publishErrors.length === 0 && result.routes.every((route) => lost(route) === 0 && route.duplicates === 0);
}

/** The lines that say what each subscriber saw of the outage. */
export function formatOutageReport(result: SmokeResult): string[] {
  if (!result.outage) return [];
  const width = Math.max(...result.regions.map((region) => region.length));
  return [
    `Outage of ${result.outage.region} for ${result.outage.seconds} s; what each subscriber saw:`,
    ...result.subscribers.map((report) => {
      const parts = report.drops === 0 ? ["never dropped"] : [`dropped ${report.drops}×, ${(report.downMs / 1000).toFixed(1)} s without a live subscription`, `caught up ${report.caughtUp}`];
      if (report.failovers.length > 0) parts.push(`failed over to ${report.failovers.join(", then ")}`);
      if (report.gaps > 0) parts.push(`${report.gaps} gap(s) reported`);
      return `  ${report.region.padEnd(width)}  ${parts.join("; ")}`;
    }),
  ];
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
