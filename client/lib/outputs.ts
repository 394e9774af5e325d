import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { ClientError } from "./errors";
import type { OidcOutputs, RegionEndpoints, RegionsMap } from "./regions";

/** AWS credentials (the local runtime writes its own into its outputs file). */
export interface StaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** Everything a client needs: the regions, plus what only the local runtime provides. */
export interface ClientOutputs {
  regions: RegionsMap;
  /** The local runtime's IAM credentials. */
  credentials?: StaticCredentials;
  /** PEM file of the local runtime's self-signed certificate, to trust for its https/wss URLs. */
  certificateFile?: string;
  /** How long history is kept (the stack output `historyRetentionHours`; 0: history off). */
  historyRetentionHours?: number;
  /** The local runtime's OpenID Connect issuer, whose signing key mints local tokens (`globalws token`). */
  oidc?: OidcOutputs & { signingKeyFile?: string };
}

/** Where `npm start` writes the local runtime's outputs, in the project root. */
const LOCAL_OUTPUTS_FILE = join(".globalws", "local-outputs.json");

/** Where to read the outputs from: a file, or a Pulumi stack. */
export interface OutputsSource {
  outputsFile?: string;
  stack?: string;
}

/**
 * Loads the outputs from `--outputs FILE`, from `--stack NAME` (through the Pulumi CLI), or from
 * the local runtime's file (see `localOutputsFile`) when neither is given and it exists.
 * Missing or malformed outputs are a usage error (exit code 2).
 */
export async function loadOutputs(source: OutputsSource): Promise<ClientOutputs> {
  if (source.outputsFile && source.stack) {
    throw new ClientError("Give either --outputs FILE or --stack NAME, not both.", 2);
  }
  if (source.stack) {
    return parseOutputs(await readStackOutputs(source.stack), `stack "${source.stack}"`);
  }
  const file = source.outputsFile ?? localOutputsFile(process.cwd());
  if (!existsSync(file)) {
    throw new ClientError(
      source.outputsFile
        ? `Outputs file ${file} does not exist.`
        : `No outputs found: ${file} does not exist. Run \`npm start\` for the local ` +
            "runtime, or pass --stack NAME (a deployed Pulumi stack) or --outputs FILE.",
      2,
    );
  }
  return parseOutputs(readFileSync(file, "utf8"), file);
}

/**
 * The local runtime's outputs file for a command run in `cwd`: `.globalws/local-outputs.json` in the
 * project root, the nearest directory up from `cwd` whose Pulumi.yaml or package.json names the
 * project `globalws`, so that any subdirectory works; in `cwd` itself outside the project.
 */
function localOutputsFile(cwd: string): string {
  for (let dir = cwd; ; dir = dirname(dir)) {
    if (isProjectRoot(dir)) return join(dir, LOCAL_OUTPUTS_FILE);
    if (dirname(dir) === dir) return join(cwd, LOCAL_OUTPUTS_FILE);
  }
}

function isProjectRoot(dir: string): boolean {
  const read = (name: string) => (existsSync(join(dir, name)) ? readFileSync(join(dir, name), "utf8") : "");
  if (/^name:\s*["']?globalws["']?\s*$/m.test(read("Pulumi.yaml"))) return true;
  try {
    return (JSON.parse(read("package.json") || "{}") as { name?: unknown }).name === "globalws";
  } catch {
    return false;
  }
}

/** Runs `pulumi stack output --json --show-secrets` for `stack` and returns its stdout. */
async function readStackOutputs(stack: string): Promise<string> {
  const args = ["pulumi", "stack", "output", "--json", "--show-secrets", "--stack", stack];
  try {
    const { stdout } = await promisify(execFile)("npx", args, { maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new ClientError(`\`npx ${args.join(" ")}\` failed: ${stderr || (error as Error).message}`);
  }
}

/** Parses and checks outputs JSON; `origin` names where it came from in error messages. */
function parseOutputs(json: string, origin: string): ClientOutputs {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new ClientError(`Outputs from ${origin} are not valid JSON: ${(error as Error).message}`, 2);
  }
  const outputs = value as Partial<ClientOutputs> | null;
  const regions = outputs?.regions;
  if (!regions || typeof regions !== "object" || Object.keys(regions).length === 0) {
    throw new ClientError(`Outputs from ${origin} have no "regions" map.`, 2);
  }
  for (const [region, endpoints] of Object.entries(regions)) {
    for (const key of ["graphqlUrl", "realtimeUrl"] as const) {
      if (typeof endpoints?.[key] !== "string") {
        throw new ClientError(`Outputs from ${origin}: region ${region} has no "${key}".`, 2);
      }
    }
    // A stack without API keys (globalws:apiKeyAccess none) has none; one that has them gives a text.
    if (endpoints.apiKey !== undefined && typeof endpoints.apiKey !== "string") {
      throw new ClientError(`Outputs from ${origin}: region ${region} has an "apiKey" that is not a text.`, 2);
    }
  }
  const retention = outputs.historyRetentionHours;
  if (retention !== undefined && (typeof retention !== "number" || !(retention >= 0))) {
    throw new ClientError(`Outputs from ${origin}: "historyRetentionHours" is ${JSON.stringify(retention)}, not a number of hours ≥ 0.`, 2);
  }
  return {
    regions,
    credentials: outputs.credentials,
    certificateFile: outputs.certificateFile,
    historyRetentionHours: retention,
    oidc: outputs.oidc,
  };
}

/** The named region's endpoints (the first region when `region` is not given). */
export function selectRegion(
  outputs: Pick<ClientOutputs, "regions">,
  region?: string,
): { region: string; endpoints: RegionEndpoints } {
  const names = Object.keys(outputs.regions);
  const chosen = region ?? names[0];
  const endpoints = outputs.regions[chosen];
  if (!endpoints) {
    throw new ClientError(`Unknown region "${chosen}". Regions in these outputs: ${names.join(", ")}.`, 2);
  }
  return { region: chosen, endpoints };
}

/** The PEM certificate to trust for the local runtime's TLS, when the outputs name one. */
export function readTrustedCertificate(outputs: Pick<ClientOutputs, "certificateFile">): string | undefined {
  if (!outputs.certificateFile) return undefined;
  try {
    return readFileSync(outputs.certificateFile, "utf8");
  } catch (error) {
    throw new ClientError(
      `Cannot read the local certificate ${outputs.certificateFile}: ${(error as Error).message}`,
    );
  }
}
