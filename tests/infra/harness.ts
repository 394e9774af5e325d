import * as pulumi from "@pulumi/pulumi";

/** The account the mocks answer `getCallerIdentity` with. */
export const ACCOUNT = "123456789012";

/** Recorded inputs and state: untyped JSON as the mocks received it, read freely by the tests. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Props = Record<string, any>;

/** A resource as the program registered it: its inputs, and the state (with `id`) the mocks answered with. */
export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Props;
  readonly state: Props;
}

/** What one run of `infra/index.ts` did. */
export interface ProgramRun {
  readonly resources: RecordedResource[];
  /** Resource options by resource name, as a stack transformation saw them (mocks cannot see options). */
  readonly options: Map<string, pulumi.ResourceOptions>;
  /** The module's exports: the stack outputs. */
  readonly exports: { regions: Record<string, Record<string, pulumi.Output<string>>>; dashboardUrl: pulumi.Output<string> };
}

/** Resolves an Output in a test (works for secrets too). */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

type Computed = (region: string, physical: string, inputs: Props) => Props;

// What AWS would compute for the resource types whose outputs the program reads.
const COMPUTED: Record<string, Computed> = {
  // As on AWS, the endpoint's host label is a different random string from the API id.
  "aws:appsync/graphQLApi:GraphQLApi": (region, physical) => ({
    id: `${physical}-id`,
    arn: `arn:aws:appsync:${region}:${ACCOUNT}:apis/${physical}-id`,
    uris: {
      GRAPHQL: `https://${physical}-host.appsync-api.${region}.amazonaws.com/graphql`,
      REALTIME: `wss://${physical}-host.appsync-realtime-api.${region}.amazonaws.com/graphql`,
    },
  }),
  "aws:appsync/apiKey:ApiKey": (_region, physical) => ({ key: `da2-${physical}` }),
  "aws:appsync/function:Function": (region, physical) => ({ functionId: `${region}-${physical}-fn` }),
  "aws:dynamodb/table:Table": (region, physical) => ({ arn: `arn:aws:dynamodb:${region}:${ACCOUNT}:table/${physical}` }),
  "aws:cloudwatch/eventBus:EventBus": (region, physical) => ({ arn: `arn:aws:events:${region}:${ACCOUNT}:event-bus/${physical}` }),
  "aws:cloudwatch/eventRule:EventRule": (region, physical, inputs) => ({
    arn: `arn:aws:events:${region}:${ACCOUNT}:rule/${inputs.eventBusName}/${physical}`,
  }),
  "aws:sqs/queue:Queue": (region, physical) => ({
    id: `https://sqs.${region}.amazonaws.com/${ACCOUNT}/${physical}`,
    arn: `arn:aws:sqs:${region}:${ACCOUNT}:${physical}`,
    url: `https://sqs.${region}.amazonaws.com/${ACCOUNT}/${physical}`,
  }),
  "aws:iam/role:Role": (_region, physical) => ({ id: physical, arn: `arn:aws:iam::${ACCOUNT}:role/${physical}` }),
  "aws:cloudwatch/logGroup:LogGroup": (region, physical) => ({ arn: `arn:aws:logs:${region}:${ACCOUNT}:log-group:${physical}` }),
};

// AWS's name limits, which the provider's autonaming enforces (it fails a name that has no room for its suffix).
const NAME_MAX_LENGTH: Record<string, number> = {
  "aws:iam/role:Role": 64,
  "aws:cloudwatch/eventRule:EventRule": 64,
  "aws:sqs/queue:Queue": 80,
};

function newResource(run: ProgramRun, args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
  const inputs = args.inputs as Props;
  // Autonaming happens in the provider; imitate its random suffix and its length check.
  const physical = typeof inputs.name === "string" ? inputs.name : `${args.name}-1a2b3c4`;
  const maxLength = NAME_MAX_LENGTH[args.type];
  if (maxLength !== undefined && physical.length > maxLength) {
    throw new Error(`${args.type} ${args.name}: name '${physical}' is longer than maximum length ${maxLength}`);
  }
  const region = inputs.region ?? "us-east-1";
  const { id, ...computed } = COMPUTED[args.type]?.(region, physical, inputs) ?? { arn: `arn:aws:mock:${region}:${ACCOUNT}:${physical}` };
  const state = { ...inputs, name: physical, ...computed };
  const resourceId = (id as string | undefined) ?? `${physical}-id`;
  if (args.type !== "pulumi:pulumi:Stack") run.resources.push({ type: args.type, name: args.name, inputs, state: { ...state, id: resourceId } });
  return { id: resourceId, state };
}

/**
 * The ARN EventBridge calls an API at: `endpoints/graphql-api/` and the host label of its GraphQL
 * URL (what CloudFormation reports as `GraphQLEndpointArn`), not its id.
 */
export function graphqlEndpointArn(api: Props): string {
  const hostLabel = new URL(api.uris.GRAPHQL).hostname.split(".")[0];
  return `arn:aws:appsync:${api.region}:${ACCOUNT}:endpoints/graphql-api/${hostLabel}`;
}

function call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
  if (args.token === "aws:index/getCallerIdentity:getCallerIdentity") {
    return { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/deployer`, id: ACCOUNT, userId: "AIDAEXAMPLE" };
  }
  throw new Error(`the infra mocks do not answer ${args.token}`);
}

const PROGRAM = require.resolve("../../infra/index");

/**
 * Runs `infra/index.ts` once against fresh mocks with the given `globalws:*` config (values as
 * the program reads them: lists and numbers as JSON) as stack `stack`, waits until every resource
 * is registered, and returns what it did along with the error it failed with, if any.
 */
export async function tryProgram(config: Record<string, unknown>, stack = "test"): Promise<{ run: ProgramRun; error?: unknown }> {
  const run: ProgramRun = { resources: [], options: new Map(), exports: undefined as unknown as ProgramRun["exports"] };
  // A resource the mocks refuse fails the run, as a failed registration fails `pulumi up`.
  const refusals: unknown[] = [];
  const mocks: pulumi.runtime.Mocks = {
    newResource: (args) => {
      try {
        return newResource(run, args);
      } catch (refusal) {
        refusals.push(refusal);
        throw refusal;
      }
    },
    call,
  };
  await pulumi.runtime.setMocks(mocks, "globalws", stack, false);
  pulumi.runtime.setAllConfig(Object.fromEntries(
    Object.entries(config).map(([key, value]) => [`globalws:${key}`, typeof value === "string" ? value : JSON.stringify(value)]),
  ));
  // The SDK captures a stack trace for every promise it makes; with source maps that dominates a run.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  let error: unknown;
  try {
    await pulumi.runtime.runInPulumiStack(async () => {
      pulumi.runtime.registerStackTransformation(({ name, opts }) => {
        run.options.set(name, opts);
        return undefined;
      });
      delete require.cache[PROGRAM];
      // A fresh evaluation of the program module per run, as `pulumi up` would do.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      Object.assign(run, { exports: require(PROGRAM) });
      return run.exports;
    });
  } catch (thrown) {
    error = thrown;
  } finally {
    // Waits for every outstanding registration, so `run.resources` is complete.
    await pulumi.runtime.disconnect();
    Error.stackTraceLimit = stackTraceLimit;
  }
  return { run, error: error ?? refusals[0] };
}

/** `tryProgram` for a run that must succeed. */
export async function runProgram(config: Record<string, unknown>, stack?: string): Promise<ProgramRun> {
  const { run, error } = await tryProgram(config, stack);
  if (error !== undefined) throw error;
  return run;
}

const runs = new Map<string, Promise<ProgramRun>>();

/** `runProgram`, once per distinct config for the whole test process (runs are slow-ish and deterministic enough). */
export function programFor(config: Record<string, unknown>): Promise<ProgramRun> {
  const key = JSON.stringify(config);
  let run = runs.get(key);
  if (!run) {
    run = runProgram(config);
    runs.set(key, run);
  }
  return run;
}

/** The recorded resources of one type. */
export function ofType(run: ProgramRun, type: string): RecordedResource[] {
  return run.resources.filter((r) => r.type === type);
}

/** The one recorded resource with this name. */
export function named(run: ProgramRun, name: string): RecordedResource {
  const found = run.resources.filter((r) => r.name === name);
  if (found.length !== 1) throw new Error(`expected one resource named ${name}, found ${found.length}`);
  return found[0];
}

/** The config most infra tests share: three regions, an allowlist with a prefix, non-default options. */
export const STANDARD_CONFIG = {
  regions: ["us-west-2", "ap-southeast-2", "eu-west-1"],
  channels: ["cars", "room-*"],
  xrayEnabled: true,
  logRetentionDays: 30,
  deliveryRetryAttempts: 7,
  deliveryMaxEventAgeSeconds: 900,
  queryDepthLimit: 4,
  resolverCountLimit: 2,
};
