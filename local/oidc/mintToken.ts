import type { JWTPayload } from "jose";
import type { LocalIssuerOutputs } from "./issuer";
import { readSigningKey } from "./signingKey";
import { matchesClientId, signToken } from "./tokens";

/** A token request that cannot be met: bad input, or outputs that are not a local stack with users. */
export class LocalTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LocalTokenError";
  }
}

/** What `globalws token` asks for. */
export interface LocalTokenRequest {
  /** The user: the token's `sub` (1 to 255 characters, as OpenID Connect allows). */
  readonly sub: string;
  /** Their groups, put in the stack's groups claim. */
  readonly groups?: readonly string[];
  /** How long the token is valid: seconds, or `90s`, `15m`, `1h`, `2d` (default `1h`). */
  readonly ttl?: string | number;
  /**
   * The token's `aud`. Default: the stack's `clientId`, when set; required when that is a regular
   * expression that does not match its own text (such as `web|mobile`).
   */
  readonly audience?: string;
  /** Issue time (default now). */
  readonly now?: Date;
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Seconds in a TTL given as seconds or as `<n>s|m|h|d`. @throws LocalTokenError for anything else, or for 0. */
export function parseTtl(ttl: string | number): number {
  const match = /^(\d+)([smhd]?)$/.exec(String(ttl).trim());
  const seconds = match ? Number(match[1]) * UNITS[match[2] || "s"] : NaN;
  if (!Number.isSafeInteger(seconds) || seconds < 1) {
    throw new LocalTokenError(`--ttl ${JSON.stringify(String(ttl))} is not a duration: give seconds, or a number with s, m, h or d (e.g. 90s, 15m, 1h, 2d)`);
  }
  return seconds;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** The local issuer named by an outputs file's contents. @throws LocalTokenError when there is none, saying why. */
function localIssuerOf(outputs: unknown): LocalIssuerOutputs {
  if (!isObject(outputs)) throw new LocalTokenError("The outputs are not an object: pass the local runtime's outputs (.globalws/local-outputs.json)");
  const oidc = outputs.oidc;
  if (isObject(oidc) && typeof oidc.issuer === "string" && typeof oidc.signingKeyFile === "string" && typeof oidc.groupsClaim === "string") {
    return oidc as unknown as LocalIssuerOutputs;
  }
  if (outputs.credentials === undefined && outputs.certificateFile === undefined) {
    throw new LocalTokenError(
      "globalws token makes tokens for the local runtime only, and these outputs are a deployed stack's: " +
        "sign in with the stack's identity provider (globalws:oidc issuer) and pass its token with --token or GLOBALWS_TOKEN",
    );
  }
  throw new LocalTokenError(
    "This local stack has no signed-in users: set globalws:oidc (and globalws:rights) in Pulumi.<stack>.yaml and restart npm start",
  );
}

/**
 * Mints a token from the local runtime's OIDC issuer for `request.sub`, with `request.groups` in the
 * stack's groups claim, signed with the issuer's key file: what `npx globalws token` prints.
 * `outputs` is the parsed outputs file (`.globalws/local-outputs.json` or `--outputs`).
 * @throws LocalTokenError for bad input, for a deployed stack's outputs and for a stack without users.
 */
export async function mintLocalToken(outputs: unknown, request: LocalTokenRequest): Promise<string> {
  const issuer = localIssuerOf(outputs);
  const { sub, groups = [] } = request;
  if (typeof sub !== "string" || sub.length < 1 || sub.length > 255) {
    throw new LocalTokenError(`--sub ${JSON.stringify(sub)} is not a user: give 1 to 255 characters`);
  }
  const badGroup = groups.find((group) => typeof group !== "string" || group.trim() === "");
  if (badGroup !== undefined) throw new LocalTokenError(`--groups has ${JSON.stringify(badGroup)}: give group names separated by commas`);
  const ttlSeconds = parseTtl(request.ttl ?? "1h");
  const now = Math.floor((request.now ?? new Date()).getTime() / 1000);
  const audience = request.audience ?? issuer.clientId;
  if (request.audience === undefined && audience !== undefined && !matchesClientId(audience, audience)) {
    throw new LocalTokenError(
      `The stack's globalws:oidc.clientId ${JSON.stringify(audience)} is a regular expression that does not match its own text, ` +
        "so it cannot be the token's aud: give an audience (the aud of your app's tokens, one value it matches)",
    );
  }
  const claims: JWTPayload = {
    iss: issuer.issuer,
    sub,
    ...(audience !== undefined ? { aud: audience } : {}),
    iat: now,
    auth_time: now,
    exp: now + ttlSeconds,
    ...(groups.length > 0 ? { [issuer.groupsClaim]: [...groups] } : {}),
  };
  let key;
  try {
    key = readSigningKey(issuer.signingKeyFile);
  } catch (error) {
    throw new LocalTokenError((error as Error).message);
  }
  return signToken(key, claims);
}
