import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { readConfig } from "./config";
import { History } from "./history";
import { Monitoring } from "./monitoring";
import { RegionalApi } from "./regionalApi";
import { Replication } from "./replication";
import { bundleResolvers, resolverSettings } from "./resolverBundle";
import { usersConfigWarnings } from "./usersConfig";

// Validated before anything is declared: a bad key, or resolvers it makes too large for AppSync,
// fails the run with no resource registered.
const config = readConfig();
const resolvers = config.regions.map((region) => bundleResolvers(resolverSettings(region, config)));
for (const warning of usersConfigWarnings(config)) pulumi.log.warn(warning);
const accountId = aws.getCallerIdentityOutput().accountId;

// History off (0 hours) means no table at all.
const history = config.historyRetentionHours > 0 ? new History("history", { regions: config.regions, accountId }) : undefined;

const apis = config.regions.map((region, index) => new RegionalApi(region, {
  region,
  accountId,
  apiKeyExpiresInDays: config.apiKeyExpiresInDays,
  apiKeyGeneration: config.apiKeyGeneration,
  xrayEnabled: config.xrayEnabled,
  logRetentionDays: config.logRetentionDays,
  history: history?.replicas.get(region),
  queryDepthLimit: config.queryDepthLimit,
  resolverCountLimit: config.resolverCountLimit,
  oidc: config.oidc,
  apiKeyAccess: config.apiKeyAccess,
  resolvers: resolvers[index],
}));

const replication = new Replication("replication", {
  apis,
  accountId,
  deliveryRetryAttempts: config.deliveryRetryAttempts,
  deliveryMaxEventAgeSeconds: config.deliveryMaxEventAgeSeconds,
});

const monitoring = new Monitoring("monitoring", { apis, rules: replication.rules, historyTableName: history?.table.name });

/**
 * Per region, what a client needs to connect (the contract every client reads); `apiKey` is a
 * secret, and absent when the stack has no API key (`apiKeyAccess: none`).
 */
export const regions = Object.fromEntries(apis.map((api) => [api.region, {
  graphqlUrl: api.graphqlUrl,
  realtimeUrl: api.realtimeUrl,
  apiId: api.apiId,
  ...(api.apiKey ? { apiKey: api.apiKey } : {}),
  eventBusArn: api.eventBusArn,
  deadLetterQueueUrl: api.deadLetterQueueUrl,
}]));

/** How long history is kept, in hours (0: off): a client says it has a gap when it was away longer. */
export const historyRetentionHours = config.historyRetentionHours;

/** The CloudWatch dashboard with a row per region. */
export const dashboardUrl = monitoring.dashboardUrl;
