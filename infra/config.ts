import * as pulumi from "@pulumi/pulumi";
import { CHANNEL_NAME_PATTERN, CHANNEL_NAME_RULE, type ApiKeyAccess, type RightsEntry } from "../resolvers/lib/rules";
import { validateUsersConfig, type OidcConfig } from "./usersConfig";

export type { OidcConfig } from "./usersConfig";

/** The validated configuration of a globalws stack. */
export interface GlobalWsConfig {
  /** `globalws:regions`: the AWS regions (commercial partition) that each get an API and a bus (1..N, unique). */
  readonly regions: string[];
  /** `globalws:channels`: the channel allowlist; an entry ending in `*` is a prefix; empty allows any valid name. */
  readonly channels: string[];
  /** `globalws:apiKeyExpiresInDays`: lifetime of a new API key, 1..365 (default 365). */
  readonly apiKeyExpiresInDays: number;
  /** `globalws:apiKeyGeneration`: raise it to replace every API key with a fresh one (default 1). */
  readonly apiKeyGeneration: number;
  /** `globalws:xrayEnabled`: AWS X-Ray tracing on the APIs (default false). */
  readonly xrayEnabled: boolean;
  /** `globalws:deliveryRetryAttempts`: EventBridge retries per target, 0..185 (default 10). */
  readonly deliveryRetryAttempts: number;
  /** `globalws:deliveryMaxEventAgeSeconds`: give up on an event after this long, 60..86400 (default 300). */
  readonly deliveryMaxEventAgeSeconds: number;
  /** `globalws:logRetentionDays`: retention of the APIs' CloudWatch logs, a value CloudWatch accepts (default 14). */
  readonly logRetentionDays: number;
  /** `globalws:historyRetentionHours`: how long messages are kept for `history`, 0..8760 (default 24); 0 turns history off. */
  readonly historyRetentionHours: number;
  /** `globalws:queryDepthLimit`: AppSync's maximum nesting depth of a request, 1..75 (default 10). */
  readonly queryDepthLimit: number;
  /** `globalws:resolverCountLimit`: AppSync's maximum resolvers run by one request, 1..10000 (default 10). */
  readonly resolverCountLimit: number;
  /** `globalws:oidc`: the identity provider of signed-in users; null = no users (no OIDC mode). */
  readonly oidc: OidcConfig | null;
  /** `globalws:rights`: what each group of signed-in users may do (default none). */
  readonly rights: RightsEntry[];
  /** `globalws:apiKeyAccess`: what the API key may do (default `publish-and-subscribe`; `none`: no key). */
  readonly apiKeyAccess: ApiKeyAccess;
}

/** Config as read from the stack, before validation (every value may be missing or of the wrong type). */
export type RawConfig = { [K in keyof GlobalWsConfig]?: unknown };

/** Thrown before any resource is declared; lists every problem found, one a line. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid globalws configuration:\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

/** A region of AWS's commercial partition (`aws`), e.g. us-west-2, ap-southeast-7, mx-central-1. */
const REGION_PATTERN = /^[a-z]{2}-[a-z]+-\d{1,2}$/;
/**
 * Region name prefixes of the other partitions. globalws needs one partition: EventBridge does not
 * route events between regions in GovCloud or China, and one AWS provider cannot mix partitions.
 */
const OTHER_PARTITIONS: [prefix: string, partition: string][] = [
  ["us-gov-", "AWS GovCloud (US)"],
  ["cn-", "AWS China"],
  ["us-iso", "AWS ISO"],
  ["eusc-", "AWS European Sovereign Cloud"],
];
const CHANNEL_PATTERN = new RegExp(CHANNEL_NAME_PATTERN);
/**
 * Defaults for AppSync's per-request guards (ranges from the CreateGraphqlApi API reference). Our
 * deepest operation, `history { items { … } nextToken }`, is 3 levels deep and every client
 * operation runs one resolver: the defaults leave room for that, and stop a request with thousands
 * of aliased `publish` fields from fanning out thousands of messages.
 */
const DEFAULT_QUERY_DEPTH_LIMIT = 10;
const DEFAULT_RESOLVER_COUNT_LIMIT = 10;
/** The retention periods CloudWatch Logs accepts. */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

const show = (value: unknown) => JSON.stringify(value);

function validateList(key: string, value: unknown, problems: string[]): string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) {
    problems.push(`globalws:${key} is ${show(value)}: it must be a list of strings`);
    return [];
  }
  const seen = new Set<string>();
  for (const item of value as string[]) {
    if (seen.has(item)) problems.push(`globalws:${key} lists ${show(item)} twice: each entry must be unique`);
    seen.add(item);
  }
  return value as string[];
}

function validateInteger(key: keyof GlobalWsConfig, value: unknown, min: number, max: number, problems: string[]): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    problems.push(`globalws:${key} is ${show(value)}: it must be a whole number from ${min} to ${max}`);
  }
  return value as number;
}

/**
 * Validates raw config and fills defaults. Pure: tests call it directly.
 * @throws ConfigError naming each bad key, its value and the rule it breaks.
 */
export function validateConfig(raw: RawConfig): GlobalWsConfig {
  const problems: string[] = [];

  const regions = validateList("regions", raw.regions, problems);
  if (Array.isArray(raw.regions) && regions.length === 0) {
    problems.push("globalws:regions is []: list at least one AWS region, e.g. [\"us-west-2\"]");
  }
  for (const region of regions) {
    const other = OTHER_PARTITIONS.find(([prefix]) => region.startsWith(prefix));
    if (other) {
      problems.push(
        `globalws:regions has ${show(region)}: it is in the ${other[1]} partition; every region must be in the commercial ` +
          "partition (aws), because EventBridge does not route events between regions of the other partitions " +
          "and one AWS provider cannot mix partitions",
      );
    } else if (!REGION_PATTERN.test(region)) {
      problems.push(`globalws:regions has ${show(region)}: it is not shaped like an AWS region name (e.g. us-west-2)`);
    }
  }

  const channels = validateList("channels", raw.channels ?? [], problems);
  for (const channel of channels) {
    const name = channel.endsWith("*") ? channel.slice(0, -1) : channel;
    // A bare "*" is a prefix that allows every name: valid, though an empty list says the same.
    if (name !== "" && !CHANNEL_PATTERN.test(name)) {
      problems.push(`globalws:channels has ${show(channel)}: a channel name is ${CHANNEL_NAME_RULE}, optionally ending in * for a prefix`);
    }
  }

  const apiKeyExpiresInDays = validateInteger("apiKeyExpiresInDays", raw.apiKeyExpiresInDays ?? 365, 1, 365, problems);
  const apiKeyGeneration = validateInteger("apiKeyGeneration", raw.apiKeyGeneration ?? 1, 1, Number.MAX_SAFE_INTEGER, problems);
  const deliveryRetryAttempts = validateInteger("deliveryRetryAttempts", raw.deliveryRetryAttempts ?? 10, 0, 185, problems);
  const deliveryMaxEventAgeSeconds = validateInteger("deliveryMaxEventAgeSeconds", raw.deliveryMaxEventAgeSeconds ?? 300, 60, 86400, problems);
  const historyRetentionHours = validateInteger("historyRetentionHours", raw.historyRetentionHours ?? 24, 0, 8760, problems);
  const queryDepthLimit = validateInteger("queryDepthLimit", raw.queryDepthLimit ?? DEFAULT_QUERY_DEPTH_LIMIT, 1, 75, problems);
  const resolverCountLimit = validateInteger("resolverCountLimit", raw.resolverCountLimit ?? DEFAULT_RESOLVER_COUNT_LIMIT, 1, 10000, problems);

  const logRetentionDays = raw.logRetentionDays ?? 14;
  if (!LOG_RETENTION_DAYS.includes(logRetentionDays as number)) {
    problems.push(`globalws:logRetentionDays is ${show(logRetentionDays)}: it must be one of ${LOG_RETENTION_DAYS.join(", ")}`);
  }

  const users = validateUsersConfig(raw, channels, problems);

  const xrayEnabled = raw.xrayEnabled ?? false;
  if (typeof xrayEnabled !== "boolean") {
    problems.push(`globalws:xrayEnabled is ${show(xrayEnabled)}: it must be true or false`);
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    regions,
    channels,
    apiKeyExpiresInDays,
    apiKeyGeneration,
    xrayEnabled: xrayEnabled as boolean,
    deliveryRetryAttempts,
    deliveryMaxEventAgeSeconds,
    logRetentionDays: logRetentionDays as number,
    historyRetentionHours,
    queryDepthLimit,
    resolverCountLimit,
    ...users,
  };
}

/**
 * Parses a config value that Pulumi stores as text (lists, numbers and booleans are JSON; `pulumi config
 * set` writes top-level values as strings, so `"5"` and `"true"` mean 5 and true).
 */
export function parseValue(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const KEYS: (keyof GlobalWsConfig)[] = [
  "regions", "channels", "apiKeyExpiresInDays", "apiKeyGeneration", "xrayEnabled",
  "deliveryRetryAttempts", "deliveryMaxEventAgeSeconds", "logRetentionDays", "historyRetentionHours",
  "queryDepthLimit", "resolverCountLimit", "oidc", "rights", "apiKeyAccess",
];

/** Reads the `globalws:*` keys of the current stack and validates them. */
export function readConfig(): GlobalWsConfig {
  const config = new pulumi.Config("globalws");
  return validateConfig(Object.fromEntries(KEYS.map((key) => [key, parseValue(config.get(key))])));
}
