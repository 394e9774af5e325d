import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from "graphql";

const DATE = "\\d{4}-\\d{2}-\\d{2}";
const TIME = "\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?";
const ZONE = "(Z|[+-]\\d{2}(:\\d{2}(:\\d{2})?)?)";
const AWS_DATE_TIME = new RegExp(`^${DATE}T${TIME}${ZONE}$`);
const AWS_DATE = new RegExp(`^${DATE}${ZONE}?$`);
const AWS_TIME = new RegExp(`^${TIME}${ZONE}?$`);

const PARTS = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:Z|([+-])(\d{2})(?::(\d{2})(?::(\d{2}))?)?)$/;

/**
 * The epoch milliseconds of an AWSDateTime (offsets of hours, minutes or seconds, as AppSync's
 * `util.time.parseISO8601ToEpochMilliSeconds` reads them), or `null` when it is not one.
 */
export function parseAwsDateTime(text: string): number | null {
  const match = PARTS.exec(text);
  if (!match) return null;
  const [, year, month, day, hour, minute, second = "0", fraction = "0", sign, offsetHours = "0", offsetMinutes = "0", offsetSeconds = "0"] = match;
  const local = Date.UTC(+year, +month - 1, +day, +hour, +minute, +second, Number(`0.${fraction}`) * 1000);
  const offsetMs = ((+offsetHours * 60 + +offsetMinutes) * 60 + +offsetSeconds) * 1000 * (sign === "-" ? -1 : 1);
  // Date.UTC rolls 2026-02-30 over into March: a date that does not exist is no date-time.
  const date = new Date(local);
  if (date.getUTCMonth() !== +month - 1 || date.getUTCDate() !== +day || +hour > 23 || +minute > 59 || +second > 59) return null;
  return Math.floor(local - offsetMs);
}

function literalString(node: ValueNode, scalar: string): string {
  if (node.kind !== Kind.STRING) throw new GraphQLError(`${scalar} must be given as a string`);
  return node.value;
}

/** A string scalar that must match `pattern` (AppSync's AWSDateTime/AWSDate/AWSTime). */
function patternScalar(name: string, pattern: RegExp, example: string) {
  const check = (value: unknown) => {
    if (typeof value !== "string" || !pattern.test(value) || (name !== "AWSTime" && Number.isNaN(Date.parse(value.slice(0, 10))))) {
      throw new GraphQLError(`Can't serialize value: ${JSON.stringify(value)} is not a valid ${name} (e.g. ${example})`);
    }
    return value;
  };
  return { serialize: check, parseValue: check, parseLiteral: (node: ValueNode) => check(literalString(node, name)) };
}

/**
 * The deepest nesting an AWSJSON value may have (ours). A value travels through JSON round trips
 * (into and out of the resolvers, onto the bus), each of which recurses once a level: nested much
 * deeper, a value would overflow the stack there instead of being refused here with an error.
 */
export const MAX_JSON_DEPTH = 1000;

/** How deep a JSON text nests, counted over its brackets outside strings (no recursion). */
function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (inString) {
      if (char === "\\") index += 1;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === "[" || char === "{") deepest = Math.max(deepest, (depth += 1));
    else if (char === "]" || char === "}") depth -= 1;
  }
  return deepest;
}

function parseJson(text: unknown): unknown {
  if (typeof text !== "string") throw new GraphQLError("AWSJSON must be a string holding JSON");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new GraphQLError(`Unable to parse ${JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text)} as valid JSON.`);
  }
  const depth = jsonDepth(text);
  if (depth > MAX_JSON_DEPTH) throw new GraphQLError(`AWSJSON nested ${depth} levels deep is past the limit of ${MAX_JSON_DEPTH} levels.`);
  return value;
}

/** AppSync's coercion of its own scalars (graphql-js treats an undeclared behaviour as pass-through). */
export const APPSYNC_SCALARS: Record<string, Partial<Pick<GraphQLScalarType, "serialize" | "parseValue" | "parseLiteral">>> = {
  // AWSJSON travels as a string and reaches resolvers as the value it holds; a resolver's value goes out as its JSON.
  AWSJSON: {
    serialize: (value) => JSON.stringify(value),
    parseValue: parseJson,
    parseLiteral: (node) => parseJson(literalString(node, "AWSJSON")),
  },
  AWSDateTime: patternScalar("AWSDateTime", AWS_DATE_TIME, "2024-01-31T12:00:00.000Z"),
  AWSDate: patternScalar("AWSDate", AWS_DATE, "2024-01-31"),
  AWSTime: patternScalar("AWSTime", AWS_TIME, "12:00:00.000"),
  AWSTimestamp: {
    serialize: (value) => {
      if (!Number.isInteger(value)) throw new GraphQLError(`Can't serialize value: ${JSON.stringify(value)} is not an AWSTimestamp (whole seconds)`);
      return value;
    },
    parseValue: (value) => {
      if (!Number.isInteger(value)) throw new GraphQLError(`${JSON.stringify(value)} is not an AWSTimestamp (whole seconds)`);
      return value;
    },
    parseLiteral: (node) => {
      if (node.kind !== Kind.INT) throw new GraphQLError("AWSTimestamp must be a whole number of seconds");
      return Number(node.value);
    },
  },
};
