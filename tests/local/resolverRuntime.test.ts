import { expect } from "chai";
import { loadResolver, noneDataSource, runResolver } from "../../local/appsync/resolverRuntime";

const INFO = { fieldName: "probe", parentTypeName: "Query", variables: {}, selectionSetList: [], selectionSetGraphQL: "" };

describe("local runtime: APPSYNC_JS sandbox", function () {
  it("reaches no Node global, not even through the constructor of what the resolver is handed", async function () {
    const resolver = loadResolver(`
      import { util } from "@aws-appsync/utils";
      const reach = (value) => value.constructor.constructor("return typeof process")();
      export function request(ctx) {
        return { payload: {
          globals: [typeof process, typeof Buffer, typeof setTimeout],
          through: [reach(ctx), reach(ctx.args), reach(console.log), reach(util.time.nowISO8601), reach(util), reach(require), reach(module)],
        } };
      }
      export function response(ctx) { return ctx.result; }`);
    const { result } = await runResolver(resolver, { arguments: {}, identity: null, authType: "API Key Authorization", info: INFO }, noneDataSource);
    expect(result).to.deep.equal({ globals: ["undefined", "undefined", "undefined"], through: Array(7).fill("undefined") });
  });

  it("hands the resolver its context's own objects, so instanceof holds as on AppSync", async function () {
    const resolver = loadResolver(`
      import { util } from "@aws-appsync/utils";
      export function request(ctx) { return { payload: { list: ctx.args.list } }; }
      export function response(ctx) {
        return [ctx instanceof Object, ctx.args.list instanceof Array, ctx.result.list instanceof Array, ctx.stash instanceof Object,
          util.transform.toSubscriptionFilter({ a: { eq: 1 } }) instanceof Object, ctx.args === ctx.arguments];
      }`);
    const { result } = await runResolver(resolver, { arguments: { list: [1] }, identity: null, authType: "API Key Authorization", info: INFO }, noneDataSource);
    expect(result).to.deep.equal([true, true, true, true, true, true]);
  });
});
