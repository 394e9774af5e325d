import { randomBytes } from "crypto";
import type { Credentials } from "./appsync/sigv4";

const ALPHANUMERIC = "abcdefghijklmnopqrstuvwxyz0123456789";

function randomText(length: number, alphabet: string): string {
  return [...randomBytes(length)].map((byte) => alphabet[byte % alphabet.length]).join("");
}

/** An API key shaped like AppSync's (`da2-` + 26 characters). */
export const newApiKey = () => `da2-${randomText(26, ALPHANUMERIC)}`;

/** An API id shaped like AppSync's (26 lowercase characters). */
export const newApiId = () => randomText(26, ALPHANUMERIC);

/** Fresh local IAM credentials, shaped like AWS access keys. */
export function newCredentials(): Credentials {
  return {
    accessKeyId: `AKIALOCAL${randomText(11, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")}`,
    secretAccessKey: randomBytes(30).toString("base64"),
  };
}
