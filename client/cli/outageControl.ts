import { requestSigner } from "../lib/auth";
import { credentialsFor } from "../lib/credentials";
import { ClientError, GraphqlError, type GraphqlErrorEntry } from "../lib/errors";
import { nodeTransport } from "../lib/nodeTransport";
import { readTrustedCertificate, selectRegion, type ClientOutputs } from "../lib/outputs";

/** What the local runtime answers: the region is down until `until`. */
export interface OutageStarted {
  region: string;
  until: string;
}

/**
 * Takes `region` of the local runtime down for `seconds` through its outage control
 * (`POST /local/outage`, signed with IAM), sent to another region's port since the region's own
 * stops answering. The runtime brings the region back by itself.
 */
export async function requestOutage(outputs: ClientOutputs, region: string, seconds: number): Promise<OutageStarted> {
  selectRegion(outputs, region);
  const via = Object.keys(outputs.regions).find((other) => other !== region) ?? region;
  const url = new URL("/local/outage", outputs.regions[via].graphqlUrl);
  url.searchParams.set("region", region);
  url.searchParams.set("seconds", String(seconds));
  const signer = requestSigner(via, undefined, { mode: "iam", credentials: credentialsFor(outputs) });
  const headers = await signer.headers(url.toString(), "");
  const response = await nodeTransport(readTrustedCertificate(outputs)).http({ url: url.toString(), method: "POST", headers, body: "", timeoutMs: 10_000 });
  if (response.status === 404) {
    throw new ClientError(`${url.origin} has no outage control: \`outage\` rehearses an outage of the local runtime (npm start) only.`, 2);
  }
  let body: { errors?: GraphqlErrorEntry[] } & Partial<OutageStarted>;
  try {
    body = JSON.parse(response.body);
  } catch {
    throw new ClientError(`${url.origin} answered HTTP ${response.status}: ${response.body.slice(0, 200)}`);
  }
  if (body.errors?.length) throw new GraphqlError(body.errors, response.status);
  return { region, until: body.until ?? new Date(Date.now() + seconds * 1000).toISOString() };
}
