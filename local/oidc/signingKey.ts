import { generateKeyPairSync, randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { JWK } from "jose";

/** The algorithm the local issuer signs with: RS256, which every OIDC provider and client supports. */
export const SIGNING_ALGORITHM = "RS256";

/** The local issuer's signing key, as kept in the state directory. */
export interface SigningKey {
  /** The key id, in every token's header and in the JWKS. */
  readonly kid: string;
  /** The private key (JWK), for signing. */
  readonly privateJwk: JWK;
  /** The public key (JWK), as the JWKS serves it. */
  readonly publicJwk: JWK;
}

/** The file in the state directory that holds the signing key. */
export const SIGNING_KEY_FILE = "oidc-signing-key.json";

function publicPart(jwk: JWK, kid: string): JWK {
  return { kty: jwk.kty, n: jwk.n, e: jwk.e, kid, alg: SIGNING_ALGORITHM, use: "sig" };
}

/**
 * Reads the signing key kept in `file`. @throws Error naming the file when it is missing or not a
 * key this module wrote.
 */
export function readSigningKey(file: string): SigningKey {
  let stored: { kid?: unknown; privateJwk?: JWK };
  try {
    stored = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    throw new Error(`Cannot read the local OIDC signing key ${file} (${(error as Error).message}): start the local runtime (npm start) to make it, or delete a damaged file to get a new one`);
  }
  const jwk = stored?.privateJwk;
  if (typeof stored?.kid !== "string" || jwk?.kty !== "RSA" || typeof jwk.d !== "string" || typeof jwk.n !== "string") {
    throw new Error(`${file} is not a local OIDC signing key: delete it to get a new one (tokens signed with the old key are then refused)`);
  }
  return { kid: stored.kid, privateJwk: jwk, publicJwk: publicPart(jwk, stored.kid) };
}

/**
 * The signing key kept in `file`, made on first use (RSA 2048) and saved readable by the owner
 * only, so that tokens minted before a restart stay valid after it.
 */
export function loadOrCreateSigningKey(file: string): SigningKey {
  if (fs.existsSync(file)) return readSigningKey(file);
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const privateJwk = privateKey.export({ format: "jwk" }) as JWK;
  const kid = randomBytes(8).toString("hex");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(partial, `${JSON.stringify({ kid, privateJwk }, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(partial, file);
  return { kid, privateJwk, publicJwk: publicPart(privateJwk, kid) };
}
