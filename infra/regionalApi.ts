import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ApiKeyAccess } from "../resolvers/lib/rules";
import { authModesFor, schemaTextFor, type AuthMode } from "../schema";
import { apiKeyExpiry } from "./apiKeyExpiry";
import { graphqlEndpointArn } from "./graphqlEndpointArn";
import type { OidcConfig } from "./config";
import type { HistoryReplica } from "./history";
import { allowPolicy, serviceTrustPolicy } from "./iamPolicies";
import type { BundledResolver, DataSourceKind } from "./resolverBundle";

/** The inputs of one region's API. */
export interface RegionalApiArgs {
  /** The AWS region that holds every regional resource of this component. */
  readonly region: string;
  /** The AWS account that owns the stack (for the confused-deputy guard of the roles' trust policies). */
  readonly accountId: pulumi.Input<string>;
  /** Lifetime of a newly created API key, in days (1..365). */
  readonly apiKeyExpiresInDays: number;
  /** Raising it replaces the API key with a fresh one. */
  readonly apiKeyGeneration: number;
  /** AWS X-Ray tracing on the API. */
  readonly xrayEnabled: boolean;
  /** Retention of the API's CloudWatch log group, in days. */
  readonly logRetentionDays: number;
  /** This region's replica of the history table; absent when history is off. */
  readonly history?: HistoryReplica;
  /** AppSync's maximum nesting depth of a request (1..75). */
  readonly queryDepthLimit: number;
  /** AppSync's maximum number of resolvers one request may run (1..10000). */
  readonly resolverCountLimit: number;
  /** The identity provider of signed-in users (adds OPENID_CONNECT); null = none. */
  readonly oidc: OidcConfig | null;
  /** What the API key may do; `none` creates no key. */
  readonly apiKeyAccess: ApiKeyAccess;
  /**
   * The region's resolvers, bundled with the allowlist, retention and rights baked in
   * (`bundleResolvers`): made before any resource is declared, as a bundle too large for AppSync
   * is a config error.
   */
  readonly resolvers: readonly BundledResolver[];
}

/**
 * AppSync's OIDC settings from `globalws:oidc`; AppSync takes the TTLs in milliseconds. The client id
 * is anchored: AppSync reads it as a regular expression without saying whether it must match `aud`
 * whole, and anchors change nothing if it must, while they stop `web` matching `web-admin` if not.
 */
function openidConnectConfig(oidc: OidcConfig): aws.types.input.appsync.GraphQLApiOpenidConnectConfig {
  return {
    issuer: oidc.issuer,
    ...(oidc.clientId !== undefined ? { clientId: `^(?:${oidc.clientId})$` } : {}),
    ...(oidc.authTtlSeconds !== undefined ? { authTtl: oidc.authTtlSeconds * 1000 } : {}),
    ...(oidc.iatTtlSeconds !== undefined ? { iatTtl: oidc.iatTtlSeconds * 1000 } : {}),
  };
}

/**
 * One region of globalws: an AppSync GraphQL API (API key by default, IAM and, with users, OIDC as
 * well; without an API key, OIDC or IAM by default), its resolvers, the EventBridge bus its
 * publishes go to, and the dead-letter queue of the rules on that bus.
 */
export class RegionalApi extends pulumi.ComponentResource {
  /** The region of every resource in this component. */
  readonly region: string;
  readonly apiId: pulumi.Output<string>;
  readonly apiArn: pulumi.Output<string>;
  /** The ARN EventBridge targets call the API at (`…:endpoints/graphql-api/<endpoint host label>`). */
  readonly graphqlEndpointArn: pulumi.Output<string>;
  /** HTTPS endpoint for queries and mutations. */
  readonly graphqlUrl: pulumi.Output<string>;
  /** WebSocket endpoint for subscriptions. */
  readonly realtimeUrl: pulumi.Output<string>;
  /** The API key clients use (a secret); absent when `apiKeyAccess` is `none`. */
  readonly apiKey?: pulumi.Output<string>;
  readonly eventBusArn: pulumi.Output<string>;
  readonly eventBusName: pulumi.Output<string>;
  /** Where EventBridge puts events it could not deliver from this region's rules. */
  readonly deadLetterQueue: aws.sqs.Queue;
  readonly deadLetterQueueArn: pulumi.Output<string>;
  readonly deadLetterQueueUrl: pulumi.Output<string>;

  constructor(name: string, args: RegionalApiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("globalws:infra:RegionalApi", name, {}, opts);
    const { region } = args;
    const child = { parent: this };

    // AppSync writes field errors here; the role below may write to this one log group only.
    const logsRole = new aws.iam.Role(`${name}-logs-role`, {
      description: `Lets AppSync write the ${region} API's logs`,
      assumeRolePolicy: serviceTrustPolicy("appsync.amazonaws.com", args.accountId),
    }, child);

    // Each stack's schema names only the auth modes its API has (schema/index.ts).
    const access = { oidc: args.oidc !== null, apiKeyAccess: args.apiKeyAccess };
    const { defaultMode, additionalModes } = authModesFor(access);
    const oidcConfig = args.oidc ? openidConnectConfig(args.oidc) : undefined;
    const provider = (mode: AuthMode) => (mode === "OPENID_CONNECT" ? { authenticationType: mode, openidConnectConfig: oidcConfig } : { authenticationType: mode });
    const api = new aws.appsync.GraphQLApi(`${name}-api`, {
      region,
      authenticationType: defaultMode,
      ...(defaultMode === "OPENID_CONNECT" ? { openidConnectConfig: oidcConfig } : {}),
      additionalAuthenticationProviders: additionalModes.map(provider),
      schema: schemaTextFor(access),
      // ERROR without verbose content keeps message bodies out of the logs.
      logConfig: { cloudwatchLogsRoleArn: logsRole.arn, fieldLogLevel: "ERROR", excludeVerboseContent: true },
      xrayEnabled: args.xrayEnabled,
      // AppSync's own guards: one request cannot nest without bound or fan out thousands of aliased publishes.
      queryDepthLimit: args.queryDepthLimit,
      resolverCountLimit: args.resolverCountLimit,
    }, child);

    // AppSync logs to a group named after the API; creating it ourselves sets its retention.
    const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, {
      region,
      name: pulumi.interpolate`/aws/appsync/apis/${api.id}`,
      retentionInDays: args.logRetentionDays,
    }, child);

    // Stream names are AppSync's own, so the streams of this group are the only place a wildcard is
    // unavoidable. IAM knows a log group as `<arn>:*` (the provider's `arn` drops that suffix): the
    // bare ARN only serves the tagging actions, and would leave CreateLogStream denied.
    new aws.iam.RolePolicy(`${name}-logs-policy`, {
      role: logsRole.id,
      policy: allowPolicy([
        { actions: ["logs:CreateLogStream"], resources: [pulumi.interpolate`${logGroup.arn}:*`] },
        { actions: ["logs:PutLogEvents"], resources: [pulumi.interpolate`${logGroup.arn}:log-stream:*`] },
      ]),
    }, child);

    // The key lives in state: ignoring `expires` keeps a later run on another day from touching it.
    // Rotation creates a key under a new name (generation), which has no old state to inherit an expiry from.
    // With apiKeyAccess "none" there is no key at all (Security Hub AppSync.5).
    const key = args.apiKeyAccess === "none" ? undefined : new aws.appsync.ApiKey(`${name}-key-${args.apiKeyGeneration}`, {
      region,
      apiId: api.id,
      description: `globalws ${region} API key, generation ${args.apiKeyGeneration}`,
      expires: apiKeyExpiry(Date.now(), args.apiKeyExpiresInDays),
    }, { ...child, ignoreChanges: ["expires"] });

    // Publishes land here; replication rules on this bus copy them to the other regions.
    const bus = new aws.cloudwatch.EventBus(`${name}-bus`, {
      region,
      description: `globalws events published in ${region}`,
    }, child);

    // Events that EventBridge could not deliver after its retries, kept for inspection.
    const deadLetterQueue = new aws.sqs.Queue(`${name}-dlq`, {
      region,
      sqsManagedSseEnabled: true,
      messageRetentionSeconds: 14 * 24 * 60 * 60,
    }, child);

    // The publish and unsubscribe resolvers put events on this region's bus and nowhere else.
    const eventBridgeRole = new aws.iam.Role(`${name}-eventbridge-ds-role`, {
      description: `Lets the ${region} API put events on its own bus`,
      assumeRolePolicy: serviceTrustPolicy("appsync.amazonaws.com", args.accountId, [api.arn]),
    }, child);
    const eventBridgePolicy = new aws.iam.RolePolicy(`${name}-eventbridge-ds-policy`, {
      role: eventBridgeRole.id,
      policy: allowPolicy([{ actions: ["events:PutEvents"], resources: [bus.arn] }]),
    }, child);

    const dataSources: Partial<Record<DataSourceKind, aws.appsync.DataSource>> = {
      EVENTBRIDGE: new aws.appsync.DataSource(`${name}-eventbridge-ds`, {
        region,
        apiId: api.id,
        name: "eventBus",
        type: "AMAZON_EVENTBRIDGE",
        eventBridgeConfig: { eventBusArn: bus.arn },
        serviceRoleArn: eventBridgeRole.arn,
      }, { ...child, dependsOn: [eventBridgePolicy] }),
      // Resolvers that answer from their arguments alone.
      NONE: new aws.appsync.DataSource(`${name}-none-ds`, { region, apiId: api.id, name: "none", type: "NONE" }, child),
    };

    if (args.history) {
      // publish stores in this region's replica (a failed condition makes AppSync read the item back:
      // GetItem) and history queries its time index; nothing else, nowhere else.
      const historyRole = new aws.iam.Role(`${name}-history-ds-role`, {
        description: `Lets the ${region} API store and read messages in its history replica`,
        assumeRolePolicy: serviceTrustPolicy("appsync.amazonaws.com", args.accountId, [api.arn]),
      }, child);
      const historyPolicy = new aws.iam.RolePolicy(`${name}-history-ds-policy`, {
        role: historyRole.id,
        policy: allowPolicy([
          { actions: ["dynamodb:PutItem", "dynamodb:GetItem"], resources: [args.history.tableArn] },
          { actions: ["dynamodb:Query"], resources: [args.history.indexArn] },
        ]),
      }, child);
      dataSources.HISTORY = new aws.appsync.DataSource(`${name}-history-ds`, {
        region,
        apiId: api.id,
        name: "history",
        type: "AMAZON_DYNAMODB",
        dynamodbConfig: { tableName: args.history.tableName, region },
        serviceRoleArn: historyRole.arn,
      }, { ...child, dependsOn: [historyPolicy] });
    }
    const dataSource = (kind: DataSourceKind): aws.appsync.DataSource => {
      const found = dataSources[kind];
      if (!found) throw new Error(`The ${region} resolvers need the ${kind} data source, which this stack does not create`);
      return found;
    };

    // The same bundles the local runtime runs, with this region, the allowlist and the retention baked in.
    const runtime = { name: "APPSYNC_JS", runtimeVersion: "1.0.0" };
    for (const resolver of args.resolvers) {
      const resolverName = `${name}-${resolver.typeName}-${resolver.fieldName}`;
      const functions = resolver.functionCode.map((fn) => new aws.appsync.Function(`${resolverName}-${fn.name}`, {
        region,
        apiId: api.id,
        name: fn.name,
        dataSource: dataSource(fn.dataSource).name,
        runtime,
        code: fn.code,
      }, child));
      new aws.appsync.Resolver(resolverName, {
        region,
        apiId: api.id,
        type: resolver.typeName,
        field: resolver.fieldName,
        runtime,
        code: resolver.code,
        ...(resolver.kind === "PIPELINE"
          ? { kind: "PIPELINE", pipelineConfig: { functions: functions.map((fn) => fn.functionId) } }
          : { kind: "UNIT", dataSource: dataSource(resolver.dataSource).name }),
      }, child);
    }

    // EventBridge calls an API at its GraphQL endpoint ARN, named after the endpoint's host label.
    this.graphqlEndpointArn = pulumi.all([api.arn, api.uris]).apply(([arn, uris]) => graphqlEndpointArn(arn, uris["GRAPHQL"]));

    this.region = region;
    this.apiId = api.id;
    this.apiArn = api.arn;
    this.graphqlUrl = api.uris.apply((uris) => uris["GRAPHQL"]);
    this.realtimeUrl = api.uris.apply((uris) => uris["REALTIME"]);
    this.apiKey = key && pulumi.secret(key.key);
    this.eventBusArn = bus.arn;
    this.eventBusName = bus.name;
    this.deadLetterQueue = deadLetterQueue;
    this.deadLetterQueueArn = deadLetterQueue.arn;
    this.deadLetterQueueUrl = deadLetterQueue.url;
    this.registerOutputs({
      apiId: this.apiId,
      apiArn: this.apiArn,
      graphqlEndpointArn: this.graphqlEndpointArn,
      graphqlUrl: this.graphqlUrl,
      realtimeUrl: this.realtimeUrl,
      apiKey: this.apiKey,
      eventBusArn: this.eventBusArn,
      eventBusName: this.eventBusName,
      deadLetterQueueArn: this.deadLetterQueueArn,
      deadLetterQueueUrl: this.deadLetterQueueUrl,
    });
  }
}
