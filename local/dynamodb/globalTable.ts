import { BatchWriteItemCommand, ConditionalCheckFailedException, PutItemCommand, ScanCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import * as fs from "fs";
import * as path from "path";
import { CHANNEL_KEY, EXPIRY_KEY, MESSAGE_ID_KEY, TIME_KEY } from "../../resolvers/lib/historyTable";
import { startReplica, type Replica } from "./replica";
import { keepCurrentReplicas, recordRegions } from "./replicaRegions";

type Item = Record<string, AttributeValue>;

/** How the local global table is set up. */
export interface GlobalTableOptions {
  readonly regions: readonly string[];
  /** Where each replica keeps its data (`<dir>/<region>`), with the copies that were still waiting at the last stop. */
  readonly dir: string;
  /** Delay of each copy to another region, as cross-region bus hops are delayed. */
  readonly latencyMs: number;
  /** Empties every replica first (`npm start -- --fresh`). */
  readonly fresh?: boolean;
  /** How often each replica is swept for expired items, a page at a time (default 5 s). */
  readonly sweepEveryMs?: number;
  readonly log: (line: string) => void;
}

/** A write on its way to another replica. */
interface PendingCopy {
  readonly from: string;
  readonly to: string;
  readonly item: Item;
}

/** Where a stop leaves the copies that had not arrived yet, for the next start. */
const WAITING_FILE = "waiting-copies.json";
/** How many items of a replica one sweep for expired items looks at. */
const SWEEP_PAGE = 500;

/**
 * The history table as a DynamoDB global table (version 2019.11.21) behaves, on one replica per
 * region: a write lands in its own region's replica at once and reaches every other replica
 * asynchronously, after `latencyMs`; when two regions wrote the same key, every replica keeps the
 * later write (last writer wins). A region that is down neither sends nor receives copies; they wait
 * and arrive once it is back. A stop keeps the copies still on their way and the next start sends
 * them. Expired items are deleted a page at a time in the background, late, as TTL deletes them.
 */
export class GlobalTable {
  private readonly down = new Set<string>();
  /** Copies waiting for a region to come back. */
  private readonly waiting: PendingCopy[] = [];
  /** Copies whose delay is running, by the timer that will send them. */
  private readonly scheduled = new Map<NodeJS.Timeout, PendingCopy>();
  private readonly sweeper: NodeJS.Timeout;
  private closed = false;

  private constructor(
    private readonly replicas: ReadonlyMap<string, Replica>,
    private readonly options: GlobalTableOptions,
    private readonly releaseLock: () => void,
  ) {
    const sweeps = [...replicas.values()].map((replica) => expiredSweep(replica));
    this.sweeper = setInterval(() => sweeps.forEach((sweep) => void sweep().catch(() => {})), options.sweepEveryMs ?? 5_000);
    this.sweeper.unref();
  }

  /**
   * Starts a replica per region and sends the copies the last stop left waiting. As on AWS, the
   * replica of a region no longer configured is deleted, and one of a region added (or added back)
   * gets the history already stored before it serves requests
   * (Replicas, https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-dynamodb-globaltable.html).
   * @throws Error when another runtime uses `dir`.
   */
  static async start(options: GlobalTableOptions): Promise<GlobalTable> {
    const releaseLock = lockDirectory(options.dir);
    const replicas = new Map<string, Replica>();
    try {
      if (options.fresh) {
        for (const entry of fs.readdirSync(options.dir)) if (entry !== LOCK_FILE) fs.rmSync(path.join(options.dir, entry), { recursive: true, force: true });
      }
      const current = keepCurrentReplicas(options.dir, options.regions);
      for (const region of options.regions) replicas.set(region, await startReplica(region, path.join(options.dir, region), options.log));
      const added = [...replicas.values()].filter((replica) => !current.includes(replica.region));
      await fillReplicas(added, replicas.get(current[0]), options.log);
      recordRegions(options.dir, options.regions);
      const table = new GlobalTable(replicas, options, releaseLock);
      await table.resumeWaiting();
      return table;
    } catch (error) {
      await Promise.all([...replicas.values()].map((replica) => replica.close()));
      releaseLock();
      throw error;
    }
  }

  /** The replica of `region`. */
  replica(region: string): Replica {
    const replica = this.replicas.get(region);
    if (!replica) throw new Error(`No history replica in ${region}`);
    return replica;
  }

  /** Copies an item just written in `from` to every other replica, after the replication delay. */
  replicate(from: string, item: Item): void {
    for (const to of this.replicas.keys()) {
      if (to === from || this.closed) continue;
      const timer = setTimeout(() => {
        this.scheduled.delete(timer);
        void this.copy({ from, to, item });
      }, this.options.latencyMs);
      this.scheduled.set(timer, { from, to, item });
    }
  }

  /** Takes `region` out of replication (down) or puts it back, sending what waited for it. */
  setAvailable(region: string, available: boolean): void {
    if (!available) {
      this.down.add(region);
      return;
    }
    this.down.delete(region);
    // A copy still blocked by another region that is down waits again.
    for (const copy of this.waiting.splice(0)) void this.copy(copy);
  }

  /** Copies waiting for a region that is down, for tests and the outage rehearsal. */
  get pendingCopies(): number {
    return this.waiting.length;
  }

  /** Stops replicating, keeps the copies that have not arrived for the next start, and closes the replicas. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeper);
    for (const timer of this.scheduled.keys()) clearTimeout(timer);
    const unsent = [...this.waiting, ...this.scheduled.values()];
    if (unsent.length > 0) fs.writeFileSync(path.join(this.options.dir, WAITING_FILE), JSON.stringify(unsent));
    await Promise.all([...this.replicas.values()].map((replica) => replica.close()));
    this.releaseLock();
  }

  private blocked(copy: PendingCopy): boolean {
    return this.down.has(copy.from) || this.down.has(copy.to);
  }

  /** Sends the copies the last stop kept (to regions still configured). */
  private async resumeWaiting(): Promise<void> {
    const file = path.join(this.options.dir, WAITING_FILE);
    if (!fs.existsSync(file)) return;
    const kept = (JSON.parse(fs.readFileSync(file, "utf8")) as PendingCopy[]).filter((copy) => this.replicas.has(copy.to));
    await Promise.all(kept.map((copy) => this.copy(copy)));
    fs.rmSync(file);
    if (kept.length > 0) this.options.log(`history: sent ${kept.length} copies that were on their way at the last stop`);
  }

  private async copy(copy: PendingCopy): Promise<void> {
    if (this.closed) return;
    if (this.blocked(copy)) {
      this.waiting.push(copy);
      return;
    }
    try {
      await putIfLater(this.replica(copy.to), copy.item);
    } catch (error) {
      if (this.closed) return;
      this.options.log(`[${copy.to}] history replication from ${copy.from} failed: ${(error as Error).message}`);
    }
  }
}

/** Writes `item` to `replica` unless it holds a later write of the same key (last writer wins). */
async function putIfLater(replica: Replica, item: Item): Promise<void> {
  try {
    await replica.send(
      new PutItemCommand({
        TableName: replica.tableName,
        Item: item,
        // Last writer wins: a key written in two regions ends as the later write everywhere.
        ConditionExpression: "attribute_not_exists(#id) OR #ts < :ts OR (#ts = :ts AND #origin < :origin)",
        ExpressionAttributeNames: { "#id": MESSAGE_ID_KEY, "#ts": TIME_KEY, "#origin": "origin" },
        ExpressionAttributeValues: { ":ts": item[TIME_KEY], ":origin": item.origin },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}

/**
 * Copies every item of `source` into each of `targets`, as AWS fills a replica added to a global
 * table. Without a source (no replica was kept), the table is new and its replicas start empty.
 */
async function fillReplicas(targets: readonly Replica[], source: Replica | undefined, log: (line: string) => void): Promise<void> {
  if (!source || targets.length === 0) return;
  let from: Item | undefined;
  let copied = 0;
  do {
    const page = await source.send(new ScanCommand({ TableName: source.tableName, ExclusiveStartKey: from }));
    for (const item of page.Items ?? []) for (const target of targets) await putIfLater(target, item);
    copied += page.Items?.length ?? 0;
    from = page.LastEvaluatedKey;
  } while (from);
  log(`history: copied ${copied} items from ${source.region} into the new replicas of ${targets.map((target) => target.region).join(", ")}`);
}

/**
 * One step of a replica's expiry sweep each time it is called: a page of the table scanned for
 * items past `expiresAt`, which are deleted; the next call goes on from there, and starts over at the end.
 */
function expiredSweep(replica: Replica): () => Promise<void> {
  let from: Item | undefined;
  return async () => {
    const page = await replica.send(
      new ScanCommand({
        TableName: replica.tableName,
        ExclusiveStartKey: from,
        Limit: SWEEP_PAGE,
        FilterExpression: "#expiresAt <= :now",
        ExpressionAttributeNames: { "#expiresAt": EXPIRY_KEY },
        ExpressionAttributeValues: { ":now": { N: String(Math.floor(Date.now() / 1000)) } },
      }),
    );
    from = page.LastEvaluatedKey;
    const expired = page.Items ?? [];
    for (let i = 0; i < expired.length; i += 25) {
      const batch = expired.slice(i, i + 25).map((item) => ({ DeleteRequest: { Key: { [CHANNEL_KEY]: item[CHANNEL_KEY], [MESSAGE_ID_KEY]: item[MESSAGE_ID_KEY] } } }));
      await replica.send(new BatchWriteItemCommand({ RequestItems: { [replica.tableName]: batch } }));
    }
  };
}

const LOCK_FILE = "runtime.lock";

/**
 * Takes `dir` for this runtime: LevelDB allows one owner, and dynalite does not report a database it
 * could not open. A lock left by a process that is gone is taken over. @returns the release.
 */
function lockDirectory(dir: string): () => void {
  fs.mkdirSync(dir, { recursive: true });
  const lock = path.join(dir, LOCK_FILE);
  for (;;) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: "wx" });
      return () => fs.rmSync(lock, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const owner = Number(fs.readFileSync(lock, "utf8"));
    if (Number.isInteger(owner) && isRunning(owner)) {
      throw new Error(`The history in ${dir} is in use by another local runtime (process ${owner}): stop it, or run this one with another --stack or state directory`);
    }
    fs.rmSync(lock, { force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
