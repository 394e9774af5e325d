import * as fs from "fs";
import * as path from "path";
import { buildSchema, GraphQLScalarType, GraphQLSchema, Kind, parse, type DirectiveNode } from "graphql";
import type { ApiKeyAccess } from "../resolvers/lib/rules";
import { APPSYNC_SCALARS } from "./appSyncScalars";

/** The source schema, with every auth mode globalws can enable. */
export function readSchemaText(): string {
  return fs.readFileSync(path.join(__dirname, "schema.graphql"), "utf8");
}

/** An AppSync auth mode globalws enables (AppSync's own `authenticationType` names). */
export type AuthMode = "API_KEY" | "AWS_IAM" | "OPENID_CONNECT";

/** Which auth modes a stack's APIs have. */
export interface SchemaAccess {
  /** `globalws:oidc` is set: signed-in users. */
  readonly oidc: boolean;
  /** `globalws:apiKeyAccess`. */
  readonly apiKeyAccess: ApiKeyAccess;
}

/** Each mode's schema directive. */
export const MODE_DIRECTIVES: Readonly<Record<string, AuthMode>> = { aws_api_key: "API_KEY", aws_iam: "AWS_IAM", aws_oidc: "OPENID_CONNECT" };

/**
 * The API's auth modes: the default (what a field without a directive gets) and the additional
 * ones. The API key is the default while there is one; without it, OIDC (or IAM when there are no
 * users). IAM is always there: EventBridge and operators use it.
 */
export function authModesFor(access: SchemaAccess): { defaultMode: AuthMode; additionalModes: AuthMode[] } {
  if (access.apiKeyAccess === "none") {
    return access.oidc ? { defaultMode: "OPENID_CONNECT", additionalModes: ["AWS_IAM"] } : { defaultMode: "AWS_IAM", additionalModes: [] };
  }
  return { defaultMode: "API_KEY", additionalModes: access.oidc ? ["AWS_IAM", "OPENID_CONNECT"] : ["AWS_IAM"] };
}

/** True when `directive`, on type `typeName`, names a mode this stack's API does not give it. */
function isDropped(directive: DirectiveNode, typeName: string, access: SchemaAccess): boolean {
  const mode = MODE_DIRECTIVES[directive.name.value];
  if (mode === "OPENID_CONNECT") return !access.oidc;
  if (mode !== "API_KEY") return false;
  // A read-only key keeps subscribe, history and channels, and loses every mutation.
  return access.apiKeyAccess === "none" || (access.apiKeyAccess === "subscribe" && typeName === "Mutation");
}

/**
 * One stack's schema, derived from the source by cutting the auth directives of the modes its API
 * lacks (everything else, comments included, stays as written). AppSync is given only directives
 * for modes the API has, so whether it would refuse the others never arises. Every field keeps at
 * least one directive, so none falls back to the default mode.
 * @throws Error when a field or type would be left with no auth directive.
 */
export function schemaTextFor(access: SchemaAccess, source: string = readSchemaText()): string {
  const cuts: { start: number; end: number }[] = [];
  const keepsAMode = (directives: readonly DirectiveNode[] | undefined, typeName: string, where: string) => {
    const modes = (directives ?? []).filter((directive) => MODE_DIRECTIVES[directive.name.value]);
    const dropped = modes.filter((directive) => isDropped(directive, typeName, access));
    if (modes.length > 0 && dropped.length === modes.length) throw new Error(`${where} would have no auth directive left for ${JSON.stringify(access)}`);
    for (const directive of dropped) {
      const { start, end } = directive.loc as { start: number; end: number };
      // Take the whitespace before it too, so the line reads as if it had never been there.
      let from = start;
      while (from > 0 && /\s/.test(source[from - 1])) from -= 1;
      cuts.push({ start: from, end });
    }
  };
  for (const definition of parse(source).definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION) continue;
    const typeName = definition.name.value;
    keepsAMode(definition.directives, typeName, `type ${typeName}`);
    for (const field of definition.fields ?? []) keepsAMode(field.directives, typeName, `${typeName}.${field.name.value}`);
  }
  let text = source;
  for (const { start, end } of cuts.sort((a, b) => b.start - a.start)) text = text.slice(0, start) + text.slice(end);
  return text;
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

/** An API's schema (default: the source) with AppSync's built-ins, built by graphql-js, its scalars coerced as AppSync does. */
export function buildAppSyncSchema(text: string = readSchemaText()): GraphQLSchema {
  const schema = buildSchema(APPSYNC_BUILT_INS + text);
  for (const [name, implementation] of Object.entries(APPSYNC_SCALARS)) {
    Object.assign(schema.getType(name) as GraphQLScalarType, implementation);
  }
  return schema;
}
