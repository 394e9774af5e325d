import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CHANNEL_KEY, EXPIRY_KEY, MESSAGE_ID_KEY, TIME_INDEX, TIME_KEY } from "../resolvers/lib/historyTable";

/** The inputs of the history table. */
export interface HistoryArgs {
  /** Every configured region: the first holds the table, the others get a replica. */
  readonly regions: readonly string[];
  /** The AWS account that owns the stack (for the replicas' ARNs). */
  readonly accountId: pulumi.Input<string>;
}

/** Where one region's API reads and writes history: its own replica and that replica's time index. */
export interface HistoryReplica {
  readonly region: string;
  readonly tableName: pulumi.Output<string>;
  /** `arn:aws:dynamodb:REGION:ACCOUNT:table/NAME`, the replica in `region`. */
  readonly tableArn: pulumi.Output<string>;
  /** The replica's time index (`…/index/byTime`), which `history` queries. */
  readonly indexArn: pulumi.Output<string>;
}

/**
 * The message history: one DynamoDB global table (version 2019.11.21) with a replica in every
 * region, which AWS keeps in step (asynchronously, usually within a second). Keyed by channel and
 * message id, so a conditional put stores a `(name, id)` once; the `byTime` index orders a channel's
 * messages by publish time, then id. On-demand billing, AWS-owned encryption key, TTL on `expiresAt`,
 * and the stream (new and old images) that global tables replicate from.
 */
export class History extends pulumi.ComponentResource {
  readonly table: aws.dynamodb.Table;
  /** Per configured region, its replica. */
  readonly replicas: ReadonlyMap<string, HistoryReplica>;

  constructor(name: string, args: HistoryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("globalws:infra:History", name, {}, opts);
    const [home, ...others] = args.regions;

    // The table lives in the first region; the other regions' replicas come and go with the config.
    this.table = new aws.dynamodb.Table(`${name}-table`, {
      region: home,
      billingMode: "PAY_PER_REQUEST",
      attributes: [
        { name: CHANNEL_KEY, type: "S" },
        { name: MESSAGE_ID_KEY, type: "S" },
        { name: TIME_KEY, type: "S" },
      ],
      hashKey: CHANNEL_KEY,
      rangeKey: MESSAGE_ID_KEY,
      globalSecondaryIndexes: [
        {
          name: TIME_INDEX,
          keySchemas: [
            { attributeName: CHANNEL_KEY, keyType: "HASH" },
            { attributeName: TIME_KEY, keyType: "RANGE" },
          ],
          projectionType: "ALL",
        },
      ],
      ttl: { attributeName: EXPIRY_KEY, enabled: true },
      streamEnabled: true,
      streamViewType: "NEW_AND_OLD_IMAGES",
      // Disabled means the AWS-owned key, which encrypts every table at rest at no charge.
      serverSideEncryption: { enabled: false },
      replicas: others.map((regionName) => ({ regionName })),
    }, { parent: this });

    const table = this.table;
    this.replicas = new Map(args.regions.map((region) => {
      const tableArn = pulumi.interpolate`arn:aws:dynamodb:${region}:${args.accountId}:table/${table.name}`;
      return [region, { region, tableName: table.name, tableArn, indexArn: pulumi.interpolate`${tableArn}/index/${TIME_INDEX}` }];
    }));
    this.registerOutputs({ tableName: table.name, tableArn: table.arn });
  }
}
