import { loadResolver, runPipeline, runResolver, type DataSource } from "../../local/appsync/resolverRuntime";
import { BusEvent } from "../../local/eventbridge/eventPattern";
import { AUTH_TYPE } from "../../resolvers/lib/rules";
import { acceptingHistory, EVERY_CHANNEL_FIELD, fakeEventBridge, IAM_IDENTITY } from "../resolvers/harness";
import { ACCOUNT, ofType, ProgramRun } from "./harness";


/**
 * Runs the resolver code the program uploaded for `Mutation.<field>` in `region` (the real bundles
 * of the resolver and, for a pipeline, of its functions, in the local APPSYNC_JS runtime) against a
 * fake EventBridge data source, and returns the one PutEvents entry it made as the event
 * EventBridge puts on the bus.
 */
export async function emittedEvent(run: ProgramRun, region: string, field: "publish" | "unsubscribe", args: Record<string, unknown>): Promise<BusEvent> {
  const uploaded = run.resources.find((r) =>
    r.type === "aws:appsync/resolver:Resolver" && r.inputs.region === region && r.inputs.type === "Mutation" && r.inputs.field === field);
  if (!uploaded) throw new Error(`no Mutation.${field} resolver was registered in ${region}`);
  const eventBridge = fakeEventBridge({ Entries: [{ EventId: "1" }], FailedEntryCount: 0 });
  const dataSources: Record<string, DataSource> = { eventBus: eventBridge.dataSource, history: acceptingHistory };
  const input = {
    arguments: args,
    identity: IAM_IDENTITY,
    authType: AUTH_TYPE.AWS_IAM,
    info: { fieldName: field, parentTypeName: "Mutation", variables: args, ...EVERY_CHANNEL_FIELD },
  };
  const resolver = loadResolver(uploaded.inputs.code, `Mutation.${field}.js`);
  const outcome = uploaded.inputs.kind === "PIPELINE"
    ? await runPipeline({
        name: `Mutation.${field}`,
        resolver,
        functions: (uploaded.inputs.pipelineConfig.functions as string[]).map((functionId) => {
          const fn = ofType(run, "aws:appsync/function:Function").find((f) => f.state.functionId === functionId);
          if (!fn) throw new Error(`the pipeline of Mutation.${field} in ${region} names function ${functionId}, which was not registered`);
          return { name: fn.inputs.name, resolver: loadResolver(fn.inputs.code, `${fn.inputs.name}.js`), dataSource: dataSources[fn.inputs.dataSource] };
        }),
      }, input)
    : await runResolver(resolver, input, eventBridge.dataSource);
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
