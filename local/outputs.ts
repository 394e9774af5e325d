import * as fs from "fs";
import * as path from "path";
import type { Credentials } from "./appsync/sigv4";
import type { LocalIssuerOutputs } from "./oidc/issuer";

/** One region's endpoints: the `regions` entry of the stack outputs contract (DESIGN.md). */
export interface RegionOutputs {
  readonly graphqlUrl: string;
  readonly realtimeUrl: string;
  readonly apiId: string;
  /** Absent when the stack has no API key (`globalws:apiKeyAccess: none`). */
  readonly apiKey?: string;
  readonly eventBusArn: string;
  /** Locally, a GET on it lists what the region's AppSync targets gave up on. */
  readonly deadLetterQueueUrl: string;
}

/** What the local runtime writes to `.globalws/local-outputs.json`: the contract shape plus local extras. */
export interface LocalOutputs {
  readonly regions: Record<string, RegionOutputs>;
  /** Local IAM credentials (`AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`) every region accepts. */
  readonly credentials: Credentials;
  /** The self-signed certificate the https/wss endpoints serve, for clients to trust. */
  readonly certificateFile: string;
  /** The local OIDC issuer, when the stack has signed-in users (`globalws:oidc`). */
  readonly oidc?: LocalIssuerOutputs;
}

/** Outputs whose every region has an API key. */
export type KeyedLocalOutputs = LocalOutputs & { readonly regions: Record<string, RegionOutputs & { readonly apiKey: string }> };

/** The outputs when every region has an API key (what today's web app and command line need); `null` for a stack without (`apiKeyAccess: none`). */
export function keyedOutputs(outputs: LocalOutputs): KeyedLocalOutputs | null {
  return Object.values(outputs.regions).every((region) => region.apiKey !== undefined) ? (outputs as KeyedLocalOutputs) : null;
}

/** Writes the outputs file (readable by the owner only: it holds secrets). */
export function writeOutputs(file: string, outputs: LocalOutputs): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(outputs, null, 2)}\n`, { mode: 0o600 });
}

/** The lines printed at start: one block per region. */
export function describeOutputs(outputs: LocalOutputs, outputsFile: string | null): string[] {
  const lines = Object.entries(outputs.regions).flatMap(([region, endpoints]) => [
    `${region}`,
    `  GraphQL    ${endpoints.graphqlUrl}   (also plain http on the same port)`,
    `  Real-time  ${endpoints.realtimeUrl}`,
    `  API key    ${endpoints.apiKey ?? "none (globalws:apiKeyAccess is none)"}`,
  ]);
  return [
    ...lines,
    `IAM credentials: AWS_ACCESS_KEY_ID=${outputs.credentials.accessKeyId} AWS_SECRET_ACCESS_KEY=${outputs.credentials.secretAccessKey}`,
    `TLS certificate: ${outputs.certificateFile} (e.g. NODE_EXTRA_CA_CERTS=${outputs.certificateFile})`,
    ...(outputs.oidc
      ? [`OIDC issuer: ${outputs.oidc.issuer} (a token: npx globalws token --sub NAME [--groups a,b] [--ttl 1h])`]
      : []),
    ...(outputsFile ? [`Outputs written to ${outputsFile}`] : []),
  ];
}
