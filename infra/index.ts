import * as aws from "@pulumi/aws";
import { readConfig } from "./config";
import { History } from "./history";
import { Monitoring } from "./monitoring";
import { RegionalApi } from "./regionalApi";
import { Replication } from "./replication";

// Validated before anything is declared: a bad key fails the run with no resource registered.
const config = readConfig();
const accountId = aws.getCallerIdentityOutput().accountId;

// History off (0 hours) means no table at all.
const history = config.historyRetentionHours > 0 ? new History("history", { regions: config.regions, accountId }) : undefined;

const apis = config.regions.map((region) => new RegionalApi(region, {
  region,
  channels: config.channels,
  accountId,
  apiKeyExpiresInDays: config.apiKeyExpiresInDays,
  apiKeyGeneration: config.apiKeyGeneration,
  xrayEnabled: config.xrayEnabled,
  logRetentionDays: config.logRetentionDays,
  historyRetentionHours: config.historyRetentionHours,
  history: history?.replicas.get(region),
  queryDepthLimit: config.queryDepthLimit,
  resolverCountLimit: config.resolverCountLimit,
}));

const replication = new Replication("replication", {
  apis,
  accountId,
  deliveryRetryAttempts: config.deliveryRetryAttempts,
  deliveryMaxEventAgeSeconds: config.deliveryMaxEventAgeSeconds,
});

const monitoring = new Monitoring("monitoring", { apis, rules: replication.rules, historyTableName: history?.table.name });

/** Per region, what a client needs to connect (the contract every client reads); `apiKey` is a secret. */
export const regions = Object.fromEntries(apis.map((api) => [api.region, {
  graphqlUrl: api.graphqlUrl,
  realtimeUrl: api.realtimeUrl,
  apiId: api.apiId,
  apiKey: api.apiKey,
  eventBusArn: api.eventBusArn,
  deadLetterQueueUrl: api.deadLetterQueueUrl,
}]));

/** How long history is kept, in hours (0: off): a client says it has a gap when it was away longer. */
export const historyRetentionHours = config.historyRetentionHours;

/** The CloudWatch dashboard with a row per region. */
export const dashboardUrl = monitoring.dashboardUrl;
