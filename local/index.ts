import * as path from "path";
import type { OidcConfig } from "../infra/config";
import { bundleResolvers, resolverSettings } from "../infra/resolverBundle";
import { planRouting } from "../infra/routing";
import { usersConfigWarnings } from "../infra/usersConfig";
import type { ApiKeyAccess, RightsEntry } from "../resolvers/lib/rules";
import { iamIdentity, LOCAL_ACCOUNT_ID, type ApiSecrets, type Caller } from "./appsync/auth";
import { graphqlHttpHandler } from "./appsync/httpEndpoint";
import { RealtimeEndpoint, APPSYNC_REALTIME, type RealtimeOptions } from "./appsync/realtimeEndpoint";
import { RegionalApi, type LoadedField } from "./appsync/regionalApi";
import type { RequestLimits } from "./appsync/requestLimits";
import { loadResolver, noneDataSource, type DataSource } from "./appsync/resolverRuntime";
import { loadSchema } from "./appsync/schema";
import { dynamoDbDataSource } from "./dynamodb/dataSource";
import { GlobalTable } from "./dynamodb/globalTable";
import { PaginationTokens } from "./dynamodb/paginationToken";
import { EventBus } from "./eventbridge/bus";
import { eventBridgeDataSource } from "./eventbridge/dataSource";
import { openLocalState } from "./localState";
import { LocalIssuer } from "./oidc/issuer";
import { loadOrCreateSigningKey, SIGNING_KEY_FILE } from "./oidc/signingKey";
import { OUTAGE_PATH, Outages, type RegionParts } from "./outage";
import { describeOutputs, writeOutputs, type LocalOutputs, type RegionOutputs } from "./outputs";
import { listenRegion, type RegionServer } from "./regionServer";
import { readStackConfig } from "./stackConfig";

export type { LocalOutputs, RegionOutputs } from "./outputs";
export type { LocalIssuerOutputs } from "./oidc/issuer";
export { mintLocalToken, parseTtl, LocalTokenError, type LocalTokenRequest } from "./oidc/mintToken";

/** How to start the local stack; `regions`/`channels` override the stack config (for tests). */
export interface LocalStackOptions {
  /** The stack whose `Pulumi.<stack>.yaml` is read (default `dev`). */
  stack?: string;
  regions?: string[];
  channels?: string[];
  historyRetentionHours?: number;
  /**
   * Signed-in users (tests): the stack's `globalws:oidc` without its issuer, which the local issuer
   * replaces anyway; `null` = no users.
   */
  oidc?: Omit<OidcConfig, "issuer"> | null;
  rights?: RightsEntry[];
  apiKeyAccess?: ApiKeyAccess;
  /** Starts with empty history (`npm start -- --fresh`); history is otherwise kept in `stateDir`. */
  fresh?: boolean;
  /** The first region's port; the others follow (default 4000). 0 = a random port for each. */
  basePort?: number;
  /** Delay added to each bus-to-bus hop, in milliseconds (default 0). */
  latencyMs?: number;
  /**
   * Where the certificate and the keys, credentials and API ids (`local-secrets.json`, per stack and
   * region) are kept, so that a restart changes nothing for clients (`npm start`: `.globalws/`).
   * Default: a new temporary directory, removed by `stop()`.
   */
  stateDir?: string;
  /** Where the outputs are written (default `local-outputs.json` in `stateDir`); `null` = not written. */
  outputsFile?: string | null;
  /** Where log lines go (default console.log). */
  log?: (line: string) => void;
  /** Overrides the stack config's `queryDepthLimit` / `resolverCountLimit` (for tests). */
  limits?: Partial<RequestLimits>;
  /** Overrides real-time settings, such as timeouts (for tests). */
  realtime?: Partial<RealtimeOptions>;
  /** A TCP connection that sends nothing this long is closed (default 10 s). */
  firstByteTimeoutMs?: number;
}

/** A running local stack. */
export interface LocalStack {
  readonly outputs: LocalOutputs;
  /**
   * Takes `region` down (the outage rehearsal) or brings it back: down, its port refuses new
   * connections and drops open ones, its bus neither receives nor forwards, its history replica
   * stops replicating. Also `POST /local/outage?region=R&seconds=N` (IAM) on any region's port.
   */
  setRegionDown(region: string, down: boolean): Promise<void>;
  /** Closes every socket and server; resolves once all are closed. */
  stop(): Promise<void>;
}

const PROJECT_ROOT = path.join(__dirname, "..");
/** The state directory of `npm start` (gitignored). */
export const PROJECT_STATE_DIR = path.join(PROJECT_ROOT, ".globalws");
/** The delay before the first retry of a failed AppSync target call. */
const RETRY_DELAY_MS = 100;

/** The identity EventBridge's AppSync targets call with: the rule's IAM role. */
function eventBridgeCaller(region: string): Caller {
  return { mode: "AWS_IAM", identity: iamIdentity(`arn:aws:sts::${LOCAL_ACCOUNT_ID}:assumed-role/globalws-events-${region}/EventBridge`, "EventBridge") };
}

/** A data source no resolver of this stack uses (history off): a call is a bug, said plainly. */
function unavailable(kind: string): DataSource {
  return async () => {
    throw new Error(`The ${kind} data source is not configured on this stack`);
  };
}

/**
 * Starts every configured region on localhost: per region an AppSync-compatible API (HTTP and
 * real-time, plain and TLS on one port) running the bundled resolvers, and an event bus running
 * the routing plan. Validates the stack config as `pulumi up` does.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const log = options.log ?? ((line: string) => console.log(line));
  const stackName = options.stack ?? "dev";
  const config = readStackConfig(stackName, PROJECT_ROOT);
  const regions = options.regions ?? config.regions;
  const channels = options.channels ?? config.channels;
  const historyRetentionHours = options.historyRetentionHours ?? config.historyRetentionHours;
  const oidc = options.oidc === undefined ? config.oidc : options.oidc;
  const apiKeyAccess = options.apiKeyAccess ?? config.apiKeyAccess;
  const stackConfig = { channels, historyRetentionHours, oidc, rights: options.rights ?? config.rights, apiKeyAccess };
  const schema = loadSchema({ oidc: oidc !== null, apiKeyAccess });
  const plan = planRouting(regions);
  const limits: RequestLimits = { queryDepthLimit: config.queryDepthLimit, resolverCountLimit: config.resolverCountLimit, ...options.limits };
  // Before anything starts: a config that makes a resolver too large for AppSync fails here, as on `pulumi up`.
  const bundles = regions.map((region) => bundleResolvers(resolverSettings(region, stackConfig)));

  const state = await openLocalState(options.stateDir, stackName, regions);
  const { certificate, secrets: kept } = state;
  const credentials = kept.credentials;
  // The local issuer stands in for the stack's (which a local runtime cannot get tokens from).
  const signingKeyFile = path.join(state.dir, SIGNING_KEY_FILE);
  const issuer = oidc ? new LocalIssuer(loadOrCreateSigningKey(signingKeyFile), signingKeyFile, oidc) : null;
  // Each stack keeps its own history, in the state directory, so it survives a restart.
  const historyDir = path.join(state.dir, "history", stackName);
  let history: GlobalTable | null;
  try {
    history = historyRetentionHours > 0 ? await GlobalTable.start({ regions, dir: historyDir, latencyMs: options.latencyMs ?? 0, fresh: options.fresh, log }) : null;
  } catch (error) {
    state.release();
    throw error;
  }
  const tokens = history ? PaginationTokens.inDirectory(historyDir) : null;
  const apis = new Map<string, RegionalApi>();
  const buses = new Map<string, EventBus>();
  for (const [index, region] of regions.entries()) {
    const bus = new EventBus(
      {
        region,
        account: LOCAL_ACCOUNT_ID,
        rules: plan.filter((rule) => rule.region === region),
        latencyMs: options.latencyMs ?? 0,
        retryAttempts: config.deliveryRetryAttempts,
        retryDelayMs: RETRY_DELAY_MS,
        maxEventAgeMs: config.deliveryMaxEventAgeSeconds * 1000,
        log,
      },
      (other) => buses.get(other) as EventBus,
      async (target, variables) => {
        const result = await (apis.get(target.region) as RegionalApi).execute({ query: target.operation, variables }, eventBridgeCaller(target.region));
        return result.errors ?? [];
      },
    );
    const resolvers = new Map(
      bundles[index].map((bundle): [string, LoadedField] => [
        `${bundle.typeName}.${bundle.fieldName}`,
        {
          field: bundle,
          resolver: loadResolver(bundle.code, `${bundle.typeName}.${bundle.fieldName}.js`),
          functions: bundle.functionCode.map((fn) => ({ fn, resolver: loadResolver(fn.code, `${fn.name}.js`) })),
        },
      ]),
    );
    const historyDataSource = history && tokens
      ? dynamoDbDataSource({ replica: history.replica(region), tokens, onWrite: (item) => history.replicate(region, item) })
      : unavailable("HISTORY");
    buses.set(region, bus);
    apis.set(region, new RegionalApi({ schema, resolvers, dataSources: { NONE: noneDataSource, EVENTBRIDGE: eventBridgeDataSource(bus), HISTORY: historyDataSource }, limits }));
  }

  const servers: RegionServer[] = [];
  const endpoints: RealtimeEndpoint[] = [];
  const parts = new Map<string, RegionParts>();
  const outages = new Outages(parts, history, log);
  const outputs: LocalOutputs = { regions: {}, historyRetentionHours, credentials, certificateFile: certificate.certificateFile };
  try {
    for (const [index, region] of regions.entries()) {
      const api = apis.get(region) as RegionalApi;
      const bus = buses.get(region) as EventBus;
      const secrets: ApiSecrets = { region, apiKey: apiKeyAccess === "none" ? null : kept.regions[region].apiKey, credentials, tokens: issuer };
      const realtime = new RealtimeEndpoint(api, secrets, { ...APPSYNC_REALTIME, ...options.realtime });
      endpoints.push(realtime);
      const basePort = options.basePort ?? 4000;
      const server = await listenRegion(
        basePort === 0 ? 0 : basePort + index,
        certificate,
        {
          request: graphqlHttpHandler(api, secrets, {
            iam: { "/dead-letters": { method: "GET", handle: () => bus.deadLetters }, [OUTAGE_PATH]: outages.route() },
            // The issuer lives on the first region's port.
            open: index === 0 && issuer ? issuer.routes() : {},
          }),
          upgrade: (request, socket, head) => realtime.upgrade(request, socket, head),
        },
        options.firstByteTimeoutMs,
      );
      servers.push(server);
      parts.set(region, { server, bus });
      const origin = `127.0.0.1:${server.port}`;
      if (index === 0) issuer?.serveAt(`https://${origin}`);
      const regionOutputs: RegionOutputs = {
        graphqlUrl: `https://${origin}/graphql`,
        realtimeUrl: `wss://${origin}/graphql/realtime`,
        apiId: kept.regions[region].apiId,
        ...(secrets.apiKey !== null ? { apiKey: secrets.apiKey } : {}),
        eventBusArn: bus.arn,
        deadLetterQueueUrl: `https://${origin}/dead-letters`,
      };
      outputs.regions[region] = regionOutputs;
    }
  } catch (error) {
    await Promise.all(servers.map((server) => server.close()));
    for (const bus of buses.values()) bus.close();
    await history?.close();
    state.release();
    throw error;
  }

  const localOutputs: LocalOutputs = issuer ? { ...outputs, oidc: issuer.outputs() } : outputs;
  const outputsFile = options.outputsFile === undefined ? path.join(state.dir, "local-outputs.json") : options.outputsFile;
  if (outputsFile) writeOutputs(outputsFile, localOutputs);
  for (const line of describeOutputs(localOutputs, outputsFile)) log(line);
  if (issuer && options.oidc === undefined && config.oidc) {
    log(`Pulumi.${stackName}.yaml names the issuer ${config.oidc.issuer}; locally, tokens come from the local issuer ${issuer.url} instead (its rights and groups claim apply)`);
  }
  for (const warning of usersConfigWarnings({ oidc })) log(`Warning: ${warning}`);

  let stopped: Promise<void> | undefined;
  return {
    outputs: localOutputs,
    setRegionDown: (region, down) => outages.setDown(region, down),
    stop: () =>
      (stopped ??= (async () => {
        outages.close();
        for (const bus of buses.values()) bus.close();
        for (const endpoint of endpoints) endpoint.close();
        await Promise.all(servers.map((server) => server.close()));
        await history?.close();
        state.release();
      })()),
  };
}
