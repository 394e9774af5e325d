import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { createHash, timingSafeEqual } from "crypto";

/** IAM credentials, as `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` hold them. */
export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** A request as it was signed: its headers (any case), path, query and body. */
export interface SignedRequest {
  readonly method: string;
  readonly path: string;
  readonly query?: Record<string, string>;
  readonly headers: Record<string, string | undefined>;
  readonly body: string;
}

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/\s]+)\/(\d{8})\/([^/\s]+)\/([^/\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;
/**
 * A signature made more than this long before or after the server's clock is refused: "a request
 * must reach AWS within five minutes of the time stamp in the request"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html).
 */
const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

function parseAmzDate(text: string | undefined): Date | null {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text ?? "");
  return match ? new Date(Date.UTC(+match[1], +match[2] - 1, +match[3], +match[4], +match[5], +match[6])) : null;
}

function lowerCaseHeaders(headers: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).flatMap(([name, value]) => (value === undefined ? [] : [[name.toLowerCase(), value]])));
}

type ParsedSignature = { date: Date; signedHeaders: string[]; signature: string } | { problem: string };

/** Everything that can be checked of a signature from the (lower-cased) headers alone. */
function parseSignature(headers: Record<string, string>, credentials: Credentials, region: string): ParsedSignature {
  const match = AUTHORIZATION.exec(headers.authorization ?? "");
  if (!match) return { problem: "the Authorization header is not a SigV4 (AWS4-HMAC-SHA256) signature" };
  const [, accessKeyId, day, signedRegion, service, signedHeaderList, signature] = match;
  if (accessKeyId !== credentials.accessKeyId) return { problem: `unknown access key ${accessKeyId}` };
  if (signedRegion !== region) return { problem: `signed for region ${signedRegion}, not ${region}` };
  if (service !== "appsync") return { problem: `signed for service ${service}, not appsync` };
  const date = parseAmzDate(headers["x-amz-date"]);
  if (!date || !headers["x-amz-date"].startsWith(day)) return { problem: "missing or inconsistent X-Amz-Date" };
  if (Math.abs(date.getTime() - Date.now()) > MAX_CLOCK_SKEW_MS) return { problem: "the signature is more than 5 minutes off the server's clock" };
  const signedHeaders = signedHeaderList.split(";");
  if (!signedHeaders.includes("host")) return { problem: "the host header is not signed" };
  const missing = signedHeaders.find((name) => headers[name] === undefined);
  if (missing) return { problem: `signed header ${missing} is missing` };
  return { date, signedHeaders, signature };
}

/**
 * Checks a SigV4 `Authorization` header before the body is read: its form, access key, region,
 * service `appsync`, date and signed headers. @returns `null` when they hold, else why not.
 */
export function sigV4HeaderProblem(headers: Record<string, string | undefined>, credentials: Credentials, region: string): string | null {
  const parsed = parseSignature(lowerCaseHeaders(headers), credentials, region);
  return "problem" in parsed ? parsed.problem : null;
}

/**
 * Verifies a SigV4 signature for service `appsync` in `region` by signing the same request again
 * with the AWS SDK's signer (same date, same signed headers) and comparing.
 * @returns `null` when valid, else why it is not.
 */
export async function verifySigV4(request: SignedRequest, credentials: Credentials, region: string): Promise<string | null> {
  const headers = lowerCaseHeaders(request.headers);
  const parsed = parseSignature(headers, credentials, region);
  if ("problem" in parsed) return parsed.problem;
  const { date, signedHeaders, signature } = parsed;
  // The signer trusts a given payload hash, so check it against the body actually received.
  const payloadHash = headers["x-amz-content-sha256"];
  if (payloadHash !== undefined && payloadHash !== createHash("sha256").update(request.body).digest("hex")) {
    return "x-amz-content-sha256 does not match the body";
  }
  const signer = new SignatureV4({ credentials, region, service: "appsync", sha256: Sha256, applyChecksum: false });
  const resigned = await signer.sign(
    new HttpRequest({
      method: request.method,
      protocol: "https:",
      hostname: headers.host.split(":")[0],
      path: request.path,
      query: request.query ?? {},
      headers: Object.fromEntries(signedHeaders.map((name) => [name, headers[name]])),
      body: request.body,
    }),
    { signingDate: date },
  );
  const expected = /Signature=([0-9a-f]{64})/.exec(String(resigned.headers.authorization ?? ""))?.[1] ?? "";
  const same = expected.length === signature.length && timingSafeEqual(Buffer.from(expected), Buffer.from(signature));
  return same ? null : "the signature does not match the request";
}
