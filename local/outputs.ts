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
  /** How long history is kept (0: off), as the deployed stack's output of the same name. */
  readonly historyRetentionHours: number;
  /** Local IAM credentials (`AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`) every region accepts. */
  readonly credentials: Credentials;
  /** The self-signed certificate the https/wss endpoints serve, for clients to trust. */
  readonly certificateFile: string;
  /** The local OIDC issuer, when the stack has signed-in users (`globalws:oidc`). */
  readonly oidc?: LocalIssuerOutputs;
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
    outputs.historyRetentionHours > 0 ? `History kept ${outputs.historyRetentionHours} h. Rehearse an outage: npx globalws outage REGION --seconds N` : "History off. Rehearse an outage: npx globalws outage REGION --seconds N",
    ...(outputsFile ? [`Outputs written to ${outputsFile}`] : []),
  ];
}
