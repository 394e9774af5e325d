import * as fs from "fs";
import * as path from "path";
import { buildSchema, GraphQLScalarType, GraphQLSchema } from "graphql";
import { APPSYNC_SCALARS } from "./appSyncScalars";

/** The schema text, as Pulumi uploads it. */
export function readSchemaText(): string {
  return fs.readFileSync(path.join(__dirname, "schema.graphql"), "utf8");
}

/**
 * AppSync's own scalars and directives, which it declares implicitly; graphql-js needs them
 * spelled out to build or validate against our schema.
 */
const APPSYNC_BUILT_INS = `
scalar AWSDate
scalar AWSTime
scalar AWSDateTime
scalar AWSTimestamp
scalar AWSEmail
scalar AWSJSON
scalar AWSURL
scalar AWSPhone
scalar AWSIPAddress
directive @aws_api_key on OBJECT | FIELD_DEFINITION
directive @aws_iam on OBJECT | FIELD_DEFINITION
directive @aws_oidc on OBJECT | FIELD_DEFINITION
directive @aws_lambda on OBJECT | FIELD_DEFINITION
directive @aws_cognito_user_pools(cognito_groups: [String]) on OBJECT | FIELD_DEFINITION
directive @aws_auth(cognito_groups: [String]) on FIELD_DEFINITION
directive @aws_subscribe(mutations: [String]) on FIELD_DEFINITION
`;

/** The API's schema with AppSync's built-ins, built by graphql-js, its scalars coerced as AppSync does. */
export function buildAppSyncSchema(): GraphQLSchema {
  const schema = buildSchema(APPSYNC_BUILT_INS + readSchemaText());
  for (const [name, implementation] of Object.entries(APPSYNC_SCALARS)) {
    Object.assign(schema.getType(name) as GraphQLScalarType, implementation);
  }
  return schema;
}
