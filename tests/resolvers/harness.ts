import { bundleResolver, RESOLVER_FIELDS, ResolverSettings } from "../../infra/resolverBundle";
import { DataSource, loadResolver, LoadedResolver, noneDataSource, ResolverOutcome, runResolver } from "../../local/appsync/resolverRuntime";

/** The settings the resolver tests bundle with. */
export const SETTINGS: ResolverSettings = { region: "us-west-2", channels: ["cars", "room-*"] };

const loaded = new Map<string, LoadedResolver>();

/** The real bundle of `Type.field`, loaded once per settings. */
function resolverFor(typeName: string, fieldName: string, settings: ResolverSettings = SETTINGS): LoadedResolver {
  const key = `${typeName}.${fieldName}:${JSON.stringify(settings)}`;
  let resolver = loaded.get(key);
  if (!resolver) {
    const field = RESOLVER_FIELDS.find((f) => f.typeName === typeName && f.fieldName === fieldName);
    if (!field) throw new Error(`no resolver for ${typeName}.${fieldName}`);
    resolver = loadResolver(bundleResolver(field, settings).code, `${typeName}.${fieldName}.js`);
    loaded.set(key, resolver);
  }
  return resolver;
}

/** An IAM identity as AppSync passes it. */
export const IAM_IDENTITY = { accountId: "000000000000", userArn: "arn:aws:iam::000000000000:user/test", sourceIp: ["127.0.0.1"] };

/** Runs `Type.field` with `args` against `dataSource` (NONE by default). */
export function run(
  typeName: string,
  fieldName: string,
  args: Record<string, unknown>,
  options: { dataSource?: DataSource; settings?: ResolverSettings } = {},
): Promise<ResolverOutcome> {
  return runResolver(
    resolverFor(typeName, fieldName, options.settings),
    {
      arguments: args,
      identity: IAM_IDENTITY,
      info: { fieldName, parentTypeName: typeName, variables: args, selectionSetList: [], selectionSetGraphQL: "" },
    },
    options.dataSource ?? noneDataSource,
  );
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
