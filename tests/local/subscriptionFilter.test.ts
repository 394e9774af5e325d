import { expect } from "chai";
import { loadResolver, noneDataSource, runResolver } from "../../local/appsync/resolverRuntime";
import { FILTER_LIMITS, filterMatches, filterProblems } from "../../local/appsync/subscriptionFilter";
import { toSubscriptionFilter } from "../../local/appsync/subscriptionFilterTransform";

// The ticket example of AWS's "Defining enhanced subscriptions filters" page, as an object and as the filterGroup it stands for.
const TICKET_FILTER_OBJECT = {
  or: [
    { severity: { ge: 7 }, priority: { in: ["high", "medium"] } },
    { category: { eq: "security" }, group: { in: ["admin", "operators"] } },
  ],
};
const TICKET_FILTER_GROUP = {
  filterGroup: [
    { filters: [{ fieldName: "severity", operator: "ge", value: 7 }, { fieldName: "priority", operator: "in", value: ["high", "medium"] }] },
    { filters: [{ fieldName: "category", operator: "eq", value: "security" }, { fieldName: "group", operator: "in", value: ["admin", "operators"] }] },
  ],
};

describe("local runtime: enhanced subscription filters", function () {
  describe("util.transform.toSubscriptionFilter", function () {
    it("expands the documentation's ticket example into its filterGroup", function () {
      expect(toSubscriptionFilter(TICKET_FILTER_OBJECT)).to.deep.equal(TICKET_FILTER_GROUP);
    });

    it("ANDs the fields of one object, and each operator of a field, into one filter", function () {
      expect(toSubscriptionFilter({ severity: { ge: 3, le: 5 }, status: { eq: "open" } })).to.deep.equal({
        filterGroup: [{ filters: [
          { fieldName: "severity", operator: "ge", value: 3 },
          { fieldName: "severity", operator: "le", value: 5 },
          { fieldName: "status", operator: "eq", value: "open" },
        ] }],
      });
    });

    it("leaves out the ignored fields and ANDs the rules into every group", function () {
      const filter = toSubscriptionFilter({ ...TICKET_FILTER_OBJECT, internal: { eq: true } }, ["internal"], { status: { ne: "closed" } });
      expect(filter.filterGroup).to.have.length(2);
      for (const group of filter.filterGroup) {
        expect(group.filters.map((condition) => condition.fieldName)).to.not.include("internal");
        expect(group.filters.at(-1)).to.deep.equal({ fieldName: "status", operator: "ne", value: "closed" });
      }
    });
  });

  describe("evaluation", function () {
    const ticket = { severity: 8, priority: "low", category: "security", group: "operators", tags: ["a", "b"], title: "Disk full", author: { name: "ana" } };

    it("ORs the groups and ANDs the filters of a group", function () {
      expect(filterMatches(TICKET_FILTER_GROUP, ticket)).to.equal(true); // second group
      expect(filterMatches(TICKET_FILTER_GROUP, { ...ticket, group: "guests" })).to.equal(false); // first fails on priority
      expect(filterMatches(TICKET_FILTER_GROUP, { ...ticket, group: "guests", priority: "high" })).to.equal(true);
    });

    const cases: [string, unknown, boolean][] = [
      ["eq", "security", true], ["ne", "security", false],
      ["lt", 9, true], ["le", 8, true], ["gt", 8, false], ["ge", 8, true],
      ["in", ["security", "ops"], true], ["notIn", ["security"], false],
      ["contains", "ecur", true], ["notContains", "xyz", true],
      ["beginsWith", "sec", true], ["between", [1, 8], true], ["between", [9, 10], false],
    ];
    for (const [operator, value, expected] of cases) {
      it(`${operator} ${JSON.stringify(value)} → ${expected}`, function () {
        const fieldName = ["lt", "le", "gt", "ge", "between"].includes(operator) ? "severity" : "category";
        expect(filterMatches({ filterGroup: [{ filters: [{ fieldName, operator, value }] }] }, ticket)).to.equal(expected);
      });
    }

    it("applies contains and containsAny to list fields, and reads nested fields by dotted name", function () {
      const one = (fieldName: string, operator: string, value: unknown) => filterMatches({ filterGroup: [{ filters: [{ fieldName, operator, value }] }] }, ticket);
      expect(one("tags", "contains", "a")).to.equal(true);
      expect(one("tags", "containsAny", ["z", "b"])).to.equal(true);
      expect(one("tags", "containsAny", ["z"])).to.equal(false);
      expect(one("author.name", "eq", "ana")).to.equal(true);
      expect(one("missing", "eq", "x")).to.equal(false);
      expect(one("missing", "ne", "x")).to.equal(true);
    });
  });

  describe("AppSync's limits", function () {
    const condition = (operator: string, value: unknown, fieldName = "name") => ({ filterGroup: [{ filters: [{ fieldName, operator, value }] }] });

    it("accepts filters within the limits", function () {
      expect(filterProblems(TICKET_FILTER_GROUP)).to.deep.equal([]);
      expect(filterProblems(condition("in", [1, 2, 3, 4, 5]))).to.deep.equal([]);
      expect(filterProblems(condition("containsAny", Array.from({ length: 20 }, (_, i) => i)))).to.deep.equal([]);
    });

    it("names each limit that a filter breaks", function () {
      expect(filterProblems(condition("in", [1, 2, 3, 4, 5, 6]))).to.deep.equal(["Operator in on name takes a list of at most 5 values."]);
      expect(filterProblems(condition("containsAny", Array.from({ length: 21 }, (_, i) => i)))[0]).to.contain("at most 20 values");
      expect(filterProblems(condition("between", [1]))[0]).to.contain("exactly 2 values");
      expect(filterProblems(condition("like", "x"))[0]).to.contain("is not supported");
      expect(filterProblems(condition("eq", 1, "a.b.c.d.e.f"))[0]).to.contain("more than 5 levels");
      expect(filterProblems(condition("eq", 1, "x".repeat(257)))[0]).to.contain("longer than 256");
      const wide = { filterGroup: [{ filters: Array.from({ length: FILTER_LIMITS.filtersPerGroup + 1 }, () => ({ fieldName: "a", operator: "eq", value: 1 })) }] };
      expect(filterProblems(wide)[0]).to.contain(`at most ${FILTER_LIMITS.filtersPerGroup} conditions`);
      const many = { filterGroup: Array.from({ length: FILTER_LIMITS.groups + 1 }, () => condition("eq", 1).filterGroup[0]) };
      expect(filterProblems(many)[0]).to.contain(`at most ${FILTER_LIMITS.groups} filters`);
    });

    it("makes extensions.setSubscriptionFilter fail the resolver when a filter breaks a limit", async function () {
      const resolver = loadResolver(`
        import { util, extensions } from "@aws-appsync/utils";
        export function request() { return { payload: null }; }
        export function response(ctx) {
          extensions.setSubscriptionFilter(util.transform.toSubscriptionFilter({ name: { in: ctx.args.names } }));
          return null;
        }`);
      const run = (names: string[]) =>
        runResolver(resolver, { arguments: { names }, identity: null, authType: "API Key Authorization", info: { fieldName: "subscribe", parentTypeName: "Subscription", variables: {}, selectionSetList: [], selectionSetGraphQL: "" } }, noneDataSource);
      expect((await run(["a", "b"])).subscriptionFilter).to.deep.equal(condition("in", ["a", "b"]));
      const refused = await run(["a", "b", "c", "d", "e", "f"]);
      expect(refused.subscriptionFilter).to.equal(undefined);
      expect(refused.errors[0]).to.deep.include({ errorType: "ValidationException" });
      expect(refused.errors[0].message).to.contain("at most 5 values");
    });
  });
});
