import { describeGraphqlError, type GraphqlErrorEntry } from "../../lib/errors";

/** Plain words for the errors a user of this app can run into, by AppSync error type. */
const EXPLANATIONS: Record<string, string> = {
  ChannelNotAllowed: "This channel is not on the allowlist.",
  InvalidChannelName: "This is not a valid channel name.",
  MessageTooLarge: "The message is too large.",
  UnauthorizedException: "Not allowed: the API refused this operation.",
  Unauthorized: "Not allowed: the API refused this operation.",
};

/** The refusals that hold for a channel name whatever the page does: only another channel helps. */
const CHANNEL_REFUSALS = ["ChannelNotAllowed", "InvalidChannelName"];

/** What the page says when the API refuses its API key and the server has no other. */
const KEY_REFUSED =
  "The API refused this page's API key, and the server has no newer one (the key may have expired or been " +
  "replaced). Restart `npm start` or `globalws web` with the stack's current outputs, then reload this page.";

/** Amplify reports a refused subscription as `Connection failed: <the server's error JSON>`. */
const CONNECTION_FAILED = /^Connection failed: (\{.*\})$/s;

/** An entry as Amplify builds it: an HTTP failure keeps the response it came from. */
interface AmplifyErrorEntry extends GraphqlErrorEntry {
  originalError?: { $metadata?: { httpStatusCode?: number }; response?: { statusCode?: number } };
}

/** The GraphQL errors inside whatever Amplify threw or passed to a subscription's `error`. */
function graphqlErrors(error: unknown): AmplifyErrorEntry[] {
  const errors = (error as { errors?: AmplifyErrorEntry[] } | null)?.errors;
  if (!Array.isArray(errors)) return [{ message: error instanceof Error ? error.message : String(error) }];
  return errors.flatMap((entry) => {
    const inner = CONNECTION_FAILED.exec(entry.message ?? "");
    if (!inner) return [entry];
    const parsed = JSON.parse(inner[1]) as { errors?: GraphqlErrorEntry[] };
    return parsed.errors?.length ? parsed.errors : [entry];
  });
}

/**
 * True when the API refused the API key itself, however Amplify reports it: an HTTP 401 on a query
 * or mutation (Amplify keeps only the status), or a refused real-time handshake (Amplify keeps only
 * the error type). A refusal of one field ("Not Authorized to access …") is not one.
 */
export function isKeyRefused(error: unknown): boolean {
  return graphqlErrors(error).some(
    (entry) =>
      entry.originalError?.$metadata?.httpStatusCode === 401 ||
      entry.originalError?.response?.statusCode === 401 ||
      entry.message === "Connection failed: UnauthorizedException",
  );
}

/** True when the API refuses the channel itself (not on the allowlist, not a valid name). */
export function isChannelRefused(error: unknown): boolean {
  return graphqlErrors(error).some((entry) => CHANNEL_REFUSALS.includes(entry.errorType ?? ""));
}

/** A sentence for the user: what went wrong in plain words, then the API's own message. */
export function explainApiError(error: unknown): string {
  if (isKeyRefused(error)) return KEY_REFUSED;
  return graphqlErrors(error)
    .map((entry) => {
      const explanation = entry.errorType ? EXPLANATIONS[entry.errorType] : undefined;
      return explanation ? `${explanation} ${entry.message}` : describeGraphqlError(entry);
    })
    .join(" ");
}
