import {
  defaultFieldResolver,
  execute,
  getOperationAST,
  GraphQLError,
  Kind,
  locatedError,
  parse,
  print,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
  type GraphQLFieldResolver,
  type GraphQLResolveInfo,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import type { DataSourceKind, PipelineFunction, ResolverField } from "../../infra/resolverBundle";
import { AUTH_TYPE, SUBSCRIPTION_PAYLOAD_BYTES } from "../../resolvers/lib/rules";
import type { Caller } from "./auth";
import { FieldError, REQUEST_ERROR_TYPE, requestError, toAppSyncError, type AppSyncError } from "./appSyncErrors";
import { stringifyWithin } from "./boundedJson";
import { DocumentStore, type DocumentLease } from "./documentStore";
import { checkFieldDepth, checkResolverCount, introspectionDepthError, type RequestLimits } from "./requestLimits";
import { runPipeline, runResolver, type DataSource, type Invalidation, type LoadedResolver, type ResolverOutcome } from "./resolverRuntime";
import type { LocalSchema } from "./schema";
import { SubscriptionRegistry, type ActiveSubscription } from "./subscriptionRegistry";

/** A GraphQL request as clients send it. */
export interface GraphQLRequest {
  readonly query: string;
  readonly variables?: Record<string, unknown> | null;
  readonly operationName?: string | null;
}

/** A GraphQL response in AppSync's shape. */
export interface AppSyncResponse {
  readonly data?: unknown;
  readonly errors?: AppSyncError[];
}

/** Where a subscription's messages go. */
export interface SubscriptionSink {
  deliver(payloadJson: string): void;
  invalidate(): void;
}

/** A bundled resolver, loaded, with its pipeline's functions (none for a unit resolver). */
export interface LoadedField {
  readonly field: ResolverField;
  readonly resolver: LoadedResolver;
  readonly functions: readonly { readonly fn: PipelineFunction; readonly resolver: LoadedResolver }[];
}

/** What one region's API is made of. */
export interface RegionalApiOptions {
  readonly schema: LocalSchema;
  /** The bundled resolvers, loaded, by `Type.field`. */
  readonly resolvers: ReadonlyMap<string, LoadedField>;
  readonly dataSources: Readonly<Record<DataSourceKind, DataSource>>;
  /** AppSync's per-request guards (`globalws:queryDepthLimit`, `globalws:resolverCountLimit`). */
  readonly limits: RequestLimits;
}

type Phase = "operation" | "subscribe" | "deliver";

/** What executing a parsed document takes of the request besides the document. */
type ExecutedRequest = Pick<GraphQLRequest, "variables" | "operationName">;

interface OperationContext {
  readonly caller: Caller;
  readonly phase: Phase;
  readonly headers: Record<string, string>;
  /** Errors appended with `util.appendError`, reported next to the field's value. */
  readonly appended: GraphQLError[];
  /** Mutation results that fire subscriptions once the operation is done. */
  readonly fired: { mutationField: string; result: unknown }[];
  readonly invalidations: Invalidation[];
  /** Resolvers run so far by this request. */
  resolversRun: number;
  subscription?: { fieldName: string; args: Record<string, unknown>; variables: Record<string, unknown>; outcome: ResolverOutcome };
}

/**
 * The largest HTTP request body the local runtime takes, in bytes. Ours (AppSync documents no
 * figure we could find): four times the largest legitimate request, a publish whose data is at the limit.
 */
export const MAX_REQUEST_BYTES = 1024 * 1024;
/**
 * The longest query text parsed, in characters (ours; AppSync documents none): our clients' are
 * under 1 KB, and a parsed document takes up to about 100 times its text in memory.
 */
export const MAX_QUERY_CHARACTERS = 32 * 1024;
/**
 * Query text whose parsed documents one API holds at once, in characters (ours): requests in
 * flight, live subscriptions and documents kept for reuse together, so at most about 50 MB parsed.
 */
export const DOCUMENT_BUDGET_CHARACTERS = 512 * 1024;
/** The part of that budget kept parsed for reuse while no request or subscription uses it. */
const IDLE_DOCUMENT_CHARACTERS = 128 * 1024;

type Fragments = GraphQLResolveInfo["fragments"];

/** The fields of a selection set, through fragments, each with its response key (its alias, if any). */
function selectedFieldNodes(selectionSet: SelectionSetNode | undefined, fragments: Fragments): { key: string; field: FieldNode }[] {
  return (selectionSet?.selections ?? []).flatMap((selection) => {
    if (selection.kind === Kind.FIELD) return [{ key: (selection.alias ?? selection.name).value, field: selection }];
    const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments[selection.name.value];
    return selectedFieldNodes(fragment?.selectionSet, fragments);
  });
}

/**
 * `ctx.info.selectionSetList`: the paths a selection set asks for, through fragments, each field
 * named by its alias when it has one ("Fields that are aliased will only be referenced by the alias
 * name, not the field name": https://docs.aws.amazon.com/appsync/latest/devguide/resolver-context-reference-js.html).
 */
export function selectionSetList(selectionSet: SelectionSetNode | undefined, fragments: Fragments, prefix = ""): string[] {
  return selectedFieldNodes(selectionSet, fragments).flatMap(({ key, field }) => [`${prefix}${key}`, ...selectionSetList(field.selectionSet, fragments, `${prefix}${key}/`)]);
}

/**
 * One region's GraphQL API as AppSync runs it: the schema, per-field auth from its directives,
 * the bundled APPSYNC_JS resolvers with their data sources, and subscriptions fired by the
 * mutations `@aws_subscribe` names.
 */
export class RegionalApi {
  readonly subscriptions: SubscriptionRegistry;
  private readonly documents = new DocumentStore<DocumentNode | AppSyncError[]>(DOCUMENT_BUDGET_CHARACTERS, IDLE_DOCUMENT_CHARACTERS, (query) =>
    this.parseAndValidate(query),
  );

  constructor(private readonly options: RegionalApiOptions) {
    this.subscriptions = new SubscriptionRegistry(options.schema.subscribedMutations);
  }

  /** Runs a query or mutation; a mutation's result then fires the subscriptions it triggers. */
  async execute(request: GraphQLRequest, caller: Caller, headers: Record<string, string> = {}): Promise<AppSyncResponse> {
    const lease = this.acquireDocument(request.query);
    if (Array.isArray(lease)) return { errors: lease };
    try {
      return await this.executeDocument(lease.value, request, caller, headers);
    } finally {
      lease.release();
    }
  }

  private async executeDocument(document: DocumentNode | AppSyncError[], request: GraphQLRequest, caller: Caller, headers: Record<string, string>): Promise<AppSyncResponse> {
    if (Array.isArray(document)) return { errors: document };
    const operation = getOperationAST(document, request.operationName ?? undefined);
    if (!operation) return { errors: [requestError("The request names no operation the document defines.", REQUEST_ERROR_TYPE)] };
    const refusal = this.introspectionRefusal(document, operation);
    if (refusal) return { errors: [refusal] };
    if (operation.operation === "subscription") {
      return { errors: [requestError("Subscriptions are served on the real-time endpoint (/graphql/realtime).", "UnsupportedOperation")] };
    }
    const context = this.context(caller, "operation", headers);
    const result = await execute(this.executionArgs(document, request, context, {}));
    for (const { mutationField, result: value } of context.fired) this.subscriptions.publish(mutationField, value);
    for (const { subscriptionField, payload } of context.invalidations) this.subscriptions.invalidate(subscriptionField, payload);
    return this.response(result, context);
  }

  /**
   * Starts a subscription: validates it, checks auth, runs the subscription's resolver (which may
   * refuse it or set filters) and registers it. @returns the errors when it was refused.
   */
  async subscribe(request: GraphQLRequest, caller: Caller, sink: SubscriptionSink): Promise<{ errors: AppSyncError[] } | { subscription: ActiveSubscription }> {
    const lease = this.acquireDocument(request.query);
    if (Array.isArray(lease)) return { errors: lease };
    const outcome = await this.subscribeDocument(lease, request, caller, sink).catch((error: Error) => {
      lease.release();
      throw error;
    });
    if ("errors" in outcome) lease.release();
    return outcome;
  }

  /** `subscribe` with the document held: the subscription keeps it until it is removed. */
  private async subscribeDocument(
    lease: DocumentLease<DocumentNode | AppSyncError[]>,
    request: GraphQLRequest,
    caller: Caller,
    sink: SubscriptionSink,
  ): Promise<{ errors: AppSyncError[] } | { subscription: ActiveSubscription }> {
    const document = lease.value;
    if (Array.isArray(document)) return { errors: document };
    const operation = getOperationAST(document, request.operationName ?? undefined);
    if (operation?.operation !== "subscription") {
      const kind = operation?.operation ?? "unknown";
      return { errors: [requestError(`${kind} not supported through the realtime channel`, "UnsupportedOperation")] };
    }
    const refusal = this.introspectionRefusal(document, operation);
    if (refusal) return { errors: [refusal] };
    const context = this.context(caller, "subscribe", {});
    const result = await execute(this.executionArgs(document, request, context, {}));
    const response = this.response(result, context);
    if (response.errors || !context.subscription) return { errors: response.errors ?? [] };
    const { fieldName, args, variables, outcome } = context.subscription;
    // What rendering needs of the request, kept for the subscription's life: not the query text or undeclared variables.
    const replayed = { variables: declaredVariables(operation, request.variables), operationName: request.operationName };
    const subscription: ActiveSubscription = {
      fieldName,
      args,
      filter: outcome.subscriptionFilter,
      invalidationFilter: outcome.invalidationFilter,
      // The coerced variables: the client's own may hold anything, such as unused values nested past the stack.
      shapeKey: JSON.stringify([lease.documentId, request.operationName ?? null, variables, caller.mode]),
      render: (value) => stringifyWithin(this.render(document, replayed, caller, fieldName, value), SUBSCRIPTION_PAYLOAD_BYTES),
      deliver: sink.deliver,
      invalidate: sink.invalidate,
      release: lease.release,
    };
    this.subscriptions.add(subscription);
    return { subscription };
  }

  /** Executes a subscription's selection set against one mutation result (synchronously: no resolvers run). */
  private render(document: DocumentNode, request: ExecutedRequest, caller: Caller, fieldName: string, value: unknown): AppSyncResponse {
    const context = this.context(caller, "deliver", {});
    const result = execute(this.executionArgs(document, request, context, { [fieldName]: value })) as ExecutionResult;
    return this.response(result, context);
  }

  /**
   * The query's document (parsed and validated, or its errors), held until the lease is released;
   * refused before parsing when the query is too long or the API's documents would go past their budget.
   */
  private acquireDocument(query: unknown): DocumentLease<DocumentNode | AppSyncError[]> | AppSyncError[] {
    if (typeof query !== "string" || query.trim() === "") return [requestError("The request has no query.", REQUEST_ERROR_TYPE)];
    if (query.length > MAX_QUERY_CHARACTERS) {
      return [requestError(`The query is ${query.length} characters long; this API parses queries of up to ${MAX_QUERY_CHARACTERS} characters.`, "QueryTooLarge")];
    }
    const lease = this.documents.acquire(query);
    if (lease) return lease;
    return [
      requestError(
        `The query (${query.length} characters) was not parsed: this API already holds ${this.documents.size} characters of distinct queries ` +
          `in requests, subscriptions and its cache, and its limit is ${DOCUMENT_BUDGET_CHARACTERS}. Retry once some end, or send a query already in use.`,
        "QueryBudgetExceeded",
      ),
    ];
  }

  private parseAndValidate(query: string): DocumentNode | AppSyncError[] {
    try {
      const document = parse(query);
      const problems = validate(this.options.schema.schema, document);
      return problems.length ? problems.map((error) => toAppSyncError(error, REQUEST_ERROR_TYPE)) : document;
    } catch (error) {
      return [toAppSyncError(error as GraphQLError, REQUEST_ERROR_TYPE)];
    }
  }

  /** AppSync's depth limit on introspection, which the field resolver does not see (see `introspectionDepthError`). */
  private introspectionRefusal(document: DocumentNode, operation: OperationDefinitionNode): AppSyncError | null {
    const fragments = new Map(
      document.definitions.flatMap((definition) => (definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition] as const] : [])),
    );
    return introspectionDepthError(operation, fragments, this.options.limits);
  }

  private context(caller: Caller, phase: Phase, headers: Record<string, string>): OperationContext {
    return { caller, phase, headers, appended: [], fired: [], invalidations: [], resolversRun: 0 };
  }

  private executionArgs(document: DocumentNode, request: ExecutedRequest, context: OperationContext, rootValue: Record<string, unknown>) {
    return {
      schema: this.options.schema.schema,
      document,
      rootValue,
      contextValue: context,
      variableValues: request.variables ?? {},
      operationName: request.operationName ?? undefined,
      fieldResolver: this.resolveField,
    };
  }

  private response(result: ExecutionResult, context: OperationContext): AppSyncResponse {
    // Errors before execution (variable coercion) come without data.
    const requestFailed = !("data" in result) || result.data === undefined;
    const errors = [...(result.errors ?? []), ...context.appended].map((error) => toAppSyncError(error, requestFailed ? REQUEST_ERROR_TYPE : null));
    return errors.length ? { data: result.data ?? null, errors } : { data: result.data };
  }

  private readonly resolveField: GraphQLFieldResolver<unknown, OperationContext> = (source, args, context, info) => {
    const key = `${info.parentType.name}.${info.fieldName}`;
    const modes = this.options.schema.fieldAuth.get(key);
    if (modes && !modes.includes(context.caller.mode)) {
      // AppSync's field refusal is "Unauthorized"; "UnauthorizedException" is for a missing or bad credential (aws/aws-appsync-community#361).
      throw new FieldError(`Not Authorized to access ${info.fieldName} on type ${info.parentType.name}`, "Unauthorized");
    }
    checkFieldDepth(info, this.options.limits);
    if (info.path.prev !== undefined || context.phase === "deliver") return defaultFieldResolver(source, args, context, info);
    return this.resolveRootField(key, args, context, info);
  };

  private async resolveRootField(key: string, args: Record<string, unknown>, context: OperationContext, info: GraphQLResolveInfo): Promise<unknown> {
    const entry = this.options.resolvers.get(key);
    if (!entry) throw new FieldError(`No resolver is attached to ${key}.`, "UnmappedResolver");
    context.resolversRun += 1;
    checkResolverCount(context.resolversRun, key, this.options.limits);
    const selection = info.fieldNodes[0].selectionSet;
    const selected = selectionSetList(selection, info.fragments);
    const input = {
      arguments: args,
      identity: context.caller.identity,
      authType: AUTH_TYPE[context.caller.mode],
      request: { headers: context.headers, domainName: null },
      info: {
        fieldName: info.fieldName,
        parentTypeName: info.parentType.name,
        variables: info.variableValues,
        selectionSetList: selected,
        selectionSetGraphQL: selection ? print(selection) : "",
      },
    };
    const { field, resolver, functions } = entry;
    const outcome =
      field.kind === "PIPELINE"
        ? await runPipeline(
            {
              name: key,
              resolver,
              functions: functions.map(({ fn, resolver: code }) => ({ name: fn.name, resolver: code, dataSource: this.options.dataSources[fn.dataSource] })),
            },
            input,
          )
        : await runResolver(resolver, input, this.options.dataSources[field.dataSource], key);
    const errors = outcome.errors.map((error) => new FieldError(error.message, error.errorType, error.data, error.errorInfo));
    // util.error nulls the field; util.appendError keeps the value and reports the error beside it.
    const raised = outcome.result === null ? errors.shift() : undefined;
    context.appended.push(...errors.map((error) => locatedError(error, info.fieldNodes, [...pathOf(info)])));
    if (raised) throw raised;
    if (info.parentType.name === "Subscription") {
      context.subscription = { fieldName: info.fieldName, args, variables: info.variableValues, outcome };
      return null;
    }
    if (info.operation.operation === "mutation" && outcome.result !== null) {
      context.invalidations.push(...outcome.invalidations);
      context.fired.push({ mutationField: info.fieldName, result: projectSelection(outcome.result, selectedFieldNodes(selection, info.fragments)) });
    }
    return outcome.result;
  }
}

/** The variables the operation declares, as the client sent them; a client may send any others too, and they are ignored. */
function declaredVariables(operation: OperationDefinitionNode, variables: GraphQLRequest["variables"]): Record<string, unknown> {
  return Object.fromEntries(
    (operation.variableDefinitions ?? []).flatMap(({ variable }) =>
      variables && Object.hasOwn(variables, variable.name.value) ? [[variable.name.value, variables[variable.name.value]]] : [],
    ),
  );
}

function pathOf(info: GraphQLResolveInfo): (string | number)[] {
  const path: (string | number)[] = [];
  for (let step: GraphQLResolveInfo["path"] | undefined = info.path; step; step = step.prev) path.unshift(step.key);
  return path;
}

/**
 * What subscribers see of a mutation's result: only the fields the mutation selected, under the names
 * it gave them, as in AppSync, which sends subscribers the mutation's own response (an alias
 * `sender: name` shows them the channel's name as its sender).
 */
function projectSelection(result: unknown, selected: readonly { key: string; field: FieldNode }[]): unknown {
  if (typeof result !== "object" || result === null || Array.isArray(result)) return result;
  const values = result as Record<string, unknown>;
  return Object.fromEntries(selected.filter(({ field }) => Object.hasOwn(values, field.name.value)).map(({ key, field }) => [key, values[field.name.value]]));
}
