import * as fs from "fs";
import * as path from "path";
import {
  buildSchema,
  GraphQLError,
  GraphQLObjectType,
  GraphQLScalarType,
  Kind,
  type GraphQLSchema,
  type ValueNode,
} from "graphql";

/** How a caller authenticated: the two modes globalws enables. */
export type AuthMode = "API_KEY" | "AWS_IAM";

/** The schema with AppSync's built-in scalars and directives, plus what its directives say. */
export interface LocalSchema {
  readonly schema: GraphQLSchema;
  /** `Type.field` → the auth modes allowed on it. */
  readonly fieldAuth: ReadonlyMap<string, readonly AuthMode[]>;
  /** Subscription field → the mutation fields that fire it (`@aws_subscribe`). */
  readonly subscribedMutations: ReadonlyMap<string, readonly string[]>;
}

// AppSync defines these itself; a schema uploaded to AppSync must not declare them.
const APPSYNC_PRELUDE = `
scalar AWSDate
scalar AWSTime
scalar AWSDateTime
scalar AWSTimestamp
scalar AWSEmail
scalar AWSJSON
scalar AWSURL
scalar AWSPhone
scalar AWSIPAddress
directive @aws_api_key on FIELD_DEFINITION | OBJECT
directive @aws_iam on FIELD_DEFINITION | OBJECT
directive @aws_oidc on FIELD_DEFINITION | OBJECT
directive @aws_lambda on FIELD_DEFINITION | OBJECT
directive @aws_cognito_user_pools(cognito_groups: [String]) on FIELD_DEFINITION | OBJECT
directive @aws_auth(cognito_groups: [String]) on FIELD_DEFINITION
directive @aws_subscribe(mutations: [String]) on FIELD_DEFINITION
`;

/** The directive of each mode; a type or field without any gets the API's default mode (API key). */
const MODE_DIRECTIVES: Record<string, AuthMode> = { aws_api_key: "API_KEY", aws_iam: "AWS_IAM" };
const DEFAULT_MODES: readonly AuthMode[] = ["API_KEY"];

const DATE = "\\d{4}-\\d{2}-\\d{2}";
const TIME = "\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?";
const ZONE = "(Z|[+-]\\d{2}(:\\d{2}(:\\d{2})?)?)";
const AWS_DATE_TIME = new RegExp(`^${DATE}T${TIME}${ZONE}$`);
const AWS_DATE = new RegExp(`^${DATE}${ZONE}?$`);
const AWS_TIME = new RegExp(`^${TIME}${ZONE}?$`);

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

function parseJson(text: unknown): unknown {
  if (typeof text !== "string") throw new GraphQLError("AWSJSON must be a string holding JSON");
  try {
    return JSON.parse(text);
  } catch {
    throw new GraphQLError(`Unable to parse ${JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text)} as valid JSON.`);
  }
}

const SCALARS: Record<string, Partial<Pick<GraphQLScalarType, "serialize" | "parseValue" | "parseLiteral">>> = {
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

function directiveModes(directives: readonly { name: { value: string } }[] | undefined): AuthMode[] {
  return (directives ?? []).map((directive) => MODE_DIRECTIVES[directive.name.value]).filter((mode): mode is AuthMode => Boolean(mode));
}

/** Parses `schema/schema.graphql` (or `sdl`) with AppSync's prelude and reads its auth and subscription directives. */
export function loadSchema(sdl = fs.readFileSync(path.join(__dirname, "..", "..", "schema", "schema.graphql"), "utf8")): LocalSchema {
  const schema = buildSchema(APPSYNC_PRELUDE + sdl);
  for (const [name, implementation] of Object.entries(SCALARS)) {
    Object.assign(schema.getType(name) as GraphQLScalarType, implementation);
  }
  const fieldAuth = new Map<string, readonly AuthMode[]>();
  const subscribedMutations = new Map<string, readonly string[]>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!(type instanceof GraphQLObjectType) || type.name.startsWith("__")) continue;
    const typeModes = directiveModes(type.astNode?.directives);
    for (const field of Object.values(type.getFields())) {
      const fieldModes = directiveModes(field.astNode?.directives);
      fieldAuth.set(`${type.name}.${field.name}`, fieldModes.length ? fieldModes : typeModes.length ? typeModes : DEFAULT_MODES);
      const subscribe = field.astNode?.directives?.find((directive) => directive.name.value === "aws_subscribe");
      const list = subscribe?.arguments?.find((argument) => argument.name.value === "mutations")?.value;
      if (list?.kind === Kind.LIST) {
        subscribedMutations.set(field.name, list.values.flatMap((value) => (value.kind === Kind.STRING ? [value.value] : [])));
      }
    }
  }
  return { schema, fieldAuth, subscribedMutations };
}
