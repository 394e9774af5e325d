import { createCipheriv, createDecipheriv, randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";

/**
 * AppSync's `nextToken`: DynamoDB's `LastEvaluatedKey`, encrypted, so a client can neither read
 * nor forge it, and bound to the resolver that issued it ("these pagination tokens cannot be used
 * across different functions or resolvers", AppSync's Query reference:
 * https://docs.aws.amazon.com/appsync/latest/devguide/js-aws-appsync-resolver-reference-dynamodb-query.html).
 */
export class PaginationTokens {
  /** @param key 32 bytes; tokens survive a restart of the runtime only with the same key. */
  constructor(private readonly key: Buffer = randomBytes(32)) {}

  /** Tokens sealed with the key kept in `dir` (made at first use, owner-only), so they outlive a restart. */
  static inDirectory(dir: string): PaginationTokens {
    const file = path.join(dir, "pagination.key");
    if (!fs.existsSync(file)) {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(file, randomBytes(32), { mode: 0o600 });
    }
    return new PaginationTokens(fs.readFileSync(file));
  }

  /** The token for `lastEvaluatedKey`, valid only for `issuer` (e.g. `us-west-2/Query.history`). */
  encode(lastEvaluatedKey: Record<string, unknown>, issuer: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    cipher.setAAD(Buffer.from(issuer));
    const sealed = Buffer.concat([cipher.update(JSON.stringify(lastEvaluatedKey), "utf8"), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString("base64url");
  }

  /** The key a token holds, or `null` when it is malformed, forged or issued by another resolver. */
  decode(token: string, issuer: string): Record<string, unknown> | null {
    const bytes = Buffer.from(token, "base64url");
    if (bytes.length < 29) return null;
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.key, bytes.subarray(0, 12));
      decipher.setAAD(Buffer.from(issuer));
      decipher.setAuthTag(bytes.subarray(12, 28));
      const text = Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString("utf8");
      const value: unknown = JSON.parse(text);
      return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  }
}
