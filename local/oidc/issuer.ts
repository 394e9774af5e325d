import type { JWTVerifyGetKey } from "jose";
import { keySet, verifyToken, type TokenCheck, type TokenRules } from "./tokens";
import { SIGNING_ALGORITHM, type SigningKey } from "./signingKey";

/** Checks an OIDC token for an API. */
export interface TokenVerifier {
  verify(token: string): Promise<TokenCheck>;
}

/** Where the issuer serves its OpenID Connect discovery document (OpenID Connect Discovery 1.0, section 4). */
export const DISCOVERY_PATH = "/.well-known/openid-configuration";
/** Where it serves its public keys. */
export const JWKS_PATH = "/.well-known/jwks.json";

/** What the local outputs say of the local issuer, for `globalws token` and for clients. */
export interface LocalIssuerOutputs {
  /** The issuer URL: every token's `iss`. */
  readonly issuer: string;
  /** The `aud` tokens need, when the stack sets `globalws:oidc.clientId`. */
  readonly clientId?: string;
  /** The claim that lists a user's groups. */
  readonly groupsClaim: string;
  /** The private key file tokens are signed with (owner-only). */
  readonly signingKeyFile: string;
}

/**
 * The local runtime's OIDC issuer, in place of the stack's own: on the first region's port it
 * serves a discovery document and its JWKS, and it verifies tokens for every region's API as
 * AppSync verifies OIDC tokens. It signs no token over HTTP: `mintLocalToken` signs with its key file.
 */
export class LocalIssuer implements TokenVerifier {
  private origin: string | null = null;
  private readonly keys: JWTVerifyGetKey;

  constructor(
    private readonly key: SigningKey,
    private readonly keyFile: string,
    private readonly rules: Omit<TokenRules, "issuer"> & { readonly groupsClaim: string },
  ) {
    this.keys = keySet([key]);
  }

  /** Sets where the issuer is served (the first region's https origin), once it listens. */
  serveAt(origin: string): void {
    this.origin = origin;
  }

  /** The issuer URL, every token's `iss`. */
  get url(): string {
    if (!this.origin) throw new Error("The local OIDC issuer has no address yet: its port is not listening");
    return this.origin;
  }

  async verify(token: string): Promise<TokenCheck> {
    if (!this.origin) return { problem: "the local issuer is not serving yet" };
    return verifyToken(token, this.keys, { ...this.rules, issuer: this.origin });
  }

  /** The GET routes the first region serves for it, without authentication. */
  routes(): Record<string, () => unknown> {
    return {
      [DISCOVERY_PATH]: () => ({
        issuer: this.url,
        jwks_uri: `${this.url}${JWKS_PATH}`,
        response_types_supported: ["id_token"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: [SIGNING_ALGORITHM],
        claims_supported: ["iss", "sub", "aud", "exp", "iat", "auth_time", this.rules.groupsClaim],
      }),
      [JWKS_PATH]: () => ({ keys: [this.key.publicJwk] }),
    };
  }

  /** What the outputs file says of it. */
  outputs(): LocalIssuerOutputs {
    return {
      issuer: this.url,
      ...(this.rules.clientId !== undefined ? { clientId: this.rules.clientId } : {}),
      groupsClaim: this.rules.groupsClaim,
      signingKeyFile: this.keyFile,
    };
  }
}
