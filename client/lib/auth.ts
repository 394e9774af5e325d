import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { ClientError } from "./errors";

/** AWS credentials as the signer takes them. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Resolves the credentials to sign with, when a request is signed. */
export type CredentialsProvider = () => Promise<AwsCredentials>;

/** Returns an OpenID Connect token (a JWT); called for every connection, `start` and request, so it can refresh. */
export type TokenProvider = () => string | Promise<string>;

/**
 * How a client proves who it is, as AppSync takes it on HTTP and in the real-time handshake and
 * each `start`:
 * - `apiKey`: each region's own key from the outputs, in `x-api-key`. `renewApiKey` is asked after
 *   the API refused the key (e.g. it was rotated) for the region's current key, if there is one.
 * - `iam`: SigV4 (service `appsync`), signed with `credentials` for the region.
 * - `token`: an OIDC JWT from `token()`, sent as the `Authorization` header (AppSync's
 *   OPENID_CONNECT form). After a refusal the token is asked for once more (it may have expired).
 */
export type AuthOption =
  | { mode: "apiKey"; renewApiKey?: (region: string, refusedKey: string) => Promise<string | undefined> }
  | { mode: "iam"; credentials: CredentialsProvider }
  | { mode: "token"; token: TokenProvider };

/** Authorizes the requests to one region's API. */
export interface RequestSigner {
  /** Headers (including `host`) that authorize a POST of `body` to `url`. */
  headers(url: string, body: string): Promise<Record<string, string>>;
  /** After the API refused the credential: true when a new one may be tried (a renewed key, a fresh token). */
  renew(): Promise<boolean>;
}

/** AppSync's content type for GraphQL, which Amplify also signs. */
const JSON_CONTENT_TYPE = "application/json; charset=UTF-8";

/** The signer for `region`, whose API key (for `apiKey` auth) is `apiKey`. */
export function requestSigner(region: string, apiKey: string | undefined, auth: AuthOption): RequestSigner {
  switch (auth.mode) {
    case "apiKey":
      return apiKeySigner(region, apiKey, auth.renewApiKey);
    case "iam":
      return iamSigner(region, auth.credentials);
    case "token":
      return {
        headers: async (url) => ({ host: new URL(url).host, Authorization: await auth.token() }),
        renew: async () => true,
      };
  }
}

function apiKeySigner(region: string, initialKey: string | undefined, renewApiKey?: (region: string, refusedKey: string) => Promise<string | undefined>): RequestSigner {
  let apiKey = initialKey;
  return {
    headers: async (url) => {
      if (!apiKey) throw new ClientError(`The outputs give no API key for ${region}.`);
      return { host: new URL(url).host, "x-api-key": apiKey };
    },
    renew: async () => {
      if (!renewApiKey || !apiKey) return false;
      const renewed = await renewApiKey(region, apiKey).catch(() => undefined);
      if (!renewed || renewed === apiKey) return false;
      apiKey = renewed;
      return true;
    },
  };
}

/** Signs with SigV4 for AppSync, as AWS expects of an `@aws_iam` operation (and as Amplify signs the real-time handshake). */
function iamSigner(region: string, credentials: CredentialsProvider): RequestSigner {
  const signer = new SignatureV4({ service: "appsync", region, credentials, sha256: Sha256 });
  return {
    headers: async (url, body) => {
      const target = new URL(url);
      const request = new HttpRequest({
        method: "POST",
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port ? Number(target.port) : undefined,
        path: target.pathname,
        query: Object.fromEntries(target.searchParams),
        headers: { host: target.host, accept: "application/json, text/javascript", "content-type": JSON_CONTENT_TYPE },
        body,
      });
      try {
        return (await signer.sign(request)).headers as Record<string, string>;
      } catch (error) {
        throw new ClientError(
          `No AWS credentials to sign the request with (${(error as Error).message}). Set AWS_PROFILE, or ` +
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.",
        );
      }
    },
    renew: async () => false,
  };
}
