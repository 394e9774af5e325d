import type { RequestSigner } from "./auth";
import { ClientError, GraphqlError, HttpStatusError, type GraphqlErrorEntry } from "./errors";
import type { HttpSend } from "./transport";

/** How long a request may go unanswered by default. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/**
 * POSTs one GraphQL operation to `url`, authorized by `signer`, and returns its `data`.
 * @throws GraphqlError for an `errors` list (with the HTTP status), HttpStatusError for another
 *   non-200 answer, NetworkError when the API cannot be reached or does not answer in time.
 */
export async function graphqlRequest<T>(
  http: HttpSend,
  url: string,
  signer: RequestSigner,
  query: string,
  variables: Record<string, unknown> = {},
  timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS,
): Promise<T> {
  const body = JSON.stringify({ query, variables });
  const headers = { "content-type": "application/json; charset=UTF-8", ...(await signer.headers(url, body)) };
  const response = await http({ url, method: "POST", headers, body, timeoutMs });
  const origin = new URL(url).origin;
  let parsed: { data?: T | null; errors?: GraphqlErrorEntry[] };
  try {
    parsed = JSON.parse(response.body);
  } catch {
    if (response.status !== 200) throw new HttpStatusError(`${origin} answered HTTP ${response.status}: ${response.body.slice(0, 200)}`, response.status);
    throw new ClientError(`${origin} answered HTTP ${response.status} with a body that is not JSON: ${response.body.slice(0, 200)}`);
  }
  if (parsed?.errors?.length) throw new GraphqlError(parsed.errors, response.status);
  if (response.status !== 200 || parsed?.data === undefined || parsed.data === null) {
    throw new HttpStatusError(`${origin} answered HTTP ${response.status} without data.`, response.status);
  }
  return parsed.data;
}
