import type { AuthMode } from "./schema";
import { sigV4HeaderProblem, verifySigV4, type Credentials, type SignedRequest } from "./sigv4";

/** Who is calling, once authenticated. */
export interface Caller {
  readonly mode: AuthMode;
  /** `ctx.identity`: `null` for an API key, the IAM identity otherwise. */
  readonly identity: Record<string, unknown> | null;
}

/** The local account every ARN and identity uses. */
export const LOCAL_ACCOUNT_ID = "000000000000";

/** The secrets one region's API accepts. */
export interface ApiSecrets {
  readonly region: string;
  readonly apiKey: string;
  readonly credentials: Credentials;
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

/**
 * What the headers alone say, so that nothing else is read from a caller without credentials:
 * `API_KEY` for the right `x-api-key`; `AWS_IAM` for a SigV4 `Authorization` header whose key,
 * region, service and date hold (its signature over the body is checked by `authenticate`);
 * otherwise `null`.
 */
export function authModeFromHeaders(headers: Record<string, string | undefined>, secrets: ApiSecrets): AuthMode | null {
  const apiKey = headerOf(headers, "x-api-key");
  if (apiKey !== undefined) return apiKey === secrets.apiKey ? "API_KEY" : null;
  if (headerOf(headers, "authorization") === undefined) return null;
  return sigV4HeaderProblem(headers, secrets.credentials, secrets.region) === null ? "AWS_IAM" : null;
}

/**
 * Authenticates a request: `x-api-key` (API key) or a SigV4 `Authorization` header (IAM) over the
 * request that was signed, body included.
 * @returns the caller, or `null` when neither is present and valid.
 */
export async function authenticate(request: SignedRequest, secrets: ApiSecrets, sourceIp?: string): Promise<Caller | null> {
  const mode = authModeFromHeaders(request.headers, secrets);
  if (mode === "API_KEY") return { mode, identity: null };
  if (mode === null || (await verifySigV4(request, secrets.credentials, secrets.region))) return null;
  const { accessKeyId } = secrets.credentials;
  return { mode, identity: iamIdentity(`arn:aws:iam::${LOCAL_ACCOUNT_ID}:user/globalws-local`, accessKeyId, sourceIp ? [sourceIp] : []) };
}
