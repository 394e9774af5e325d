import { describeGraphqlError, type GraphqlErrorEntry } from "../../lib/errors";

/** Plain words for the errors a user of this app can run into, by AppSync error type. */
const EXPLANATIONS: Record<string, string> = {
  ChannelNotAllowed: "This channel is not on the allowlist.",
  InvalidChannelName: "This is not a valid channel name.",
  MessageTooLarge: "The message is too large.",
  UnauthorizedException: "Unauthorized: the API refused this API key (it may have expired).",
  Unauthorized: "Unauthorized: the API refused this API key (it may have expired).",
};

/** Amplify reports a refused subscription as `Connection failed: <the server's error JSON>`. */
const CONNECTION_FAILED = /^Connection failed: (\{.*\})$/s;

/** The GraphQL errors inside whatever Amplify threw or passed to a subscription's `error`. */
function graphqlErrors(error: unknown): GraphqlErrorEntry[] {
  const errors = (error as { errors?: GraphqlErrorEntry[] } | null)?.errors;
  if (!Array.isArray(errors)) return [{ message: error instanceof Error ? error.message : String(error) }];
  return errors.flatMap((entry) => {
    const inner = CONNECTION_FAILED.exec(entry.message ?? "");
    if (!inner) return [entry];
    const parsed = JSON.parse(inner[1]) as { errors?: GraphqlErrorEntry[] };
    return parsed.errors?.length ? parsed.errors : [entry];
  });
}

/** A sentence for the user: what went wrong in plain words, then the API's own message. */
export function explainApiError(error: unknown): string {
  return graphqlErrors(error)
    .map((entry) => {
      const explanation = entry.errorType ? EXPLANATIONS[entry.errorType] : undefined;
      return explanation ? `${explanation} ${entry.message}` : describeGraphqlError(entry);
    })
    .join(" ");
}
