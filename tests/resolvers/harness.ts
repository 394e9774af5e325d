import { bundleFunction, bundleResolver, resolverFields, ResolverSettings, type DataSourceKind } from "../../infra/resolverBundle";
import { DataSource, loadResolver, LoadedResolver, noneDataSource, ResolverOutcome, runPipeline, runResolver } from "../../local/appsync/resolverRuntime";

/** The settings most resolver tests bundle with: history off, so publish only puts the event. */
export const SETTINGS: ResolverSettings = { region: "us-west-2", channels: ["cars", "room-*"], historyRetentionHours: 0 };

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

/** How a test runs a resolver. */
export interface RunOptions {
  /** The EVENTBRIDGE data source (default: one that accepts every event). */
  dataSource?: DataSource;
  /** The HISTORY data source, for a field that uses it. */
  history?: DataSource;
  settings?: ResolverSettings;
  /** `ctx.identity` (default IAM; `null` is an API key caller). */
  identity?: Record<string, unknown> | null;
}

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
  const input = {
    arguments: args,
    identity: options.identity === undefined ? IAM_IDENTITY : options.identity,
    info: { fieldName, parentTypeName: typeName, variables: args, selectionSetList: [], selectionSetGraphQL: "" },
  };
  if (field.kind === "UNIT") return runResolver(resolver, input, dataSources[field.dataSource]);
  const functions = field.functions.map((fn) => ({
    name: fn.name,
    resolver: load(`${fn.name}:${key}`, () => bundleFunction(fn, settings).code),
    dataSource: dataSources[fn.dataSource],
  }));
  return runPipeline({ name: `${typeName}.${fieldName}`, resolver, functions }, input);
}

/** A fake EventBridge data source: records each PutEvents request and answers with `result`. */
export function fakeEventBridge(result: unknown = { Entries: [{ EventId: "e-1" }], FailedEntryCount: 0 }) {
  const requests: { operation: string; events: { source: string; detailType: string; detail: Record<string, string> }[] }[] = [];
  const dataSource: DataSource = async (request) => {
    requests.push(request as (typeof requests)[number]);
    return result;
  };
  return { requests, dataSource };
}
