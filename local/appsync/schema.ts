import { GraphQLObjectType, Kind, type GraphQLSchema } from "graphql";
import { authModesFor, buildAppSyncSchema, MODE_DIRECTIVES, schemaTextFor, type AuthMode, type SchemaAccess } from "../../schema";

export type { AuthMode } from "../../schema";

/** The schema with AppSync's built-in scalars and directives, plus what its directives say. */
export interface LocalSchema {
  readonly schema: GraphQLSchema;
  /** `Type.field` → the auth modes allowed on it. */
  readonly fieldAuth: ReadonlyMap<string, readonly AuthMode[]>;
  /** Subscription field → the mutation fields that fire it (`@aws_subscribe`). */
  readonly subscribedMutations: ReadonlyMap<string, readonly string[]>;
}

function directiveModes(directives: readonly { name: { value: string } }[] | undefined): AuthMode[] {
  return (directives ?? []).map((directive) => MODE_DIRECTIVES[directive.name.value]).filter((mode): mode is AuthMode => Boolean(mode));
}

/**
 * The schema a stack's API gets (derived for its auth modes, as Pulumi uploads it), with what its
 * auth and subscription directives say: a field's own directives, else its type's, else the API's
 * default mode.
 */
export function loadSchema(access: SchemaAccess): LocalSchema {
  const schema = buildAppSyncSchema(schemaTextFor(access));
  const defaultModes = [authModesFor(access).defaultMode];
  const fieldAuth = new Map<string, readonly AuthMode[]>();
  const subscribedMutations = new Map<string, readonly string[]>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!(type instanceof GraphQLObjectType) || type.name.startsWith("__")) continue;
    const typeModes = directiveModes(type.astNode?.directives);
    for (const field of Object.values(type.getFields())) {
      const fieldModes = directiveModes(field.astNode?.directives);
      fieldAuth.set(`${type.name}.${field.name}`, fieldModes.length ? fieldModes : typeModes.length ? typeModes : defaultModes);
      const subscribe = field.astNode?.directives?.find((directive) => directive.name.value === "aws_subscribe");
      const list = subscribe?.arguments?.find((argument) => argument.name.value === "mutations")?.value;
      if (list?.kind === Kind.LIST) {
        subscribedMutations.set(field.name, list.values.flatMap((value) => (value.kind === Kind.STRING ? [value.value] : [])));
      }
    }
  }
  return { schema, fieldAuth, subscribedMutations };
}
