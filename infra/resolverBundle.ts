import * as esbuild from "esbuild";
import * as path from "path";
import { DEFAULT_GROUPS_CLAIM, type ApiKeyAccess, type RightsEntry } from "../resolvers/lib/rules";
import { ConfigError } from "./config";
import type { OidcConfig } from "./usersConfig";

/** Which data source a resolver or function talks to: this region's bus, its history replica, or none (it answers itself). */
export type DataSourceKind = "EVENTBRIDGE" | "HISTORY" | "NONE";

/** A function of a pipeline resolver; its code lives in `resolvers/functions/<name>.ts`. */
export interface PipelineFunction {
  readonly name: string;
  readonly dataSource: DataSourceKind;
}

/** A unit resolver: request handler, one data source, response handler. */
export interface UnitResolverField {
  readonly kind: "UNIT";
  readonly typeName: "Query" | "Mutation" | "Subscription";
  readonly fieldName: string;
  readonly dataSource: DataSourceKind;
}

/** A pipeline resolver: its own before/after handlers around functions that run in order. */
export interface PipelineResolverField {
  readonly kind: "PIPELINE";
  readonly typeName: "Query" | "Mutation" | "Subscription";
  readonly fieldName: string;
  readonly functions: readonly PipelineFunction[];
}

/** A schema field and how it is resolved; the resolver's code lives in `resolvers/<typeName>.<fieldName>.ts`. */
export type ResolverField = UnitResolverField | PipelineResolverField;

/** Stores a published message in the history table, once per `(name, id)`. */
export const STORE_MESSAGE: PipelineFunction = { name: "storeMessage", dataSource: "HISTORY" };

/** Puts a published message on the region's bus. */
export const PUT_MESSAGE_EVENT: PipelineFunction = { name: "putMessageEvent", dataSource: "EVENTBRIDGE" };

/** What a regional bundle bakes in. */
export interface ResolverSettings {
  /** The region the API serves. */
  readonly region: string;
  /** The channel allowlist. */
  readonly channels: readonly string[];
  /** How long history keeps a message; 0 = history off. */
  readonly historyRetentionHours: number;
  /** What each group of signed-in users may do (`globalws:rights`). */
  readonly rights: readonly RightsEntry[];
  /** The token claim that lists a user's groups. */
  readonly groupsClaim: string;
  /** What the API key may do. */
  readonly apiKeyAccess: ApiKeyAccess;
}

/** What a stack's config says of the resolvers: everything a bundle bakes in but the region. */
export interface StackResolverConfig {
  readonly channels: readonly string[];
  readonly historyRetentionHours: number;
  readonly oidc: Pick<OidcConfig, "groupsClaim"> | null;
  readonly rights: readonly RightsEntry[];
  readonly apiKeyAccess: ApiKeyAccess;
}

/** The settings baked into one region's bundles, from the stack's config. */
export function resolverSettings(region: string, config: StackResolverConfig): ResolverSettings {
  return {
    region,
    channels: config.channels,
    historyRetentionHours: config.historyRetentionHours,
    rights: config.rights,
    groupsClaim: config.oidc?.groupsClaim ?? DEFAULT_GROUPS_CLAIM,
    apiKeyAccess: config.apiKeyAccess,
  };
}

/**
 * Every resolver of the API. With history on, `publish` stores the message before putting it on the
 * bus and `history` queries the history table; with it off, `publish` only puts the event and
 * `history` answers `HistoryDisabled` without a data source.
 */
export function resolverFields(settings: Pick<ResolverSettings, "historyRetentionHours">): ResolverField[] {
  const history = settings.historyRetentionHours > 0;
  return [
    { kind: "UNIT", typeName: "Query", fieldName: "channels", dataSource: "NONE" },
    { kind: "UNIT", typeName: "Query", fieldName: "history", dataSource: history ? "HISTORY" : "NONE" },
    { kind: "PIPELINE", typeName: "Mutation", fieldName: "publish", functions: history ? [STORE_MESSAGE, PUT_MESSAGE_EVENT] : [PUT_MESSAGE_EVENT] },
    { kind: "UNIT", typeName: "Mutation", fieldName: "publishFromBus", dataSource: "NONE" },
    { kind: "UNIT", typeName: "Mutation", fieldName: "unsubscribe", dataSource: "EVENTBRIDGE" },
    { kind: "UNIT", typeName: "Mutation", fieldName: "unsubscribeFromBus", dataSource: "NONE" },
    { kind: "UNIT", typeName: "Subscription", fieldName: "subscribe", dataSource: "NONE" },
  ];
}

/** A pipeline function bundled for one region. */
export interface BundledFunction extends PipelineFunction {
  readonly code: string;
}

/** A resolver bundled for one region: one ESM file, as AppSync's APPSYNC_JS runtime takes it, and its functions' bundles. */
export type BundledResolver = ResolverField & {
  readonly code: string;
  readonly functionCode: readonly BundledFunction[];
};

const projectRoot = path.join(__dirname, "..");

/**
 * The most characters AppSync takes as the code of a resolver or function (`code`: "Maximum length of
 * 32768", https://docs.aws.amazon.com/appsync/latest/APIReference/API_Resolver.html; likewise
 * FunctionConfiguration).
 */
export const APPSYNC_CODE_MAX_CHARACTERS = 32768;

/**
 * Bundles one resolver source file with the region's settings baked in (the same code runs on AWS and
 * locally), with an inline source map ("Source maps can be included to aid debugging":
 * https://docs.aws.amazon.com/appsync/latest/devguide/additional-utilities.html) unless the map alone
 * takes it past AppSync's limit: the map roughly doubles a bundle, as it maps every token of the
 * baked-in rights.
 * @throws ConfigError when even without the map it is too large: the rights and the allowlist are baked in.
 */
function bundle(file: string, settings: ResolverSettings): string {
  const withMap = build(file, settings, true);
  if (withMap.length <= APPSYNC_CODE_MAX_CHARACTERS) return withMap;
  const code = build(file, settings, false);
  if (code.length > APPSYNC_CODE_MAX_CHARACTERS) {
    throw new ConfigError([
      `globalws:rights and globalws:channels make the ${settings.region} resolver code ${file} ${code.length} characters long, ` +
        `past AppSync's limit of ${APPSYNC_CODE_MAX_CHARACTERS} for a resolver or function (both are baked into it): ` +
        `use fewer or shorter rights entries, patterns and channels (a prefix such as "chat-*" covers many)`,
    ]);
  }
  return code;
}

function build(file: string, settings: ResolverSettings, sourceMap: boolean): string {
  const result = esbuild.buildSync({
    entryPoints: [path.join(projectRoot, "resolvers", file)],
    absWorkingDir: projectRoot,
    bundle: true,
    write: false,
    format: "esm",
    platform: "node",
    target: "esnext",
    external: ["@aws-appsync/utils"],
    sourcemap: sourceMap ? "inline" : false,
    sourcesContent: false,
    logLevel: "silent",
    define: {
      GLOBALWS_REGION: JSON.stringify(settings.region),
      GLOBALWS_CHANNELS: JSON.stringify(settings.channels),
      GLOBALWS_HISTORY_RETENTION_HOURS: JSON.stringify(settings.historyRetentionHours),
      GLOBALWS_RIGHTS: JSON.stringify(settings.rights),
      GLOBALWS_GROUPS_CLAIM: JSON.stringify(settings.groupsClaim),
      GLOBALWS_API_KEY_ACCESS: JSON.stringify(settings.apiKeyAccess),
    },
  });
  return result.outputFiles[0].text;
}

/** Bundles one pipeline function for a region. */
export function bundleFunction(fn: PipelineFunction, settings: ResolverSettings): BundledFunction {
  return { ...fn, code: bundle(path.join("functions", `${fn.name}.ts`), settings) };
}

/** Bundles one resolver, and its pipeline's functions, for a region. */
export function bundleResolver(field: ResolverField, settings: ResolverSettings): BundledResolver {
  return {
    ...field,
    code: bundle(`${field.typeName}.${field.fieldName}.ts`, settings),
    functionCode: field.kind === "PIPELINE" ? field.functions.map((fn) => bundleFunction(fn, settings)) : [],
  };
}

/** Bundles every resolver for one region. */
export function bundleResolvers(settings: ResolverSettings): BundledResolver[] {
  return resolverFields(settings).map((field) => bundleResolver(field, settings));
}
