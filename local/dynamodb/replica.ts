import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceInUseException } from "@aws-sdk/client-dynamodb";
import { mkdirSync } from "fs";
import * as path from "path";
import { setTimeout as sleep } from "timers/promises";
import { Worker } from "worker_threads";
import { CHANNEL_KEY, MESSAGE_ID_KEY, TIME_INDEX, TIME_KEY } from "../../resolvers/lib/historyTable";

/** The history table's name in every local region (on AWS, Pulumi names it). */
export const LOCAL_TABLE_NAME = "globalws-history";

/** One region's replica of the history table: a dynalite server on loopback, in a worker thread, and a client for it. */
export interface Replica {
  readonly region: string;
  readonly tableName: string;
  /** Sends a command to the replica; refused once `close` has begun. */
  readonly send: DynamoDBClient["send"];
  /** Waits for the commands under way, then stops the server and its database. */
  close(): Promise<void>;
}

/**
 * Starts dynalite (DynamoDB's API on LevelDB) for one region in a worker thread, keeping its data in
 * `dir`, and creates the history table with the same keys and index as the Pulumi program. A failure
 * of the store ends only its thread: its commands then fail, and `log` says why.
 */
export async function startReplica(region: string, dir: string, log: (line: string) => void): Promise<Replica> {
  mkdirSync(dir, { recursive: true });
  const worker = new Worker(path.join(__dirname, "dynaliteWorker.js"), { workerData: { path: dir } });
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  let closing = false;
  worker.on("error", (error) => log(`[${region}] the history replica stopped: ${error.message}`));
  const port = await new Promise<number>((resolve, reject) => {
    worker.once("message", (message: { port: number }) => resolve(message.port));
    worker.once("error", reject);
    worker.once("exit", () => reject(new Error(`The ${region} history replica could not start (${dir})`)));
  });
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });
  try {
    await client.send(
      new CreateTableCommand({
        TableName: LOCAL_TABLE_NAME,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [
          { AttributeName: CHANNEL_KEY, AttributeType: "S" },
          { AttributeName: MESSAGE_ID_KEY, AttributeType: "S" },
          { AttributeName: TIME_KEY, AttributeType: "S" },
        ],
        KeySchema: [
          { AttributeName: CHANNEL_KEY, KeyType: "HASH" },
          { AttributeName: MESSAGE_ID_KEY, KeyType: "RANGE" },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: TIME_INDEX,
            KeySchema: [
              { AttributeName: CHANNEL_KEY, KeyType: "HASH" },
              { AttributeName: TIME_KEY, KeyType: "RANGE" },
            ],
            Projection: { ProjectionType: "ALL" },
          },
        ],
      }),
    );
  } catch (error) {
    // The table survives a restart in `dir`.
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  // dynalite answers CreateTable with CREATING and flips the table to ACTIVE a moment later: items
  // are refused until then, and closing before then would fail dynalite's own deferred write.
  while ((await client.send(new DescribeTableCommand({ TableName: LOCAL_TABLE_NAME }))).Table?.TableStatus !== "ACTIVE") await sleep(5);
  // dynalite fails a command still running when its database closes with an unhandled rejection,
  // so close waits for every command under way.
  const underWay = new Set<Promise<unknown>>();
  const send = ((command: Parameters<DynamoDBClient["send"]>[0]) => {
    if (closing) return Promise.reject(new Error(`The ${region} history replica is closed`));
    const sent = client.send(command);
    underWay.add(sent);
    const done = () => underWay.delete(sent);
    sent.then(done, done);
    return sent;
  }) as DynamoDBClient["send"];
  return {
    region,
    tableName: LOCAL_TABLE_NAME,
    send,
    close: async () => {
      closing = true;
      await Promise.allSettled([...underWay]);
      client.destroy();
      worker.postMessage("close");
      await exited;
    },
  };
}
