import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceInUseException } from "@aws-sdk/client-dynamodb";
import { setTimeout as sleep } from "timers/promises";
import dynalite from "dynalite";
import { mkdirSync } from "fs";
import type { AddressInfo } from "net";
import { CHANNEL_KEY, MESSAGE_ID_KEY, TIME_INDEX, TIME_KEY } from "../../resolvers/lib/historyTable";

/** The history table's name in every local region (on AWS, Pulumi names it). */
export const LOCAL_TABLE_NAME = "globalws-history";

/** One region's replica of the history table: a dynalite server on loopback and a client for it. */
export interface Replica {
  readonly region: string;
  readonly tableName: string;
  /** Sends a command to the replica; refused once `close` has begun. */
  readonly send: DynamoDBClient["send"];
  /** Waits for the commands under way, then stops the server and its database. */
  close(): Promise<void>;
}

/**
 * Starts dynalite (DynamoDB's API on LevelDB) for one region, keeping its data in `dir`, and creates
 * the history table with the same keys and index as the Pulumi program.
 */
export async function startReplica(region: string, dir: string): Promise<Replica> {
  mkdirSync(dir, { recursive: true });
  const server = dynalite({ path: dir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
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
  let closing = false;
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
      // The client's keep-alive sockets would hold the server's close open.
      client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
