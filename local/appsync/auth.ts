import type { AuthMode } from "./schema";
import { verifySigV4, type Credentials, type SignedRequest } from "./sigv4";

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

/**
 * Authenticates a request from its headers: `x-api-key` (API key) or a SigV4 `Authorization`
 * header (IAM) over the request that was signed.
 * @returns the caller, or `null` when neither is present and valid.
 */
export async function authenticate(request: SignedRequest, secrets: ApiSecrets, sourceIp?: string): Promise<Caller | null> {
  const header = (name: string) => Object.entries(request.headers).find(([key]) => key.toLowerCase() === name)?.[1];
  const apiKey = header("x-api-key");
  if (apiKey !== undefined) return apiKey === secrets.apiKey ? { mode: "API_KEY", identity: null } : null;
  if (header("authorization") === undefined) return null;
  const problem = await verifySigV4(request, secrets.credentials, secrets.region);
  if (problem) return null;
  const { accessKeyId } = secrets.credentials;
  return { mode: "AWS_IAM", identity: iamIdentity(`arn:aws:iam::${LOCAL_ACCOUNT_ID}:user/globalws-local`, accessKeyId, sourceIp ? [sourceIp] : []) };
}
