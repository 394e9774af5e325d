import { loadResolver, runResolver } from "../../local/appsync/resolverRuntime";
import { BusEvent } from "../../local/eventbridge/eventPattern";
import { fakeEventBridge, IAM_IDENTITY } from "../resolvers/harness";
import { ACCOUNT, ProgramRun } from "./harness";

/**
 * Runs the resolver code the program uploaded for `Mutation.<field>` in `region` (the real bundle,
 * in the local APPSYNC_JS runtime) against a fake EventBridge data source, and returns the one
 * PutEvents entry it made as the event EventBridge puts on the bus.
 */
export async function emittedEvent(run: ProgramRun, region: string, field: "publish" | "unsubscribe", args: Record<string, unknown>): Promise<BusEvent> {
  const uploaded = run.resources.find((r) =>
    r.type === "aws:appsync/resolver:Resolver" && r.inputs.region === region && r.inputs.type === "Mutation" && r.inputs.field === field);
  if (!uploaded) throw new Error(`no Mutation.${field} resolver was registered in ${region}`);
  const eventBridge = fakeEventBridge({ Entries: [{ EventId: "1" }], FailedEntryCount: 0 });
  const outcome = await runResolver(loadResolver(uploaded.inputs.code, `Mutation.${field}.js`), {
    arguments: args,
    identity: IAM_IDENTITY,
    info: { fieldName: field, parentTypeName: "Mutation", variables: args, selectionSetList: [], selectionSetGraphQL: "" },
  }, eventBridge.dataSource);
  const entries = eventBridge.requests.flatMap((request) => request.events);
  if (outcome.errors.length > 0 || entries.length !== 1) {
    throw new Error(`Mutation.${field} in ${region} should put exactly one event: ${JSON.stringify({ outcome, entries })}`);
  }
  const [entry] = entries;
  return {
    id: "1",
    source: entry.source,
    "detail-type": entry.detailType,
    detail: entry.detail,
    region,
    account: ACCOUNT,
    time: new Date().toISOString(),
    resources: [],
  };
}
