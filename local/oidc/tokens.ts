import { createLocalJWKSet, importJWK, jwtVerify, SignJWT, type JWTPayload, type JWTVerifyGetKey } from "jose";
import { SIGNING_ALGORITHM, type SigningKey } from "./signingKey";

/** What AppSync checks of an OIDC token besides its signature (`globalws:oidc`, with the issuer in force). */
export interface TokenRules {
  /** Must equal the token's `iss` exactly. */
  readonly issuer: string;
  /** A regular expression the token's `aud` (or `azp`) must match in full; unset: any client. */
  readonly clientId?: string;
  /** Seconds after `auth_time` past which the token is refused; unset: not checked. */
  readonly authTtlSeconds?: number;
  /** Seconds after `iat` past which the token is refused; unset: not checked. */
  readonly iatTtlSeconds?: number;
}

/** `ctx.identity` of a signed-in user, in AppSync's shape for OIDC: `{sub, issuer, claims}`. */
export interface OidcIdentity extends Record<string, unknown> {
  readonly sub: string | null;
  readonly issuer: string;
  readonly claims: JWTPayload;
}

/** A verified token's identity, or why it was refused (for logs and tests; callers get AppSync's plain refusal). */
export type TokenCheck = { identity: OidcIdentity } | { problem: string };

/** True when `value` matches `clientId` read as AppSync reads it: a regular expression, in full. */
export function matchesClientId(clientId: string, value: string): boolean {
  return new RegExp(`^(?:${clientId})$`).test(value);
}

/** True when `clientId` matches the token's `aud` or `azp`. */
function clientMatches(claims: JWTPayload, clientId: string): boolean {
  const audiences = Array.isArray(claims.aud) ? claims.aud : claims.aud === undefined ? [] : [claims.aud];
  return [...audiences, claims.azp].some((value) => typeof value === "string" && matchesClientId(clientId, value));
}

/** Why a token is past one of the TTLs (`claim` plus `ttlSeconds`), or undefined. */
function ttlProblem(claims: JWTPayload, claim: "auth_time" | "iat", ttlSeconds: number | undefined, nowSeconds: number): string | undefined {
  if (ttlSeconds === undefined) return undefined;
  const time = claims[claim];
  if (typeof time !== "number") return `the token has no ${claim}, which the ${ttlSeconds} s TTL needs`;
  return nowSeconds - time > ttlSeconds ? `${claim} is more than ${ttlSeconds} s ago` : undefined;
}

/** The issuer's public keys as `verifyToken` takes them (made once: the set keeps each key imported). */
export function keySet(keys: readonly SigningKey[]): JWTVerifyGetKey {
  return createLocalJWKSet({ keys: keys.map((key) => key.publicJwk) });
}

/**
 * Verifies an OIDC token as AppSync does: its signature against the issuer's keys, `iss`, `exp`
 * (and `nbf`), `aud`/`azp` against the client id when set, and the auth and iat TTLs when set.
 */
export async function verifyToken(token: string, jwks: JWTVerifyGetKey, rules: TokenRules, now: Date = new Date()): Promise<TokenCheck> {
  let claims: JWTPayload;
  try {
    ({ payload: claims } = await jwtVerify(token, jwks, { issuer: rules.issuer, algorithms: [SIGNING_ALGORITHM], requiredClaims: ["exp"], currentDate: now }));
  } catch (error) {
    return { problem: `${(error as { code?: string }).code ?? "ERR_JWT_INVALID"}: ${(error as Error).message}` };
  }
  if (rules.clientId !== undefined && !clientMatches(claims, rules.clientId)) {
    return { problem: `neither aud nor azp matches the client id ${JSON.stringify(rules.clientId)}` };
  }
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const tooOld = ttlProblem(claims, "auth_time", rules.authTtlSeconds, nowSeconds) ?? ttlProblem(claims, "iat", rules.iatTtlSeconds, nowSeconds);
  if (tooOld) return { problem: tooOld };
  return { identity: { sub: typeof claims.sub === "string" ? claims.sub : null, issuer: claims.iss as string, claims } };
}

/** Signs `claims` as a JWT with `key` (RS256, its `kid` in the header). */
export async function signToken(key: SigningKey, claims: JWTPayload): Promise<string> {
  const privateKey = await importJWK(key.privateJwk, SIGNING_ALGORITHM);
  return new SignJWT(claims).setProtectedHeader({ alg: SIGNING_ALGORITHM, kid: key.kid, typ: "JWT" }).sign(privateKey);
}
