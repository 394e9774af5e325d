/**
 * What a sign-in token (a JWT) says about its user, read WITHOUT checking its signature: for showing
 * who is signed in and saying when a token has expired, never for deciding anything (the API
 * verifies every token itself). Browser-safe (no Buffer).
 */
export interface TokenClaims {
  readonly sub?: string;
  /** Expiry, in epoch seconds. */
  readonly exp?: number;
  /** Every claim, e.g. the groups claim. */
  readonly claims: Readonly<Record<string, unknown>>;
}

/** The claims of `token`, or `null` when it is not shaped like a JWT. */
export function tokenClaims(token: string): TokenClaims | null {
  const [, payload] = token.trim().split(".");
  if (!payload) return null;
  try {
    const binary = atob(payload.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(payload.length / 4) * 4, "="));
    const json = new TextDecoder().decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)));
    const claims = JSON.parse(json) as unknown;
    if (typeof claims !== "object" || claims === null || Array.isArray(claims)) return null;
    const record = claims as Record<string, unknown>;
    return {
      sub: typeof record.sub === "string" ? record.sub : undefined,
      exp: typeof record.exp === "number" ? record.exp : undefined,
      claims: record,
    };
  } catch {
    return null;
  }
}

/** The groups a token lists in `groupsClaim` (a list, or one text), as the API reads them. */
export function tokenGroups(claims: TokenClaims, groupsClaim: string): string[] {
  const value = claims.claims[groupsClaim];
  if (typeof value === "string") return [value];
  return Array.isArray(value) ? value.filter((group): group is string => typeof group === "string") : [];
}

/** A sentence saying the token has expired, when it has (at `nowMs`); undefined otherwise. */
export function expiredTokenNote(token: string, nowMs: number): string | undefined {
  const exp = tokenClaims(token)?.exp;
  if (exp === undefined || exp * 1000 > nowMs) return undefined;
  return `The token expired at ${new Date(exp * 1000).toISOString()}: get a fresh one.`;
}
