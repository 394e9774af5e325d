import { expect } from "chai";
import { createPublicKey, type JsonWebKey } from "crypto";
import * as fs from "fs";
import { createLocalJWKSet, importJWK, SignJWT } from "jose";
import * as os from "os";
import * as path from "path";
import { LocalTokenError, mintLocalToken, parseTtl } from "../../local/oidc/mintToken";
import { loadOrCreateSigningKey, readSigningKey } from "../../local/oidc/signingKey";
import { keySet, signToken, verifyToken, type TokenRules } from "../../local/oidc/tokens";

const ISSUER = "https://127.0.0.1:4000";
const NOW = new Date("2026-06-01T12:00:00Z");
const SECONDS = Math.floor(NOW.getTime() / 1000);

describe("local OIDC: signing key, token checks and minting", function () {
  let dir: string;
  let keyFile: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "globalws-oidc-"));
    keyFile = path.join(dir, "oidc-signing-key.json");
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const claims = (extra: Record<string, unknown> = {}) => ({ iss: ISSUER, sub: "alice", iat: SECONDS - 60, auth_time: SECONDS - 60, exp: SECONDS + 3600, ...extra });
  const check = async (token: string, rules: Partial<TokenRules> = {}) => verifyToken(token, keySet([loadOrCreateSigningKey(keyFile)]), { issuer: ISSUER, ...rules }, NOW);
  const problemOf = async (token: string, rules: Partial<TokenRules> = {}) => {
    const result = await check(token, rules);
    return "problem" in result ? result.problem : null;
  };
  const signed = (extra: Record<string, unknown> = {}) => signToken(loadOrCreateSigningKey(keyFile), claims(extra));

  it("keeps one RS256 key, owner-only, across loads", () => {
    const first = loadOrCreateSigningKey(keyFile);
    const second = loadOrCreateSigningKey(keyFile);
    expect(second).to.deep.equal(first);
    expect(first.publicJwk).to.include({ kty: "RSA", alg: "RS256", use: "sig", kid: first.kid });
    expect(first.publicJwk).not.to.have.property("d");
    expect(fs.statSync(keyFile).mode & 0o777).to.equal(0o600);
  });

  it("names a damaged key file and says what to do", () => {
    const bad = path.join(dir, "bad.json");
    fs.writeFileSync(bad, '{"kid": 1}');
    expect(() => readSigningKey(bad)).to.throw(`${bad} is not a local OIDC signing key: delete it`);
  });

  it("accepts a good token and gives AppSync's OIDC identity {sub, issuer, claims}", async () => {
    const token = await signed({ "cognito:groups": ["members"] });
    const result = await check(token);
    expect(result).to.have.property("identity");
    const { identity } = result as { identity: Record<string, unknown> };
    expect(identity).to.deep.include({ sub: "alice", issuer: ISSUER });
    expect(identity.claims).to.deep.include({ "cognito:groups": ["members"] });
  });

  it("refuses an expired token, a wrong issuer, a tampered payload and another key's signature", async () => {
    expect(await problemOf(await signed({ exp: SECONDS - 1 }))).to.match(/^ERR_JWT_EXPIRED/);
    expect(await problemOf(await signed({ iss: "https://elsewhere.example" }))).to.match(/^ERR_JWT_CLAIM_VALIDATION_FAILED.*iss/);
    const [header, , signature] = (await signed()).split(".");
    const forged = Buffer.from(JSON.stringify(claims({ sub: "mallory" }))).toString("base64url");
    expect(await problemOf(`${header}.${forged}.${signature}`)).to.match(/^ERR_JWS_SIGNATURE_VERIFICATION_FAILED/);
    const other = loadOrCreateSigningKey(path.join(dir, "other.json"));
    expect(await problemOf(await signToken({ ...other, kid: loadOrCreateSigningKey(keyFile).kid }, claims()))).to.match(/^ERR_JWS_SIGNATURE_VERIFICATION_FAILED/);
    expect(await problemOf("not.a.token")).to.match(/^ERR_/);
  });

  it("refuses a token without exp (jose alone would take one that never expires)", async () => {
    expect(await problemOf(await signed({ exp: undefined }))).to.match(/^ERR_JWT_CLAIM_VALIDATION_FAILED.*"exp" claim/);
  });

  it("refuses every algorithm but the issuer's RS256, even with a key set whose keys name no alg", async () => {
    const key = loadOrCreateSigningKey(keyFile);
    const { alg, ...unpinned } = key.publicJwk;
    expect(alg).to.equal("RS256");
    const keysWithoutAlg = createLocalJWKSet({ keys: [unpinned] });
    const checkWith = async (token: string) => verifyToken(token, keysWithoutAlg, { issuer: ISSUER }, NOW);
    // Another RSA algorithm, signed with the issuer's own private key: only the pin refuses it.
    const ps256 = await new SignJWT(claims()).setProtectedHeader({ alg: "PS256", kid: key.kid }).sign(await importJWK(key.privateJwk, "PS256"));
    expect(await checkWith(ps256)).to.have.property("problem").that.matches(/^ERR_JOSE_ALG_NOT_ALLOWED/);
    // HS256 keyed with the public key's text (the classic confusion), and alg "none".
    const publicPem = createPublicKey({ key: unpinned as JsonWebKey, format: "jwk" }).export({ format: "pem", type: "spki" }).toString();
    const hs256 = await new SignJWT(claims()).setProtectedHeader({ alg: "HS256", kid: key.kid }).sign(new TextEncoder().encode(publicPem));
    const none = `${Buffer.from(JSON.stringify({ alg: "none", kid: key.kid })).toString("base64url")}.${Buffer.from(JSON.stringify(claims())).toString("base64url")}.`;
    for (const token of [hs256, none]) {
      expect(await checkWith(token)).to.have.property("problem");
      expect(await check(token)).to.have.property("problem");
    }
    expect(await checkWith(await signed())).to.have.property("identity");
  });

  it("matches the client id, a regular expression as AppSync reads it, against aud or azp in full", async () => {
    expect(await problemOf(await signed({ aud: "web" }), { clientId: "web" })).to.equal(null);
    expect(await problemOf(await signed({ aud: ["api", "web"] }), { clientId: "web" })).to.equal(null);
    expect(await problemOf(await signed({ aud: "api", azp: "web" }), { clientId: "web" })).to.equal(null);
    expect(await problemOf(await signed({ aud: "mobile" }), { clientId: "web|mobile" })).to.equal(null);
    expect(await problemOf(await signed({ aud: "webby" }), { clientId: "web" })).to.match(/neither aud nor azp matches/);
    expect(await problemOf(await signed(), { clientId: "web" })).to.match(/neither aud nor azp matches/);
  });

  it("applies the auth and iat TTLs to auth_time and iat, each needing its claim", async () => {
    expect(await problemOf(await signed(), { authTtlSeconds: 60, iatTtlSeconds: 60 })).to.equal(null);
    expect(await problemOf(await signed({ auth_time: SECONDS - 61 }), { authTtlSeconds: 60 })).to.equal("auth_time is more than 60 s ago");
    expect(await problemOf(await signed({ iat: SECONDS - 61 }), { iatTtlSeconds: 60 })).to.equal("iat is more than 60 s ago");
    expect(await problemOf(await signed({ auth_time: undefined }), { authTtlSeconds: 60 })).to.equal("the token has no auth_time, which the 60 s TTL needs");
  });

  describe("mintLocalToken", () => {
    const outputs = () => ({
      regions: {},
      credentials: { accessKeyId: "AKIALOCAL", secretAccessKey: "x" },
      certificateFile: "/tmp/cert.pem",
      oidc: { issuer: ISSUER, clientId: "globalws-web", groupsClaim: "cognito:groups", signingKeyFile: keyFile },
    });

    it("mints a token the local issuer accepts, with the sub, the groups in the stack's claim, the client id as aud and the TTL", async () => {
      const token = await mintLocalToken(outputs(), { sub: "alice", groups: ["members", "admins"], ttl: "15m", now: NOW });
      const result = await check(token, { clientId: "globalws-web" });
      const { claims: minted } = (result as { identity: { claims: Record<string, unknown> } }).identity;
      expect(minted).to.deep.include({ iss: ISSUER, sub: "alice", aud: "globalws-web", iat: SECONDS, auth_time: SECONDS, exp: SECONDS + 900, "cognito:groups": ["members", "admins"] });
    });

    it("says so for a deployed stack's outputs, and for a local stack without users", async () => {
      const deployed = { regions: { "us-west-2": { graphqlUrl: "https://x.appsync-api.us-west-2.amazonaws.com/graphql" } } };
      await expectRejection(mintLocalToken(deployed, { sub: "alice" }), /for the local runtime only, and these outputs are a deployed stack's/);
      const withoutUsers: Record<string, unknown> = outputs();
      delete withoutUsers.oidc;
      await expectRejection(mintLocalToken(withoutUsers, { sub: "alice" }), /has no signed-in users: set globalws:oidc/);
    });

    it("needs an audience when the stack's clientId is a regular expression that does not match its own text", async () => {
      const withClientId = (clientId: string) => {
        const base = outputs();
        return { ...base, oidc: { ...base.oidc, clientId } };
      };
      await expectRejection(mintLocalToken(withClientId("web|mobile"), { sub: "alice" }), /^The stack's globalws:oidc.clientId "web\|mobile" is a regular expression that does not match its own text, so it cannot be the token's aud: give an audience/);
      const token = await mintLocalToken(withClientId("web|mobile"), { sub: "alice", audience: "mobile", now: NOW });
      expect(await problemOf(token, { clientId: "web|mobile" })).to.equal(null);
      // A client id that matches itself (dots included, as in Google's) stays the default aud.
      const google = "1234-abc.apps.googleusercontent.com";
      expect(await problemOf(await mintLocalToken(withClientId(google), { sub: "alice", now: NOW }), { clientId: google })).to.equal(null);
    });

    it("refuses a bad sub, group or TTL, naming the option", async () => {
      await expectRejection(mintLocalToken(outputs(), { sub: "" }), /^--sub "" is not a user/);
      await expectRejection(mintLocalToken(outputs(), { sub: "a", groups: ["ok", " "] }), /^--groups has " "/);
      await expectRejection(mintLocalToken(outputs(), { sub: "a", ttl: "soon" }), /^--ttl "soon" is not a duration/);
    });

    it("reads TTLs as seconds or with s, m, h, d", () => {
      expect([parseTtl(90), parseTtl("90"), parseTtl("90s"), parseTtl("15m"), parseTtl("1h"), parseTtl("2d")]).to.deep.equal([90, 90, 90, 900, 3600, 172800]);
      expect(() => parseTtl("0")).to.throw(LocalTokenError);
      expect(() => parseTtl("1w")).to.throw(LocalTokenError);
    });
  });
});

async function expectRejection(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  const error = await promise.then(() => null, (thrown: Error) => thrown);
  expect(error).to.be.instanceOf(LocalTokenError);
  expect((error as Error).message).to.match(pattern);
}
