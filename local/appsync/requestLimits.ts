import { Kind, type FragmentDefinitionNode, type GraphQLResolveInfo, type OperationDefinitionNode, type SelectionSetNode } from "graphql";
import { FieldError, requestError, type AppSyncError } from "./appSyncErrors";

/**
 * AppSync's per-request guards, set on the API (`queryDepthLimit`, `resolverCountLimit`). Past
 * either, the fields concerned fail one by one with `QueryDepthLimitReached` or
 * `ResolverExecutionLimitReached` (an error on a non-null field nulls its nearest nullable parent)
 * and the rest of the request is served:
 * https://docs.aws.amazon.com/appsync/latest/devguide/configuration-limits.html
 */
export interface RequestLimits {
  /** Nesting levels a request may select (a root field is level 1, its fields level 2, …). */
  readonly queryDepthLimit: number;
  /** Resolvers one request may run. */
  readonly resolverCountLimit: number;
}

const QUERY_DEPTH_LIMIT_REACHED = "QueryDepthLimitReached";
const RESOLVER_EXECUTION_LIMIT_REACHED = "ResolverExecutionLimitReached";

/** The depth of the field being resolved: the names on its path (list indexes are no level). */
function depthOf(info: GraphQLResolveInfo): number {
  let depth = 0;
  for (let step: GraphQLResolveInfo["path"] | undefined = info.path; step; step = step.prev) if (typeof step.key === "string") depth += 1;
  return depth;
}

/** Fails a field nested past the limit, before it resolves. */
export function checkFieldDepth(info: GraphQLResolveInfo, limits: RequestLimits): void {
  const depth = depthOf(info);
  if (depth > limits.queryDepthLimit) {
    throw new FieldError(
      `${info.parentType.name}.${info.fieldName} is nested ${depth} levels deep, past this API's query depth limit of ${limits.queryDepthLimit}.`,
      QUERY_DEPTH_LIMIT_REACHED,
    );
  }
}

/** Fails the resolver that would be number `count` of the request when that is past the limit; it does not run. */
export function checkResolverCount(count: number, key: string, limits: RequestLimits): void {
  if (count > limits.resolverCountLimit) {
    throw new FieldError(
      `The resolver of ${key} did not run: this request reached this API's limit of ${limits.resolverCountLimit} resolvers.`,
      RESOLVER_EXECUTION_LIMIT_REACHED,
    );
  }
}

const isMetaField = (name: string) => name.startsWith("__");

/**
 * Introspection (`__schema`, `__type`, `__typename`) is resolved by graphql-js itself, not by the
 * field resolver that checks depth, and can nest without end (`fields { type { fields { …`): an
 * operation whose introspection goes past the limit is refused as a whole, before it runs.
 * Depth is counted through fragments, each fragment measured once.
 */
export function introspectionDepthError(
  operation: OperationDefinitionNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  limits: RequestLimits,
): AppSyncError | null {
  // Per selection set: its height (levels below it) and the deepest level reached inside introspection.
  const measured = new Map<SelectionSetNode, { height: number; introspection: number }>();
  const measure = (selectionSet: SelectionSetNode | undefined): { height: number; introspection: number } => {
    if (!selectionSet) return { height: 0, introspection: 0 };
    const known = measured.get(selectionSet);
    if (known) return known;
    let height = 0;
    let introspection = 0;
    for (const selection of selectionSet.selections) {
      const below = measure(selection.kind === Kind.FRAGMENT_SPREAD ? fragments.get(selection.name.value)?.selectionSet : selection.selectionSet);
      const levels = selection.kind === Kind.FIELD ? 1 : 0;
      height = Math.max(height, levels + below.height);
      if (selection.kind === Kind.FIELD && isMetaField(selection.name.value)) introspection = Math.max(introspection, 1 + below.height);
      else if (below.introspection > 0) introspection = Math.max(introspection, levels + below.introspection);
    }
    const result = { height, introspection };
    measured.set(selectionSet, result);
    return result;
  };
  const depth = measure(operation.selectionSet).introspection;
  if (depth <= limits.queryDepthLimit) return null;
  return requestError(
    `Introspection nested ${depth} levels deep is past this API's query depth limit of ${limits.queryDepthLimit}.`,
    QUERY_DEPTH_LIMIT_REACHED,
  );
}
