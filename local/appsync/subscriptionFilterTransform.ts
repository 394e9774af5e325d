import type { SubscriptionFilter } from "./resolverRuntime";

type Filter = SubscriptionFilter["filterGroup"][number]["filters"][number];
type FilterObject = Record<string, unknown>;

/** Every way `object` can be true, as a list of AND'ed filter lists (disjunctive normal form). */
function expand(object: FilterObject, ignoredFields: readonly string[]): Filter[][] {
  let conjunctions: Filter[][] = [[]];
  const and = (alternatives: Filter[][]) => {
    conjunctions = conjunctions.flatMap((left) => alternatives.map((right) => [...left, ...right]));
  };
  for (const [key, value] of Object.entries(object)) {
    if (key === "or") {
      and((value as FilterObject[]).flatMap((item) => expand(item, ignoredFields)));
    } else if (key === "and") {
      for (const item of value as FilterObject[]) and(expand(item, ignoredFields));
    } else if (!ignoredFields.includes(key)) {
      and([Object.entries(value as FilterObject).map(([operator, operand]) => ({ fieldName: key, operator, value: operand }))]);
    }
  }
  return conjunctions;
}

/**
 * `util.transform.toSubscriptionFilter`: turns a filter object (`{field: {op: value}, or: […], and: […]}`)
 * into the `filterGroup` form that `extensions.setSubscriptionFilter` takes. Groups are OR'ed and
 * the filters of a group AND'ed; `ignoredFields` are left out; `rules` are AND'ed into every group.
 */
export function toSubscriptionFilter(object: FilterObject, ignoredFields: readonly string[] = [], rules?: FilterObject): SubscriptionFilter {
  const groups = expand(object, ignoredFields);
  const ruleGroups = rules ? expand(rules, []) : [[]];
  return {
    filterGroup: groups.flatMap((filters) => ruleGroups.map((ruleFilters) => ({ filters: [...filters, ...ruleFilters] }))),
  };
}
