import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { Credentials } from "./appsync/sigv4";

const ALPHANUMERIC = "abcdefghijklmnopqrstuvwxyz0123456789";

function randomText(length: number, alphabet: string): string {
  return [...randomBytes(length)].map((byte) => alphabet[byte % alphabet.length]).join("");
}

/** An API key shaped like AppSync's (`da2-` + 26 characters). */
const newApiKey = () => `da2-${randomText(26, ALPHANUMERIC)}`;

/** An API id shaped like AppSync's (26 lowercase characters). */
const newApiId = () => randomText(26, ALPHANUMERIC);

/** Fresh local IAM credentials, shaped like AWS access keys. */
function newCredentials(): Credentials {
  return {
    accessKeyId: `AKIALOCAL${randomText(11, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")}`,
    secretAccessKey: randomBytes(30).toString("base64"),
  };
}

/** One region's local API: its id and its API key. */
export interface RegionSecrets {
  readonly apiId: string;
  readonly apiKey: string;
}

/** What a stack's local runtime keeps between starts: IAM credentials every region accepts, and each region's API. */
export interface StackSecrets {
  readonly credentials: Credentials;
  readonly regions: Readonly<Record<string, RegionSecrets>>;
}

/** The secrets file: every stack run locally from this state directory, by stack name. */
interface SecretsFile {
  stacks: Record<string, StackSecrets>;
}

/**
 * The local keys, credentials and API ids of `stack` kept in `file`, making whatever is missing
 * (a first start, a new stack or region) and saving it readable by the owner only: a restart then
 * keeps every client's outputs valid. Each stack has its own, so two stacks side by side differ.
 * @throws Error naming the file when it is not a secrets file (it is left as it is).
 */
export function loadOrCreateSecrets(file: string, stack: string, regions: readonly string[]): StackSecrets {
  const stored = readSecretsFile(file);
  const kept = stored.stacks[stack];
  const secrets: StackSecrets = {
    credentials: kept?.credentials ?? newCredentials(),
    regions: Object.fromEntries(regions.map((region) => [region, kept?.regions[region] ?? { apiId: newApiId(), apiKey: newApiKey() }])),
  };
  if (!kept || regions.some((region) => !kept.regions[region])) {
    // Regions no longer configured keep their keys, for when they come back.
    const merged = { credentials: secrets.credentials, regions: { ...kept?.regions, ...secrets.regions } };
    writeSecretsFile(file, { stacks: { ...stored.stacks, [stack]: merged } });
  }
  return secrets;
}

function readSecretsFile(file: string): SecretsFile {
  if (!fs.existsSync(file)) return { stacks: {} };
  let value: unknown;
  try {
    value = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    throw new Error(`${file} is not valid JSON (${(error as Error).message}): delete it to make new local keys and credentials`);
  }
  const problem = secretsFileProblem(value);
  if (problem) throw new Error(`${file} is not a globalws secrets file (${problem}): delete it to make new local keys and credentials`);
  return value as SecretsFile;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const hasStrings = (value: unknown, keys: string[]) => isObject(value) && keys.every((key) => typeof value[key] === "string");

/** What is wrong with a parsed secrets file, or undefined when it has the shape this module writes. */
function secretsFileProblem(value: unknown): string | undefined {
  if (!isObject(value) || !isObject(value.stacks)) return 'no "stacks" object';
  for (const [stack, secrets] of Object.entries(value.stacks)) {
    if (!isObject(secrets) || !hasStrings(secrets.credentials, ["accessKeyId", "secretAccessKey"])) return `stack "${stack}" has no credentials`;
    if (!isObject(secrets.regions)) return `stack "${stack}" has no "regions" object`;
    for (const [region, api] of Object.entries(secrets.regions)) {
      if (!hasStrings(api, ["apiId", "apiKey"])) return `region "${region}" of stack "${stack}" has no apiId or apiKey`;
    }
  }
  return undefined;
}

/** Replaces the file in one step (write, then rename), so a crash never leaves half a file. */
function writeSecretsFile(file: string, secrets: SecretsFile): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(partial, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(partial, file);
}
