import type { GlobalTable } from "./dynamodb/globalTable";
import type { EventBus } from "./eventbridge/bus";
import { RouteError, type IamRoute } from "./appsync/httpEndpoint";
import type { RegionServer } from "./regionServer";

/** The path of the outage control, on every region's port (IAM only). */
export const OUTAGE_PATH = "/local/outage";

/** The longest outage the control takes (an hour): a rehearsal, not a way to switch a region off. */
export const MAX_OUTAGE_SECONDS = 3_600;

/** What goes down with a region. */
export interface RegionParts {
  readonly server: RegionServer;
  readonly bus: EventBus;
}

/** An outage under way: until when. */
export interface OutageStatus {
  readonly region: string;
  readonly down: boolean;
  /** When the region comes back by itself (ISO), for an outage with a duration. */
  readonly until?: string;
}

/**
 * Takes a region of the local runtime down and back, as an outage of AWS's would look to clients
 * and to the other regions: its port refuses new connections and its open ones (WebSockets too)
 * are dropped, so its HTTP API and real-time endpoint are unreachable; its bus neither receives nor
 * forwards (other regions' targets aimed at it retry, then dead-letter); its history replica stops
 * replicating and catches up once it is back.
 */
export class Outages {
  private readonly down = new Map<string, { until?: number; timer?: NodeJS.Timeout }>();

  constructor(
    private readonly regions: ReadonlyMap<string, RegionParts>,
    private readonly history: GlobalTable | null,
    private readonly log: (line: string) => void,
  ) {}

  /** Regions down now. */
  get downRegions(): string[] {
    return [...this.down.keys()];
  }

  /** Takes `region` down (`true`) or brings it back (`false`); resolves once done. */
  async setDown(region: string, down: boolean): Promise<void> {
    const parts = this.partsOf(region);
    const current = this.down.get(region);
    clearTimeout(current?.timer);
    if (down) this.down.set(region, {});
    else this.down.delete(region);
    if (down === (current !== undefined)) return;
    parts.bus.setDown(down);
    this.history?.setAvailable(region, !down);
    await parts.server.setDown(down);
    this.log(down ? `[${region}] DOWN (outage rehearsal): connections refused, bus and history replication stopped` : `[${region}] back up`);
  }

  /** Takes `region` down now and back in `seconds`. */
  async outage(region: string, seconds: number): Promise<OutageStatus> {
    await this.setDown(region, true);
    const until = Date.now() + seconds * 1000;
    const timer = setTimeout(() => void this.setDown(region, false), seconds * 1000);
    this.down.set(region, { until, timer });
    return { region, down: true, until: new Date(until).toISOString() };
  }

  /** Cancels the pending returns (the runtime is stopping). */
  close(): void {
    for (const state of this.down.values()) clearTimeout(state.timer);
  }

  /** `POST /local/outage?region=R&seconds=N` (IAM, empty body): takes R down for N seconds. */
  route(): IamRoute {
    return {
      method: "POST",
      handle: (query) => {
        const region = query.get("region") ?? "";
        const seconds = Number(query.get("seconds"));
        if (!this.regions.has(region)) throw new RouteError(`region is "${region}": it must be one of ${[...this.regions.keys()].join(", ")}.`);
        if (!Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_OUTAGE_SECONDS) {
          throw new RouteError(`seconds is "${query.get("seconds") ?? ""}": it must be a number of seconds from more than 0 to ${MAX_OUTAGE_SECONDS}.`);
        }
        return this.outage(region, seconds);
      },
    };
  }

  private partsOf(region: string): RegionParts {
    const parts = this.regions.get(region);
    if (!parts) throw new Error(`No region ${region} in this local stack: ${[...this.regions.keys()].join(", ")}`);
    return parts;
  }
}
