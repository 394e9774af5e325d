import type { EventPattern } from "../../infra/routing";

/** An EventBridge event as rules see it (the fields of the PutEvents entry, renamed as on the bus). */
export interface BusEvent {
  readonly id: string;
  readonly source: string;
  readonly "detail-type": string;
  readonly account: string;
  readonly region: string;
  readonly time: string;
  readonly resources: string[];
  readonly detail: Record<string, unknown>;
}

type Matcher = Record<string, unknown>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Whether one value of the event (or one element of an array value) meets one entry of a pattern's list. */
function matchesValue(entry: unknown, value: unknown): boolean {
  if (!isObject(entry)) return entry === value;
  const [operator, operand] = Object.entries(entry as Matcher)[0] ?? [];
  switch (operator) {
    case "prefix":
      return typeof value === "string" && typeof operand === "string" && value.startsWith(operand);
    case "anything-but":
      if (isObject(operand) && "prefix" in operand) {
        return typeof value === "string" && !value.startsWith(String(operand.prefix));
      }
      return Array.isArray(operand) ? !operand.includes(value) : operand !== value;
    default:
      throw new Error(`unsupported event pattern operator ${JSON.stringify(operator)}`);
  }
}

/** Whether a field (absent = `undefined`) meets a pattern's list for it. */
function matchesField(list: unknown[], value: unknown): boolean {
  const exists = list.find((entry) => isObject(entry) && "exists" in entry) as { exists: boolean } | undefined;
  if (exists) return exists.exists === (value !== undefined);
  if (value === undefined) return false;
  const values = Array.isArray(value) ? value : [value];
  return values.some((item) => list.some((entry) => matchesValue(entry, item)));
}

function matchesObject(pattern: EventPattern, object: unknown): boolean {
  return Object.entries(pattern).every(([key, expected]) => {
    // `$or`: any one of the listed patterns, each matched against the same object.
    if (key === "$or") return (expected as EventPattern[]).some((alternative) => matchesObject(alternative, object));
    const value = isObject(object) ? object[key] : undefined;
    return Array.isArray(expected) ? matchesField(expected, value) : matchesObject(expected as EventPattern, value);
  });
}

/**
 * Whether `event` matches an EventBridge event pattern: every key of the pattern must match
 * (AND); each list is a set of alternatives (OR); an array value in the event matches when any
 * element does. Supports exact values, `prefix`, `anything-but` (value, list, or prefix), `exists` and `$or`.
 */
export function matchesEventPattern(pattern: EventPattern, event: BusEvent): boolean {
  return matchesObject(pattern, event);
}
