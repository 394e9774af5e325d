import {
  API_KEY_ACCESS_MODES,
  CHANNEL_NAME_PATTERN,
  CHANNEL_NAME_RULE,
  DEFAULT_GROUPS_CLAIM,
  isOnAllowlist,
  matchesSomeSub,
  SUB_PLACEHOLDER,
  type ApiKeyAccess,
  type RightsEntry,
} from "../resolvers/lib/rules";

/** `globalws:oidc`, validated: the identity provider whose tokens sign users in. */
export interface OidcConfig {
  /** The issuer URL (https); AppSync requires it to equal the tokens' `iss` exactly. */
  readonly issuer: string;
  /** Matched against the token's `aud` (or `azp`); AppSync takes a regular expression. Unset: any client of the issuer. */
  readonly clientId?: string;
  /** The claim that lists the user's groups (default `cognito:groups`). */
  readonly groupsClaim: string;
  /** How long after `auth_time` a token is accepted, in seconds (unset: not checked). */
  readonly authTtlSeconds?: number;
  /** How long after `iat` a token is accepted, in seconds (unset: not checked). */
  readonly iatTtlSeconds?: number;
}

/** The users part of the stack config. */
export interface UsersConfig {
  readonly oidc: OidcConfig | null;
  readonly rights: RightsEntry[];
  readonly apiKeyAccess: ApiKeyAccess;
}

const show = (value: unknown) => JSON.stringify(value);
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const CHANNEL_CHARACTERS = /^[A-Za-z0-9_.-]*$/;
const CHANNEL_NAME = new RegExp(CHANNEL_NAME_PATTERN);
const OIDC_KEYS = ["issuer", "clientId", "groupsClaim", "authTtlSeconds", "iatTtlSeconds"];
const RIGHTS_KEYS = ["group", "publish", "subscribe"];

/** True for a non-empty string without spaces around it: a name a token claim or group could have. */
const isCleanName = (value: unknown): value is string => typeof value === "string" && value !== "" && value === value.trim();

function unknownKeys(value: Record<string, unknown>, known: string[]): string[] {
  return Object.keys(value).filter((key) => !known.includes(key));
}

const ISSUER_EXAMPLE = "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_AbCdEf123";

/**
 * What is wrong with an issuer, or undefined. AppSync compares it with the tokens' `iss` exactly, and
 * an issuer is "a case-sensitive URL using the https scheme ... and no query or fragment components"
 * (OpenID Connect Discovery 1.0, section 2; https://openid.net/specs/openid-connect-discovery-1_0.html).
 */
function issuerProblem(issuer: unknown): string | undefined {
  let url: URL | null = null;
  try {
    url = typeof issuer === "string" ? new URL(issuer) : null;
  } catch {
    url = null;
  }
  if (typeof issuer !== "string" || url?.protocol !== "https:") {
    return `it must be an https URL, exactly the "iss" of the provider's tokens (e.g. ${ISSUER_EXAMPLE})`;
  }
  if (issuer !== issuer.trim()) return "it has spaces around it, which no token's \"iss\" has: remove them";
  if (issuer.includes("?") || issuer.includes("#")) return "an issuer has no query (?) or fragment (#) (OpenID Connect Discovery 1.0): give the tokens' \"iss\" exactly";
  if (url.username !== "" || url.password !== "" || /^https:\/\/[^/]*@/i.test(issuer)) {
    return "an issuer holds no user name or password (user@): give the tokens' \"iss\" exactly";
  }
  return undefined;
}

function validateOidc(raw: unknown, problems: string[]): OidcConfig | null {
  if (raw === undefined || raw === null) return null;
  const where = "globalws:oidc";
  if (!isObject(raw)) {
    problems.push(`${where} is ${show(raw)}: it must be an object {issuer, clientId?, groupsClaim?, authTtlSeconds?, iatTtlSeconds?}`);
    return null;
  }
  for (const key of unknownKeys(raw, OIDC_KEYS)) problems.push(`${where} has the unknown key ${show(key)}: the keys are ${OIDC_KEYS.join(", ")}`);
  const { issuer, clientId, groupsClaim, authTtlSeconds, iatTtlSeconds } = raw;
  const badIssuer = issuerProblem(issuer);
  if (badIssuer) problems.push(`${where}.issuer is ${show(issuer)}: ${badIssuer}`);
  if (clientId !== undefined) {
    let compiles = typeof clientId === "string" && clientId !== "";
    try {
      if (compiles) new RegExp(clientId as string);
    } catch {
      compiles = false;
    }
    if (!compiles) {
      problems.push(`${where}.clientId is ${show(clientId)}: it must be a non-empty client id (AppSync reads it as a regular expression; use the syntax Java and JavaScript read alike)`);
    }
  }
  if (groupsClaim !== undefined && !isCleanName(groupsClaim)) {
    problems.push(`${where}.groupsClaim is ${show(groupsClaim)}: it must be the name of a token claim, e.g. "groups", not blank and with no spaces around it`);
  }
  for (const [key, value] of [["authTtlSeconds", authTtlSeconds], ["iatTtlSeconds", iatTtlSeconds]] as const) {
    if (value !== undefined && (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > Number.MAX_SAFE_INTEGER / 1000)) {
      problems.push(`${where}.${key} is ${show(value)}: it must be a whole number of seconds, at least 1 (leave it out for no limit)`);
    }
  }
  return {
    issuer: issuer as string,
    ...(clientId !== undefined ? { clientId: clientId as string } : {}),
    groupsClaim: (groupsClaim as string | undefined) ?? DEFAULT_GROUPS_CLAIM,
    ...(authTtlSeconds !== undefined ? { authTtlSeconds: authTtlSeconds as number } : {}),
    ...(iatTtlSeconds !== undefined ? { iatTtlSeconds: iatTtlSeconds as number } : {}),
  };
}

/**
 * True when the allowlist allows some name that starts with `start` and, for an exact entry, that
 * `fits` (an empty allowlist allows every name; a prefix entry allows names of any length after it).
 */
function allowlistReaches(start: string, channels: readonly string[], fits: (name: string) => boolean = () => true): boolean {
  return (
    channels.length === 0 ||
    channels.some((entry) => (entry.endsWith("*") ? start.startsWith(entry.slice(0, -1)) || entry.slice(0, -1).startsWith(start) : entry.startsWith(start) && fits(entry)))
  );
}

/** What is wrong with one channel pattern of a rights entry, or undefined. */
function patternProblem(pattern: string, channels: readonly string[]): string | undefined {
  const isPrefix = pattern.endsWith("*");
  const body = isPrefix ? pattern.slice(0, -1) : pattern;
  const fixed = body.split(SUB_PLACEHOLDER).join("");
  if (!CHANNEL_CHARACTERS.test(fixed)) {
    return `a pattern is a channel name (${CHANNEL_NAME_RULE}), optionally with ${SUB_PLACEHOLDER} and a trailing * for a prefix`;
  }
  // The shortest name the pattern can match, with the shortest sub (one character).
  const shortest = body.split(SUB_PLACEHOLDER).join("x");
  if (shortest.length > 64 || (!isPrefix && !CHANNEL_NAME.test(shortest))) {
    return `it can match no channel name of ${CHANNEL_NAME_RULE}`;
  }
  if (!isPrefix && !body.includes(SUB_PLACEHOLDER)) {
    return isOnAllowlist(body, [...channels]) ? undefined : "globalws:channels does not allow that channel, so the right could never be used";
  }
  // A prefix or a {sub} pattern: what it matches starts with the text before its * or its first {sub}.
  const start = body.split(SUB_PLACEHOLDER)[0];
  if (!allowlistReaches(start, channels)) return `globalws:channels allows no channel starting with ${show(start)}, so the right could never be used`;
  if (body.includes(SUB_PLACEHOLDER) && !allowlistReaches(start, channels, (name) => matchesSomeSub(pattern, name))) {
    return `globalws:channels allows no channel it can match, ${SUB_PLACEHOLDER} standing for at least one character, so the right could never be used`;
  }
  return undefined;
}

function validateRights(raw: unknown, channels: readonly string[], problems: string[]): RightsEntry[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    problems.push(`globalws:rights is ${show(raw)}: it must be a list of {group, publish?, subscribe?}`);
    return [];
  }
  raw.forEach((entry: unknown, index) => {
    const where = `globalws:rights[${index}]`;
    if (!isObject(entry)) {
      problems.push(`${where} is ${show(entry)}: it must be an object {group, publish?, subscribe?}`);
      return;
    }
    const named = typeof entry.group === "string" ? `${where} (group ${show(entry.group)})` : where;
    for (const key of unknownKeys(entry, RIGHTS_KEYS)) problems.push(`${named} has the unknown key ${show(key)}: the keys are ${RIGHTS_KEYS.join(", ")}`);
    if (!isCleanName(entry.group)) {
      problems.push(`${named}.group is ${show(entry.group)}: it must be a group name from the tokens' groups claim, or "*" for any signed-in user, not blank and with no spaces around it`);
    }
    let grants = 0;
    for (const right of ["publish", "subscribe"] as const) {
      const patterns = entry[right];
      if (patterns === undefined) continue;
      if (!Array.isArray(patterns) || patterns.some((pattern) => typeof pattern !== "string")) {
        problems.push(`${named}.${right} is ${show(patterns)}: it must be a list of channel patterns`);
        grants += 1; // Said above: no "grants nothing" on top.
        continue;
      }
      grants += patterns.length;
      for (const pattern of patterns as string[]) {
        const problem = patternProblem(pattern, channels);
        if (problem) problems.push(`${named}.${right} has ${show(pattern)}: ${problem}`);
      }
    }
    if (grants === 0) problems.push(`${named} grants nothing: give it publish or subscribe patterns`);
  });
  return raw as RightsEntry[];
}

/**
 * What a valid users config should still be told at `pulumi up` and `npm start`: without `clientId`,
 * AppSync accepts an ID token the issuer minted for any of its apps.
 */
export function usersConfigWarnings(config: { readonly oidc: Pick<OidcConfig, "clientId"> | null }): string[] {
  if (!config.oidc || config.oidc.clientId !== undefined) return [];
  return [
    "globalws:oidc has no clientId, so AppSync accepts an ID token its issuer made for ANY of its apps, yours or not " +
      "(an issuer that serves many apps, such as Google's https://accounts.google.com, a Microsoft Entra tenant or a shared Auth0 tenant, " +
      "hands them all tokens with the same iss): " +
      "set globalws:oidc.clientId to your app's client id",
  ];
}

/**
 * Validates `globalws:oidc`, `globalws:rights` (against the allowlist `channels`) and
 * `globalws:apiKeyAccess`, pushing one problem a line that names the key (and the rights entry),
 * the value and the rule. Pure.
 */
export function validateUsersConfig(raw: { oidc?: unknown; rights?: unknown; apiKeyAccess?: unknown }, channels: readonly string[], problems: string[]): UsersConfig {
  const oidc = validateOidc(raw.oidc, problems);
  const rights = validateRights(raw.rights, channels, problems);
  if (rights.length > 0 && (raw.oidc === undefined || raw.oidc === null)) {
    problems.push("globalws:rights is set but globalws:oidc is not: rights are for signed-in users, so set the issuer of their tokens");
  }
  const apiKeyAccess = raw.apiKeyAccess ?? "publish-and-subscribe";
  if (!(API_KEY_ACCESS_MODES as readonly unknown[]).includes(apiKeyAccess)) {
    problems.push(`globalws:apiKeyAccess is ${show(apiKeyAccess)}: it must be one of ${API_KEY_ACCESS_MODES.map((mode) => show(mode)).join(", ")}`);
  }
  return { oidc, rights, apiKeyAccess: apiKeyAccess as ApiKeyAccess };
}
