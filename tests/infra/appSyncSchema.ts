import { GraphQLScalarType, GraphQLSchema } from "graphql";
import { buildAppSyncSchema } from "../../schema";

function requireString(scalar: string, value: unknown): string {
  if (typeof value !== "string") throw new TypeError(`${scalar} takes a string, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * The API's schema with AppSync's coercion of the variables EventBridge sends: an AWSJSON
 * variable is a string holding JSON, an AWSDateTime an ISO 8601 date-time string.
 */
export function schemaWithAppSyncCoercion(): GraphQLSchema {
  const schema = buildAppSyncSchema();
  Object.assign(schema.getType("AWSJSON") as GraphQLScalarType, {
    parseValue: (value: unknown) => {
      JSON.parse(requireString("AWSJSON", value));
      return value;
    },
  });
  Object.assign(schema.getType("AWSDateTime") as GraphQLScalarType, {
    parseValue: (value: unknown) => {
      if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(requireString("AWSDateTime", value))) {
        throw new TypeError(`AWSDateTime takes an ISO 8601 date-time, got ${JSON.stringify(value)}`);
      }
      return value;
    },
  });
  return schema;
}
