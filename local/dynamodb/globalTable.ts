import { BatchWriteItemCommand, PutItemCommand, ScanCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import * as fs from "fs";
import * as path from "path";
import { CHANNEL_KEY, EXPIRY_KEY, MESSAGE_ID_KEY } from "../../resolvers/lib/historyTable";
import { startReplica, type Replica } from "./replica";

type Item = Record<string, AttributeValue>;

/** How the local global table is set up. */
export interface GlobalTableOptions {
  readonly regions: readonly string[];
  /** Where each replica keeps its data (`<dir>/<region>`). */
  readonly dir: string;
  /** Delay of each copy to another region, as cross-region bus hops are delayed. */
  readonly latencyMs: number;
  readonly log: (line: string) => void;
}

/** A write waiting to reach another replica. */
interface PendingCopy {
  readonly from: string;
  readonly to: string;
  readonly item: Item;
}

const keyOf = (item: Item) => JSON.stringify([item[CHANNEL_KEY], item[MESSAGE_ID_KEY]]);

/**
 * The history table as a DynamoDB global table (version 2019.11.21) behaves, on one replica per
 * region: a write lands in its own region's replica at once and reaches every other replica
 * asynchronously, after `latencyMs`. A region that is down neither sends nor receives copies; they
 * wait and arrive once it is back. At start the replicas are reconciled (a copy that was still
 * waiting when the runtime stopped is not lost) and items past their expiry are deleted, as TTL
 * eventually does.
 */
export class GlobalTable {
  private readonly down = new Set<string>();
  private readonly waiting: PendingCopy[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  private constructor(
    private readonly replicas: ReadonlyMap<string, Replica>,
    private readonly options: GlobalTableOptions,
    private readonly releaseLock: () => void,
  ) {}

  /** Starts a replica per region, then reconciles them. @throws Error when another runtime uses `dir`. */
  static async start(options: GlobalTableOptions): Promise<GlobalTable> {
    const releaseLock = lockDirectory(options.dir);
    const replicas = new Map<string, Replica>();
    try {
      for (const region of options.regions) replicas.set(region, await startReplica(region, path.join(options.dir, region)));
      const table = new GlobalTable(replicas, options, releaseLock);
      await table.reconcile();
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
        this.timers.delete(timer);
        void this.copy({ from, to, item });
      }, this.options.latencyMs);
      this.timers.add(timer);
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

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    await Promise.all([...this.replicas.values()].map((replica) => replica.close()));
    this.releaseLock();
  }

  private blocked(copy: PendingCopy): boolean {
    return this.down.has(copy.from) || this.down.has(copy.to);
  }

  private async copy(copy: PendingCopy): Promise<void> {
    if (this.closed) return;
    if (this.blocked(copy)) {
      this.waiting.push(copy);
      return;
    }
    const replica = this.replica(copy.to);
    try {
      await replica.send(new PutItemCommand({ TableName: replica.tableName, Item: copy.item }));
    } catch (error) {
      if (!this.closed) this.options.log(`[${copy.to}] history replication from ${copy.from} failed: ${(error as Error).message}`);
    }
  }

  /** Brings every replica to the union of their items and deletes expired ones. */
  private async reconcile(): Promise<void> {
    const nowSeconds = Math.floor(Date.now() / 1000);
    const contents = new Map<string, Map<string, Item>>();
    for (const [region, replica] of this.replicas) {
      const live = new Map<string, Item>();
      const expired: Item[] = [];
      for await (const item of scan(replica)) {
        if (Number(item[EXPIRY_KEY]?.N ?? Infinity) <= nowSeconds) expired.push(item);
        else live.set(keyOf(item), item);
      }
      await deleteItems(replica, expired);
      contents.set(region, live);
    }
    const union = new Map<string, Item>();
    for (const live of contents.values()) for (const [key, item] of live) union.set(key, item);
    for (const [region, live] of contents) {
      const missing = [...union].filter(([key]) => !live.has(key)).map(([, item]) => item);
      const replica = this.replica(region);
      for (const item of missing) await replica.send(new PutItemCommand({ TableName: replica.tableName, Item: item }));
      if (missing.length > 0) this.options.log(`[${region}] history: caught up ${missing.length} item(s) from other regions`);
    }
  }
}

async function* scan(replica: Replica): AsyncGenerator<Item> {
  let start: Item | undefined;
  do {
    const page = await replica.send(new ScanCommand({ TableName: replica.tableName, ExclusiveStartKey: start, ConsistentRead: true }));
    yield* page.Items ?? [];
    start = page.LastEvaluatedKey;
  } while (start);
}

async function deleteItems(replica: Replica, items: Item[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    const batch = items.slice(i, i + 25).map((item) => ({
      DeleteRequest: { Key: { [CHANNEL_KEY]: item[CHANNEL_KEY], [MESSAGE_ID_KEY]: item[MESSAGE_ID_KEY] } },
    }));
    await replica.send(new BatchWriteItemCommand({ RequestItems: { [replica.tableName]: batch } }));
  }
}

/**
 * Takes `dir` for this runtime: LevelDB allows one owner, and dynalite does not report a database it
 * could not open. A lock left by a process that is gone is taken over. @returns the release.
 */
function lockDirectory(dir: string): () => void {
  fs.mkdirSync(dir, { recursive: true });
  const lock = path.join(dir, "runtime.lock");
  const owner = Number(fs.existsSync(lock) ? fs.readFileSync(lock, "utf8") : NaN);
  if (Number.isInteger(owner) && isRunning(owner)) {
    throw new Error(`The history in ${dir} is in use by another local runtime (process ${owner}): stop it, or run this one with another --stack or state directory`);
  }
  fs.writeFileSync(lock, String(process.pid));
  return () => fs.rmSync(lock, { force: true });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
