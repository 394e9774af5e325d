import { expect } from "chai";
import { startLocalStack, type LocalStack } from "../../local/index";
import { MAX_JSON_DEPTH } from "../../schema/appSyncScalars";
import { apiKeyOf, EVERY_FIELD, graphql, PUBLISH, RealtimeClient, SUBSCRIBE_ALL, type TestAuth } from "./realtimeClient";

/** `count` aliased publishes on `channel` in one mutation, each selecting every field (as subscribers need). */
const aliasedPublishes = (count: number, channel: string) =>
  `mutation { ${Array.from({ length: count }, (_, index) => `p${index}: publish(name: "${channel}", data: "${index}") { ${EVERY_FIELD} }`).join(" ")} }`;

describe("local runtime: AppSync's query depth and resolver count limits", function () {
  let limited: LocalStack;
  let shallow: LocalStack;
  const region = (stack: LocalStack) => stack.outputs.regions["us-west-2"];
  const key = (stack: LocalStack): TestAuth => ({ apiKey: apiKeyOf(region(stack)) });

  before(async () => {
    const common = { regions: ["us-west-2"], channels: [], basePort: 0, outputsFile: null, log: () => {} };
    limited = await startLocalStack({ ...common, limits: { queryDepthLimit: 2, resolverCountLimit: 3 } });
    shallow = await startLocalStack({ ...common, limits: { queryDepthLimit: 1 } });
  });
  after(async () => {
    await limited.stop();
    await shallow.stop();
  });

  it("runs a request's first resolvers up to the limit and fails each one past it, which does not run", async () => {
    const subscriber = await RealtimeClient.connect(region(limited), key(limited));
    expect((await subscriber.subscribe("all", SUBSCRIBE_ALL, { name: "aliases" })).type).to.equal("start_ack");
    const { status, body } = await graphql(region(limited), key(limited), aliasedPublishes(5, "aliases"));
    expect(status).to.equal(200);
    const data = body.data as Record<string, { id: string } | null>;
    expect(Object.values(data).map((value) => value === null)).to.deep.equal([false, false, false, true, true]);
    expect(body.errors?.map((error) => [error.errorType, error.path])).to.deep.equal([
      ["ResolverExecutionLimitReached", ["p3"]],
      ["ResolverExecutionLimitReached", ["p4"]],
    ]);
    expect(body.errors?.[0].message).to.equal("The resolver of Mutation.publish did not run: this request reached this API's limit of 3 resolvers.");
    // Only the three that ran were delivered: a later message arrives right after them.
    const { body: sentinel } = await graphql(region(limited), key(limited), PUBLISH, { name: "aliases", data: "\"sentinel\"" });
    const sentinelId = (sentinel.data?.publish as { id: string }).id;
    await subscriber.next((message) => (message.payload?.data?.subscribe as { id?: string } | undefined)?.id === sentinelId);
    expect(subscriber.dataFor("all").map((message) => (message.payload?.data?.subscribe as { id: string }).id)).to.deep.equal([data.p0?.id, data.p1?.id, data.p2?.id, sentinelId]);
    subscriber.close();
  });

  it("counts a query's resolvers too; an error on a non-null root field nulls the data", async () => {
    const { body } = await graphql(region(limited), key(limited), "{ a: channels b: channels c: channels d: channels }");
    expect(body.data).to.equal(null);
    expect(body.errors?.map((error) => [error.errorType, error.path])).to.deep.equal([["ResolverExecutionLimitReached", ["d"]]]);
  });

  it("fails a field nested past the depth limit, through fragments; the nearest nullable parent becomes null", async () => {
    const subscriber = await RealtimeClient.connect(region(shallow), key(shallow));
    const subscription = "subscription { subscribe(name: \"shallow\") { ...Fields } } fragment Fields on Channel { id name }";
    expect((await subscriber.subscribe("shallow", subscription)).type).to.equal("start_ack");
    // A publish selects every field directly (fragments are refused), so the fragment is the subscriber's.
    const { body } = await graphql(region(shallow), key(shallow), `mutation { publish(name: "shallow", data: "1") { ${EVERY_FIELD} } }`);
    expect(body.data).to.deep.equal({ publish: null });
    expect(body.errors?.map((error) => [error.errorType, error.path])).to.deep.equal([["QueryDepthLimitReached", ["publish", "name"]]]);
    expect(body.errors?.[0].message).to.equal("Channel.name is nested 2 levels deep, past this API's query depth limit of 1.");
    // As on AppSync, the level within the limit ran: the message went out, and its fields past the limit fail for the subscriber too.
    const delivered = await subscriber.next((message) => message.id === "shallow" && message.type === "data");
    expect(delivered.payload?.data).to.deep.equal({ subscribe: null });
    expect(delivered.payload?.errors?.[0]).to.include({ errorType: "QueryDepthLimitReached" });
    subscriber.close();
  });

  it("refuses introspection nested past the depth limit as a whole, counted through fragments, and serves it within", async () => {
    const refused = { errorType: "QueryDepthLimitReached", message: "Introspection nested 3 levels deep is past this API's query depth limit of 2." };
    for (const query of ["{ __schema { types { name } } }", "query { ...S } fragment S on Query { __schema { ...T } } fragment T on __Schema { queryType { name } }"]) {
      const { body } = await graphql(region(limited), key(limited), query);
      expect(body.data ?? null).to.equal(null);
      expect(body.errors?.map(({ errorType, message }) => ({ errorType, message }))).to.deep.equal([refused]);
    }
    const { body } = await graphql(region(limited), key(limited), "{ __typename __schema { description } }");
    expect(body).to.deep.equal({ data: { __typename: "Query", __schema: { description: null } } });
  });

  it("refuses AWSJSON nested past its limit with an error type, and delivers data nested exactly to it", async () => {
    const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
    const { body: deep } = await graphql(region(limited), key(limited), PUBLISH, { name: "deep", data: nested(100_000) });
    expect(deep.errors?.[0]).to.include({ errorType: "ValidationError" });
    expect(deep.errors?.[0].message).to.contain(`AWSJSON nested 100000 levels deep is past the limit of ${MAX_JSON_DEPTH} levels.`);

    const subscriber = await RealtimeClient.connect(region(limited), key(limited));
    expect((await subscriber.subscribe("deep", SUBSCRIBE_ALL, { name: "deep" })).type).to.equal("start_ack");
    const { body: atLimit } = await graphql(region(limited), key(limited), PUBLISH, { name: "deep", data: nested(MAX_JSON_DEPTH) });
    expect(atLimit.errors).to.equal(undefined);
    const delivered = await subscriber.next((message) => message.id === "deep" && message.type === "data");
    expect((delivered.payload?.data?.subscribe as { data: string }).data).to.equal(nested(MAX_JSON_DEPTH));
    subscriber.close();
  });

  it("starts a subscription whose unused variables nest past the stack, and serves on", async () => {
    const client = await RealtimeClient.connect(region(limited), key(limited));
    const start = await client.startMessage("odd", SUBSCRIBE_ALL, { name: "odd" });
    // 30,000 levels (within the real-time message limit): JSON.stringify overflows the stack at 10,000.
    const data = `{"query":${JSON.stringify(SUBSCRIBE_ALL)},"variables":{"name":"odd","unused":${"[".repeat(30_000)}${"]".repeat(30_000)}}}`;
    client.send({ ...start, payload: { ...start.payload, data } });
    expect((await client.next((message) => message.id === "odd")).type).to.equal("start_ack");
    await graphql(region(limited), key(limited), PUBLISH, { name: "odd", data: "1" });
    await client.next((message) => message.id === "odd" && message.type === "data");
    client.close();
  });
});
