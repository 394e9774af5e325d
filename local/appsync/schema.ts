import { GraphQLObjectType, Kind, type GraphQLSchema } from "graphql";
import { buildAppSyncSchema } from "../../schema";

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

/** The directive of each mode; a type or field without any gets the API's default mode (API key). */
const MODE_DIRECTIVES: Record<string, AuthMode> = { aws_api_key: "API_KEY", aws_iam: "AWS_IAM" };
const DEFAULT_MODES: readonly AuthMode[] = ["API_KEY"];

function directiveModes(directives: readonly { name: { value: string } }[] | undefined): AuthMode[] {
  return (directives ?? []).map((directive) => MODE_DIRECTIVES[directive.name.value]).filter((mode): mode is AuthMode => Boolean(mode));
}

/** The API's schema as AppSync reads it, with what its auth and subscription directives say. */
export function loadSchema(): LocalSchema {
  const schema = buildAppSyncSchema();
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
