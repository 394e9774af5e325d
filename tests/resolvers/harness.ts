import { bundleFunction, bundleResolver, resolverFields, ResolverSettings, type DataSourceKind } from "../../infra/resolverBundle";
import { DataSource, loadResolver, LoadedResolver, noneDataSource, ResolverOutcome, runPipeline, runResolver } from "../../local/appsync/resolverRuntime";
import { AUTH_TYPE, CHANNEL_FIELDS, DEFAULT_GROUPS_CLAIM } from "../../resolvers/lib/rules";

/** The settings most resolver tests bundle with: history off, so publish only puts the event; no users; the default API key access. */
export const SETTINGS: ResolverSettings = {
  region: "us-west-2",
  channels: ["cars", "room-*"],
  historyRetentionHours: 0,
  rights: [],
  groupsClaim: DEFAULT_GROUPS_CLAIM,
  apiKeyAccess: "publish-and-subscribe",
};

/** The same, with a day of history. */
export const HISTORY_SETTINGS: ResolverSettings = { ...SETTINGS, historyRetentionHours: 24 };

const loaded = new Map<string, LoadedResolver>();

/** A bundle (resolver or pipeline function), loaded once per settings. */
function load(key: string, make: () => string): LoadedResolver {
  let resolver = loaded.get(key);
  if (!resolver) {
    resolver = loadResolver(make(), key);
    loaded.set(key, resolver);
  }
  return resolver;
}

/** An IAM identity as AppSync passes it. */
export const IAM_IDENTITY = { accountId: "000000000000", userArn: "arn:aws:iam::000000000000:user/test", sourceIp: ["127.0.0.1"] };

/** What AppSync tells a resolver of its caller's selection (`ctx.info`). */
export interface Selection {
  readonly selectionSetList: string[];
  readonly selectionSetGraphQL: string;
}

/** A selection of every `Channel` field, as AppSync describes `{ name data id origin publishedAt sender }`. */
export const EVERY_CHANNEL_FIELD: Selection = {
  selectionSetList: [...CHANNEL_FIELDS],
  selectionSetGraphQL: `{\n${CHANNEL_FIELDS.map((field) => `  ${field}`).join("\n")}\n}`,
};

/** How a test runs a resolver. */
export interface RunOptions {
  /** The EVENTBRIDGE data source (default: one that accepts every event). */
  dataSource?: DataSource;
  /** The HISTORY data source, for a field that uses it. */
  history?: DataSource;
  settings?: ResolverSettings;
  /** `ctx.identity` (default IAM; `null` is an API key caller). */
  identity?: Record<string, unknown> | null;
  /** `util.authType()` (default: the API key's for a `null` identity, else IAM's). */
  authType?: string;
  /** The caller's selection (default: every `Channel` field). */
  selection?: Selection;
}

/** The options of a call by a signed-in user: their `ctx.identity` and auth type, with `groups` in `claim`. */
export function signedIn(sub: string, groups: string[] = [], claim = DEFAULT_GROUPS_CLAIM): Pick<RunOptions, "identity" | "authType"> {
  const claims = { sub, iss: "https://issuer.example", ...(groups.length ? { [claim]: groups } : {}) };
  return { identity: { sub, issuer: claims.iss, claims }, authType: AUTH_TYPE.OPENID_CONNECT };
}

/** The options of a call with the API key. */
export const API_KEY_CALLER: Pick<RunOptions, "identity" | "authType"> = { identity: null, authType: AUTH_TYPE.API_KEY };

/** Runs `Type.field` through its real bundle, as a unit or pipeline resolver as the settings make it. */
export function run(typeName: string, fieldName: string, args: Record<string, unknown>, options: RunOptions = {}): Promise<ResolverOutcome> {
  const settings = options.settings ?? SETTINGS;
  const field = resolverFields(settings).find((f) => f.typeName === typeName && f.fieldName === fieldName);
  if (!field) throw new Error(`no resolver for ${typeName}.${fieldName}`);
  const dataSources: Record<DataSourceKind, DataSource> = {
    NONE: noneDataSource,
    EVENTBRIDGE: options.dataSource ?? fakeEventBridge().dataSource,
    HISTORY: options.history ?? (async () => {
      throw new Error(`${typeName}.${fieldName} called the history data source, which this test did not give`);
    }),
  };
  const key = JSON.stringify(settings);
  const resolver = load(`${typeName}.${fieldName}:${key}`, () => bundleResolver(field, settings).code);
  const identity = options.identity === undefined ? IAM_IDENTITY : options.identity;
  const input = {
    arguments: args,
    identity,
    authType: options.authType ?? (identity === null ? AUTH_TYPE.API_KEY : AUTH_TYPE.AWS_IAM),
    info: { fieldName, parentTypeName: typeName, variables: args, ...(options.selection ?? EVERY_CHANNEL_FIELD) },
  };
  if (field.kind === "UNIT") return runResolver(resolver, input, dataSources[field.dataSource]);
  const functions = field.functions.map((fn) => ({
    name: fn.name,
    resolver: load(`${fn.name}:${key}`, () => bundleFunction(fn, settings).code),
    dataSource: dataSources[fn.dataSource],
  }));
  return runPipeline({ name: `${typeName}.${fieldName}`, resolver, functions }, input);
}

/** A history data source that stores nothing and answers a put as DynamoDB does: with the item written. */
export const acceptingHistory: DataSource = async (request) => {
  const { key, attributeValues } = request as { key: Record<string, Record<string, unknown>>; attributeValues: Record<string, Record<string, unknown>> };
  return Object.fromEntries(Object.entries({ ...attributeValues, ...key }).map(([name, typed]) => [name, Object.values(typed)[0]]));
};

/** A fake EventBridge data source: records each PutEvents request and answers with `result`. */
export function fakeEventBridge(result: unknown = { Entries: [{ EventId: "e-1" }], FailedEntryCount: 0 }) {
  const requests: { operation: string; events: { source: string; detailType: string; detail: Record<string, string> }[] }[] = [];
  const dataSource: DataSource = async (request) => {
    requests.push(request as (typeof requests)[number]);
    return result;
  };
  return { requests, dataSource };
}
