import type { TokenVerifier } from "../oidc/issuer";
import type { AuthMode } from "./schema";
import { sigV4HeaderProblem, verifySigV4, type Credentials, type SignedRequest } from "./sigv4";

/** Who is calling, once authenticated. */
export interface Caller {
  readonly mode: AuthMode;
  /** `ctx.identity`: `null` for an API key, the IAM identity, or `{sub, issuer, claims}` for a token. */
  readonly identity: Record<string, unknown> | null;
}

/** The local account every ARN and identity uses. */
export const LOCAL_ACCOUNT_ID = "000000000000";

/** What one region's API accepts. */
export interface ApiSecrets {
  readonly region: string;
  /** The API key; `null` when the API has none (`apiKeyAccess: none`). */
  readonly apiKey: string | null;
  readonly credentials: Credentials;
  /** Verifies OIDC tokens; `null` when the API has no OIDC mode. */
  readonly tokens: TokenVerifier | null;
}

/** `ctx.identity` of an IAM caller, in AppSync's shape. */
export function iamIdentity(userArn: string, username: string, sourceIp: string[] = []): Record<string, unknown> {
  return {
    accountId: LOCAL_ACCOUNT_ID,
    cognitoIdentityAuthProvider: null,
    cognitoIdentityAuthType: null,
    cognitoIdentityId: null,
    cognitoIdentityPoolId: null,
    sourceIp,
    userArn,
    username,
  };
}

function headerOf(headers: Record<string, string | undefined>, name: string): string | undefined {
  return Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
}

/** The start of a SigV4 `Authorization` header; anything else in that header is an OIDC token. */
const SIGV4_PREFIX = "AWS4-";

/**
 * What the headers alone say, so that nothing else is read from a caller without credentials:
 * `API_KEY` for the right `x-api-key`; `AWS_IAM` for a SigV4 `Authorization` header whose key,
 * region, service and date hold (its signature over the body is checked by `authenticate`);
 * `OPENID_CONNECT` for any other `Authorization` header when the API has OIDC (the token itself,
 * as AppSync and Amplify send it, with no `Bearer`; verified by `authenticate`); otherwise `null`.
 */
export function authModeFromHeaders(headers: Record<string, string | undefined>, secrets: ApiSecrets): AuthMode | null {
  const apiKey = headerOf(headers, "x-api-key");
  if (apiKey !== undefined) return secrets.apiKey !== null && apiKey === secrets.apiKey ? "API_KEY" : null;
  const authorization = headerOf(headers, "authorization");
  if (authorization === undefined) return null;
  if (!authorization.startsWith(SIGV4_PREFIX) && secrets.tokens) return "OPENID_CONNECT";
  return sigV4HeaderProblem(headers, secrets.credentials, secrets.region) === null ? "AWS_IAM" : null;
}

/**
 * Authenticates a request: `x-api-key` (API key), a SigV4 `Authorization` header (IAM) over the
 * request that was signed, body included, or an OIDC token in `Authorization` (the body plays no part).
 * @returns the caller, or `null` when none is present and valid.
 */
export async function authenticate(request: SignedRequest, secrets: ApiSecrets, sourceIp?: string): Promise<Caller | null> {
  const mode = authModeFromHeaders(request.headers, secrets);
  if (mode === "API_KEY") return { mode, identity: null };
  if (mode === "OPENID_CONNECT") {
    const check = await (secrets.tokens as TokenVerifier).verify(headerOf(request.headers, "authorization") as string);
    return "identity" in check ? { mode, identity: check.identity } : null;
  }
  if (mode === null || (await verifySigV4(request, secrets.credentials, secrets.region))) return null;
  const { accessKeyId } = secrets.credentials;
  return { mode, identity: iamIdentity(`arn:aws:iam::${LOCAL_ACCOUNT_ID}:user/globalws-local`, accessKeyId, sourceIp ? [sourceIp] : []) };
}

/** The error AppSync answers a refused caller with: for a token, its plain "Unauthorized" (as seen with OIDC); else its usual sentence. */
export function refusalFor(headers: Record<string, string | undefined>, secrets: ApiSecrets): { errorType: string; message: string } {
  const triedToken = authModeFromHeaders(headers, secrets) === "OPENID_CONNECT";
  return { errorType: "UnauthorizedException", message: triedToken ? "Unauthorized" : "You are not authorized to make this call." };
}
