import { expect } from "chai";
import type { Caller } from "../../local/appsync/auth";
import { DOCUMENT_BUDGET_CHARACTERS, MAX_QUERY_CHARACTERS, RegionalApi, type AppSyncResponse } from "../../local/appsync/regionalApi";
import { loadResolver, noneDataSource, type DataSource } from "../../local/appsync/resolverRuntime";
import { loadSchema } from "../../local/appsync/schema";

const CALLER: Caller = { mode: "API_KEY", identity: null };
const errorTypes = (response: AppSyncResponse) => response.errors?.map((error) => error.errorType);

/** A distinct query of exactly `length` characters that runs `Query.channels` once. */
function query(name: string, length = MAX_QUERY_CHARACTERS): string {
  const text = `query ${name} { channels }`;
  return text.slice(0, -1) + " ".repeat(length - text.length) + "}";
}

/** An API whose only resolver, `Query.channels`, waits for `gate` in its data source. */
function gatedApi(gate: Promise<void>): RegionalApi {
  const waiting: DataSource = async (request, caller) => {
    await gate;
    return noneDataSource(request, caller);
  };
  const resolver = loadResolver(`
    export function request() { return { payload: ["cars"] }; }
    export function response(ctx) { return ctx.result; }`);
  return new RegionalApi({
    schema: loadSchema({ oidc: false, apiKeyAccess: "publish-and-subscribe" }),
    resolvers: new Map([["Query.channels", { field: { kind: "UNIT", typeName: "Query", fieldName: "channels", dataSource: "NONE" }, resolver, functions: [] }]]),
    dataSources: { NONE: waiting, EVENTBRIDGE: waiting, HISTORY: waiting },
    limits: { queryDepthLimit: 10, resolverCountLimit: 10 },
  });
}

describe("local runtime: one budget for an API's parsed documents", () => {
  it("counts the documents of requests in flight, refusing a new query past the budget until they end, and shares identical ones", async () => {
    let open = () => {};
    const api = gatedApi(new Promise<void>((resolve) => (open = resolve)));
    const fitting = DOCUMENT_BUDGET_CHARACTERS / MAX_QUERY_CHARACTERS;
    const inFlight = Array.from({ length: fitting }, (_, index) => api.execute({ query: query(`Q${index}`) }, CALLER));
    const refused = await api.execute({ query: query("Past") }, CALLER);
    expect(errorTypes(refused)).to.deep.equal(["QueryBudgetExceeded"]);
    expect(refused.errors?.[0].message).to.contain(`holds ${DOCUMENT_BUDGET_CHARACTERS} characters`);
    const same = api.execute({ query: query("Q0") }, CALLER);
    open();
    expect(await Promise.all([...inFlight, same])).to.deep.equal(Array(fitting + 1).fill({ data: { channels: ["cars"] } }));
    expect(await api.execute({ query: query("Past") }, CALLER)).to.deep.equal({ data: { channels: ["cars"] } });
  });

  it(`parses a query of ${MAX_QUERY_CHARACTERS} characters and refuses a longer one before parsing, naming both lengths`, async () => {
    const api = gatedApi(Promise.resolve());
    expect(await api.execute({ query: query("AtLimit") }, CALLER)).to.deep.equal({ data: { channels: ["cars"] } });
    const refused = await api.execute({ query: query("Over", MAX_QUERY_CHARACTERS + 1) }, CALLER);
    expect(refused.errors?.map(({ errorType, message }) => ({ errorType, message }))).to.deep.equal([
      { errorType: "QueryTooLarge", message: `The query is ${MAX_QUERY_CHARACTERS + 1} characters long; this API parses queries of up to ${MAX_QUERY_CHARACTERS} characters.` },
    ]);
  });
});
