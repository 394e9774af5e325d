import type { SubscriptionFilter } from "./resolverRuntime";

type Filter = SubscriptionFilter["filterGroup"][number]["filters"][number];

/** AppSync's documented limits on an enhanced subscription filter. */
export const FILTER_LIMITS = {
  groups: 10,
  filtersPerGroup: 5,
  fieldNameLength: 256,
  fieldNameDepth: 5,
  inValues: 5,
  containsAnyValues: 20,
} as const;

const OPERATORS = new Set(["eq", "ne", "lt", "le", "gt", "ge", "in", "notIn", "contains", "notContains", "beginsWith", "between", "containsAny"]);

/**
 * The problems that make AppSync refuse a filter (`extensions.setSubscriptionFilter` /
 * `setSubscriptionInvalidationFilter`), one message each; empty when the filter is valid.
 */
export function filterProblems(filter: unknown): string[] {
  const groups = (filter as SubscriptionFilter | null)?.filterGroup;
  if (!Array.isArray(groups) || groups.length === 0) return ["A subscription filter needs a non-empty filterGroup list."];
  const problems: string[] = [];
  if (groups.length > FILTER_LIMITS.groups) {
    problems.push(`A filterGroup can have at most ${FILTER_LIMITS.groups} filters; this one has ${groups.length}.`);
  }
  for (const group of groups) {
    const filters = group?.filters;
    if (!Array.isArray(filters) || filters.length === 0) {
      problems.push("Each filter of a filterGroup needs a non-empty filters list.");
      continue;
    }
    if (filters.length > FILTER_LIMITS.filtersPerGroup) {
      problems.push(`A filter can have at most ${FILTER_LIMITS.filtersPerGroup} conditions; this one has ${filters.length}.`);
    }
    for (const condition of filters) problems.push(...conditionProblems(condition));
  }
  return problems;
}

function conditionProblems({ fieldName, operator, value }: Filter): string[] {
  const problems: string[] = [];
  if (typeof fieldName !== "string" || fieldName === "") return [`A filter condition needs a fieldName (got ${JSON.stringify(fieldName)}).`];
  if (fieldName.length > FILTER_LIMITS.fieldNameLength) {
    problems.push(`Field name ${fieldName.slice(0, 40)}… is longer than ${FILTER_LIMITS.fieldNameLength} characters.`);
  }
  if (fieldName.split(".").length > FILTER_LIMITS.fieldNameDepth) {
    problems.push(`Field name ${fieldName} is nested more than ${FILTER_LIMITS.fieldNameDepth} levels deep.`);
  }
  if (!OPERATORS.has(operator)) {
    return [...problems, `Operator ${JSON.stringify(operator)} on ${fieldName} is not supported; use one of ${[...OPERATORS].join(", ")}.`];
  }
  const list = Array.isArray(value) ? value : null;
  if ((operator === "in" || operator === "notIn") && (!list || list.length > FILTER_LIMITS.inValues)) {
    problems.push(`Operator ${operator} on ${fieldName} takes a list of at most ${FILTER_LIMITS.inValues} values.`);
  }
  if (operator === "containsAny" && (!list || list.length > FILTER_LIMITS.containsAnyValues)) {
    problems.push(`Operator containsAny on ${fieldName} takes a list of at most ${FILTER_LIMITS.containsAnyValues} values.`);
  }
  if (operator === "between" && (!list || list.length !== 2)) {
    problems.push(`Operator between on ${fieldName} takes a list of exactly 2 values [low, high].`);
  }
  return problems;
}

function fieldValue(payload: unknown, fieldName: string): unknown {
  let value = payload;
  for (const key of fieldName.split(".")) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

const ordered = (a: unknown, b: unknown) =>
  (typeof a === "number" && typeof b === "number") || (typeof a === "string" && typeof b === "string");

function contains(actual: unknown, item: unknown): boolean {
  if (typeof actual === "string") return typeof item === "string" && actual.includes(item);
  return Array.isArray(actual) && actual.includes(item);
}

/** One condition against one payload, as AppSync evaluates it (an absent field only passes the negative operators). */
function conditionHolds({ fieldName, operator, value }: Filter, payload: unknown): boolean {
  const actual = fieldValue(payload, fieldName);
  const list = Array.isArray(value) ? value : [];
  switch (operator) {
    case "eq":
      return actual === value;
    case "ne":
      return actual !== value;
    case "lt":
      return ordered(actual, value) && (actual as number) < (value as number);
    case "le":
      return ordered(actual, value) && (actual as number) <= (value as number);
    case "gt":
      return ordered(actual, value) && (actual as number) > (value as number);
    case "ge":
      return ordered(actual, value) && (actual as number) >= (value as number);
    case "in":
      return actual !== undefined && list.includes(actual);
    case "notIn":
      return !list.includes(actual);
    case "contains":
      return contains(actual, value);
    case "notContains":
      return !contains(actual, value);
    case "beginsWith":
      return typeof actual === "string" && typeof value === "string" && actual.startsWith(value);
    case "between":
      return ordered(actual, list[0]) && ordered(actual, list[1]) && (actual as number) >= (list[0] as number) && (actual as number) <= (list[1] as number);
    case "containsAny":
      return list.some((item) => contains(actual, item));
    default:
      return false;
  }
}

/** Whether `payload` passes `filter`: the groups are OR'ed, the conditions of a group AND'ed. */
export function filterMatches(filter: SubscriptionFilter, payload: unknown): boolean {
  return filter.filterGroup.some((group) => group.filters.every((condition) => conditionHolds(condition, payload)));
}
