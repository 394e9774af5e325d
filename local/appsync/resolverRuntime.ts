import * as crypto from "crypto";
import * as esbuild from "esbuild";
import * as vm from "vm";
import { parseAwsDateTime } from "../../schema/appSyncScalars";
import { dynamodbUtils } from "./dynamodbUtils";
import { filterProblems } from "./subscriptionFilter";
import { toSubscriptionFilter } from "./subscriptionFilterTransform";

/** A GraphQL error as an APPSYNC_JS resolver raises it (`util.error` / `util.appendError`). */
export interface ResolverErrorShape {
  readonly message: string;
  readonly errorType: string | null;
  readonly data: unknown;
  readonly errorInfo: unknown;
}

/** Thrown by `util.error`: stops the handler, as in AppSync. */
export class ResolverError extends Error implements ResolverErrorShape {
  constructor(
    message: string,
    readonly errorType: string | null = null,
    readonly data: unknown = null,
    readonly errorInfo: unknown = null,
  ) {
    super(message);
  }
}

/** Thrown by `runtime.earlyReturn`: ends the handler with `value`, skipping what `skipTo` says. */
class EarlyReturn {
  constructor(
    readonly value: unknown,
    readonly skipTo: "NEXT" | "END",
  ) {}
}

/** A subscription filter as `extensions.setSubscriptionFilter` takes it. */
export interface SubscriptionFilter {
  readonly filterGroup: { readonly filters: { readonly fieldName: string; readonly operator: string; readonly value?: unknown }[] }[];
}

/** What `extensions.invalidateSubscriptions` asked for. */
export interface Invalidation {
  readonly subscriptionField: string;
  readonly payload: Record<string, unknown>;
}

/** AppSync allows at most this many `extensions.invalidateSubscriptions` calls in one request. */
export const MAX_INVALIDATIONS_PER_REQUEST = 5;

/** What the caller knows about the request, before the resolver runs. */
export interface ResolverInput {
  readonly arguments: Record<string, unknown>;
  /** `null` for API key callers; `{accountId, userArn, …}` for IAM; `{sub, issuer, claims}` for a token. */
  readonly identity: Record<string, unknown> | null;
  /** What `util.authType()` answers: AppSync's string for the caller's mode (`AUTH_TYPE` in resolvers/lib/rules.ts). */
  readonly authType: string;
  readonly source?: Record<string, unknown> | null;
  readonly request?: { headers: Record<string, string>; domainName: string | null };
  readonly info: {
    fieldName: string;
    parentTypeName: string;
    variables: Record<string, unknown>;
    selectionSetList: string[];
    selectionSetGraphQL: string;
  };
}

/**
 * A data source: turns the request a handler returned into a result, or fails with `{message, type}`
 * (a `DataSourceError` may also carry a result). `caller` names the resolver (`Query.history`) or
 * pipeline function (`storeMessage`) that called it.
 */
export type DataSource = (request: unknown, caller: string) => Promise<unknown>;

/** The NONE data source: the result is the request's `payload`. */
export const noneDataSource: DataSource = async (request) => (request as { payload?: unknown } | null)?.payload ?? null;

/** The outcome of one resolver run. */
export interface ResolverOutcome {
  /** The field's value; `null` when `util.error` was raised. */
  readonly result: unknown;
  readonly errors: ResolverErrorShape[];
  readonly subscriptionFilter?: SubscriptionFilter;
  readonly invalidationFilter?: SubscriptionFilter;
  readonly invalidations: Invalidation[];
  /** What the resolver wrote with `console.log` and friends. */
  readonly logs: string[];
}

interface Invocation {
  readonly authType: string;
  errors: ResolverErrorShape[];
  subscriptionFilter?: SubscriptionFilter;
  invalidationFilter?: SubscriptionFilter;
  invalidations: Invalidation[];
  logs: string[];
}

type Handler = (ctx: unknown) => unknown;

/** A bundled resolver loaded into its own `node:vm` context. */
export interface LoadedResolver {
  readonly request: Handler;
  readonly response: Handler;
  /** A JSON copy of a value made of the context's own objects (see `loadResolver`). */
  readonly inside: (value: unknown) => unknown;
  /** The invocation whose `util`/`extensions` calls the resolver is making (resolvers are synchronous). */
  current?: Invocation;
}

// JSON out of the sandbox (and `inside` into it), as AppSync serializes what crosses its runtime's boundary.
const roundTrip = (value: unknown) => (value === undefined ? null : JSON.parse(JSON.stringify(value)));

// Runs inside the context: wraps host functions (and objects of them) in the context's own
// functions, so `.constructor` on anything a resolver holds is the context's Function, not Node's.
const EXPOSE = `(function expose(value) {
  if (typeof value === "function") return function () { return value.apply(undefined, arguments); };
  if (typeof value !== "object" || value === null) return value;
  const copy = {};
  for (const key of Object.keys(value)) copy[key] = expose(value[key]);
  return copy;
})`;

function makeModules(resolver: LoadedResolver) {
  const call = () => {
    if (!resolver.current) throw new Error("resolver utility called outside a request");
    return resolver.current;
  };
  const util = {
    error(message: string, errorType?: string, data?: unknown, errorInfo?: unknown): never {
      throw new ResolverError(String(message), errorType ?? null, data ?? null, errorInfo ?? null);
    },
    appendError(message: string, errorType?: string, data?: unknown, errorInfo?: unknown) {
      call().errors.push({ message: String(message), errorType: errorType ?? null, data: data ?? null, errorInfo: errorInfo ?? null });
    },
    authType: () => call().authType,
    autoId: () => crypto.randomUUID(),
    autoUlid: () => crypto.randomUUID(),
    // util.matches is Java's String.matches: the whole value must match.
    matches: (pattern: string, value: string) => new RegExp(`^(?:${pattern})$`, "u").test(String(value)),
    base64Encode: (text: string) => Buffer.from(String(text), "utf8").toString("base64"),
    base64Decode: (text: string) => Buffer.from(String(text), "base64").toString("utf8"),
    urlEncode: (text: string) => encodeURIComponent(String(text)),
    urlDecode: (text: string) => decodeURIComponent(String(text)),
    isNull: (value: unknown) => value === null || value === undefined,
    isNullOrEmpty: (value: unknown) => value === null || value === undefined || value === "",
    isNullOrBlank: (value: unknown) => value === null || value === undefined || String(value).trim() === "",
    defaultIfNull: (value: unknown, fallback: unknown) => (value === null || value === undefined ? fallback : value),
    time: {
      nowISO8601: () => new Date().toISOString(),
      nowEpochSeconds: () => Math.floor(Date.now() / 1000),
      nowEpochMilliSeconds: () => Date.now(),
      epochMilliSecondsToISO8601: (ms: number) => new Date(Number(ms)).toISOString(),
      epochMilliSecondsToSeconds: (ms: number) => Math.floor(Number(ms) / 1000),
      parseISO8601ToEpochMilliSeconds: (text: string) => {
        const ms = parseAwsDateTime(String(text));
        if (ms === null) throw new ResolverError(`${JSON.stringify(text)} is not an ISO 8601 date-time`, "ValidationException");
        return ms;
      },
    },
    // Their results are made inside the context, as every object a resolver is handed.
    dynamodb: Object.fromEntries(
      Object.entries(dynamodbUtils).map(([name, helper]) => [name, (...args: never[]) => resolver.inside((helper as (...a: never[]) => unknown)(...args))]),
    ),
    transform: {
      toSubscriptionFilter: (...args: Parameters<typeof toSubscriptionFilter>) => resolver.inside(toSubscriptionFilter(...args)),
    },
  };
  // AppSync refuses a filter beyond its limits when the resolver sets it.
  const checkedFilter = (filter: SubscriptionFilter): SubscriptionFilter => {
    const copy = roundTrip(filter);
    const problems = filterProblems(copy);
    if (problems.length > 0) throw new ResolverError(`Invalid subscription filter: ${problems.join(" ")}`, "ValidationException");
    return copy;
  };
  const extensions = {
    setSubscriptionFilter(filter: SubscriptionFilter) {
      call().subscriptionFilter = checkedFilter(filter);
    },
    setSubscriptionInvalidationFilter(filter: SubscriptionFilter) {
      call().invalidationFilter = checkedFilter(filter);
    },
    invalidateSubscriptions(invalidation: Invalidation) {
      const invocation = call();
      if (invocation.invalidations.length >= MAX_INVALIDATIONS_PER_REQUEST) {
        throw new ResolverError(
          `Subscription invalidation calls exceeded the limit of ${MAX_INVALIDATIONS_PER_REQUEST} per request.`,
          "InvalidationLimitExceeded",
        );
      }
      invocation.invalidations.push(roundTrip(invalidation));
    },
  };
  const runtime = {
    earlyReturn(value?: unknown, options?: { skipTo?: "NEXT" | "END" }): never {
      throw new EarlyReturn(value ?? null, options?.skipTo === "END" ? "END" : "NEXT");
    },
  };
  return { util, extensions, runtime };
}

/**
 * Loads one bundled APPSYNC_JS resolver (the ESM file Pulumi uploads) into a fresh `node:vm`
 * context that has JavaScript's built-ins but no Node globals: no `require`, `process` or `Buffer`.
 * Its only import, `@aws-appsync/utils`, is this runtime's `util`, `extensions` and `runtime`.
 * Every object and function the resolver is handed belongs to the context (so `instanceof Object`
 * holds as on AppSync, and no `.constructor` leads back to Node); errors it throws are Node's.
 */
export function loadResolver(code: string, name = "resolver.js"): LoadedResolver {
  const { code: commonJs } = esbuild.transformSync(code, { format: "cjs", loader: "js", sourcefile: name });
  const sandbox = vm.createContext({});
  const parseInside: (text: string) => unknown = vm.runInContext("JSON.parse", sandbox);
  const expose: <T>(value: T) => T = vm.runInContext(EXPOSE, sandbox);
  const resolver = { inside: (value: unknown) => parseInside(JSON.stringify(value ?? null)) } as LoadedResolver;
  const modules = expose(makeModules(resolver));
  const logs = (level: string) => (...parts: unknown[]) =>
    void resolver.current?.logs.push(`${level} ${parts.map((part) => (typeof part === "string" ? part : JSON.stringify(part))).join(" ")}`);
  sandbox.console = expose({ log: logs("INFO"), info: logs("INFO"), debug: logs("DEBUG"), warn: logs("WARN"), error: logs("ERROR") });
  const factory = vm.runInContext(`(function (exports, require, module) {${commonJs}\n})`, sandbox, { filename: name });
  const module = vm.runInContext("({ exports: {} })", sandbox) as { exports: Record<string, Handler> };
  factory(module.exports, expose((id: string) => {
    if (id !== "@aws-appsync/utils") throw new Error(`APPSYNC_JS cannot import ${id}`);
    return modules;
  }), module);
  const { request, response } = module.exports;
  if (typeof request !== "function" || typeof response !== "function") {
    throw new Error(`${name} must export request and response functions`);
  }
  return Object.assign(resolver, { request, response });
}

/** A resolver or pipeline function: its code, the data source it calls and the name it calls it as. */
export interface ResolverStep {
  readonly name: string;
  readonly resolver: LoadedResolver;
  readonly dataSource: DataSource;
}

/** What a pipeline resolver is made of: its own before/after handlers and its functions, in order. */
export interface Pipeline {
  readonly name: string;
  readonly resolver: LoadedResolver;
  readonly functions: readonly ResolverStep[];
}

/** `ctx` as it crosses from handler to handler: JSON, as AppSync serializes what crosses its runtime's boundary. */
interface ContextState {
  readonly input: ResolverInput;
  stash: Record<string, unknown>;
  prev: { result: unknown };
}

/** A handler's outcome: its value, or `runtime.earlyReturn`'s. */
type HandlerResult = { value: unknown; early?: { skipTo: "NEXT" | "END" } };

/** Runs one handler of `resolver` with a fresh `ctx` inside its own context, and keeps what it left in the stash. */
function runHandler(
  resolver: LoadedResolver,
  handler: Handler,
  state: ContextState,
  invocation: Invocation,
  outcome: { result?: unknown; error?: { message: string; type: string } | null } = {},
): HandlerResult {
  const { input } = state;
  const ctx = resolver.inside({
    arguments: input.arguments,
    identity: input.identity,
    source: input.source ?? null,
    stash: state.stash,
    prev: state.prev,
    result: outcome.result ?? null,
    error: outcome.error ?? null,
    request: input.request ?? { headers: {}, domainName: null },
    info: input.info,
  }) as Record<string, unknown>;
  ctx.args = ctx.arguments;
  resolver.current = invocation;
  try {
    return { value: roundTrip(handler(ctx)) };
  } catch (error) {
    if (!(error instanceof EarlyReturn)) throw error;
    return { value: error.value, early: { skipTo: error.skipTo } };
  } finally {
    resolver.current = undefined;
    state.stash = roundTrip(ctx.stash) ?? {};
  }
}

/** Calls a data source; its failure becomes `ctx.error` (and its result, if any, `ctx.result`) for the response handler. */
async function callDataSource(step: ResolverStep, request: unknown) {
  try {
    return { result: await step.dataSource(request, step.name), error: null };
  } catch (error) {
    const failure = error as { message?: string; type?: string; errorType?: string; result?: unknown };
    return {
      result: failure.result ?? null,
      error: { message: failure.message ?? String(error), type: failure.type ?? failure.errorType ?? "DataSourceError" },
    };
  }
}

/** Request handler, data source, response handler; an early return in the request skips the other two. */
async function runStep(step: ResolverStep, state: ContextState, invocation: Invocation): Promise<HandlerResult> {
  const request = runHandler(step.resolver, step.resolver.request, state, invocation);
  if (request.early) return request;
  const called = await callDataSource(step, request.value);
  return runHandler(step.resolver, step.resolver.response, state, invocation, called);
}

/** Runs `body`, turning `util.error` into a null result with the error, as AppSync does. */
async function settle(invocation: Invocation, body: () => Promise<unknown>): Promise<ResolverOutcome> {
  const outcome = (result: unknown): ResolverOutcome => {
    const { errors, subscriptionFilter, invalidationFilter, invalidations, logs } = invocation;
    return { result, errors, subscriptionFilter, invalidationFilter, invalidations, logs };
  };
  try {
    return outcome(roundTrip(await body()));
  } catch (error) {
    if (!(error instanceof ResolverError)) throw error;
    invocation.errors.push({ message: error.message, errorType: error.errorType, data: error.data, errorInfo: error.errorInfo });
    return outcome(null);
  }
}

const newState = (input: ResolverInput): ContextState => ({ input, stash: {}, prev: { result: null } });

/**
 * Runs a unit resolver as AppSync does: request handler, data source, response handler.
 * `util.error` ends the run with a null result and the error; a data source failure reaches the
 * response handler as `ctx.error`; `runtime.earlyReturn` skips what is left.
 */
export function runResolver(resolver: LoadedResolver, input: ResolverInput, dataSource: DataSource, name = `${input.info.parentTypeName}.${input.info.fieldName}`): Promise<ResolverOutcome> {
  const invocation: Invocation = { authType: input.authType, errors: [], invalidations: [], logs: [] };
  return settle(invocation, async () => (await runStep({ name, resolver, dataSource }, newState(input), invocation)).value);
}

/**
 * Runs a pipeline resolver as AppSync does: its request ("before") handler, each function (request,
 * data source, response) with the previous step's value as `ctx.prev.result` and one `ctx.stash`
 * throughout, then its response ("after") handler. `util.error` anywhere ends the run; an early
 * return in the before handler, or one with `skipTo: 'END'` in a function, goes straight to the after
 * handler (https://docs.aws.amazon.com/appsync/latest/devguide/runtime-utils-js.html).
 */
export function runPipeline(pipeline: Pipeline, input: ResolverInput): Promise<ResolverOutcome> {
  const invocation: Invocation = { authType: input.authType, errors: [], invalidations: [], logs: [] };
  const state = newState(input);
  return settle(invocation, async () => {
    const before = runHandler(pipeline.resolver, pipeline.resolver.request, state, invocation);
    state.prev = { result: before.value };
    if (!before.early) {
      for (const step of pipeline.functions) {
        const { value, early } = await runStep(step, state, invocation);
        state.prev = { result: value };
        if (early?.skipTo === "END") break;
      }
    }
    return runHandler(pipeline.resolver, pipeline.resolver.response, state, invocation).value;
  });
}
