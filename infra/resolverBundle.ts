import * as esbuild from "esbuild";
import * as path from "path";

/** Which data source a resolver talks to: this region's bus, or none (the resolver answers itself). */
export type DataSourceKind = "EVENTBRIDGE" | "NONE";

/** A schema field and the data source its resolver uses; the code lives in `resolvers/<typeName>.<fieldName>.ts`. */
export interface ResolverField {
  readonly typeName: "Query" | "Mutation" | "Subscription";
  readonly fieldName: string;
  readonly dataSource: DataSourceKind;
}

/** Every resolver of the API. */
export const RESOLVER_FIELDS: readonly ResolverField[] = [
  { typeName: "Query", fieldName: "channels", dataSource: "NONE" },
  { typeName: "Mutation", fieldName: "publish", dataSource: "EVENTBRIDGE" },
  { typeName: "Mutation", fieldName: "publishFromBus", dataSource: "NONE" },
  { typeName: "Mutation", fieldName: "unsubscribe", dataSource: "EVENTBRIDGE" },
  { typeName: "Mutation", fieldName: "unsubscribeFromBus", dataSource: "NONE" },
  { typeName: "Subscription", fieldName: "subscribe", dataSource: "NONE" },
];

/** What a regional bundle bakes in. */
export interface ResolverSettings {
  /** The region the API serves. */
  readonly region: string;
  /** The channel allowlist. */
  readonly channels: readonly string[];
}

/** A resolver bundled for one region: one ESM file, as AppSync's APPSYNC_JS runtime takes it. */
export interface BundledResolver extends ResolverField {
  readonly code: string;
}

const projectRoot = path.join(__dirname, "..");

/** Bundles one resolver with its region and allowlist baked in (the same code runs on AWS and locally). */
export function bundleResolver(field: ResolverField, settings: ResolverSettings): BundledResolver {
  const result = esbuild.buildSync({
    entryPoints: [path.join(projectRoot, "resolvers", `${field.typeName}.${field.fieldName}.ts`)],
    absWorkingDir: projectRoot,
    bundle: true,
    write: false,
    format: "esm",
    platform: "node",
    target: "esnext",
    external: ["@aws-appsync/utils"],
    sourcemap: "inline",
    sourcesContent: false,
    logLevel: "silent",
    define: {
      GLOBALWS_REGION: JSON.stringify(settings.region),
      GLOBALWS_CHANNELS: JSON.stringify(settings.channels),
    },
  });
  return { ...field, code: result.outputFiles[0].text };
}

/** Bundles every resolver for one region. */
export function bundleResolvers(settings: ResolverSettings): BundledResolver[] {
  return RESOLVER_FIELDS.map((field) => bundleResolver(field, settings));
}
