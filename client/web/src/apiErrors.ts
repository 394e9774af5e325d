import { describeGraphqlError, GraphqlError, isCredentialRefused, NetworkError } from "../../lib/errors";

/** Plain words for the errors a user of this app can run into, by AppSync error type. */
const EXPLANATIONS: Record<string, string> = {
  ChannelNotAllowed: "This channel is not on the allowlist.",
  InvalidChannelName: "This is not a valid channel name.",
  MessageTooLarge: "The message is too large.",
  UnauthorizedException: "Not allowed: the API refused this operation.",
  Unauthorized: "Not allowed: you (or, signed out, the API key) have no right to do this on this channel.",
};

/** The refusals that hold for a channel whatever the page does: only another channel, or another sign-in, helps. */
const CHANNEL_REFUSALS = ["ChannelNotAllowed", "InvalidChannelName", "Unauthorized"];

/** What the page says when the API refuses its API key and the server has no other. */
const KEY_REFUSED =
  "The API refused this page's API key, and the server has no newer one (the key may have expired or been " +
  "replaced). Restart `npm start` or `globalws web` with the stack's current outputs, then reload this page.";

/** True when the API refuses the channel itself (not on the allowlist, not a valid name). */
export function isChannelRefused(error: unknown): boolean {
  return error instanceof GraphqlError && error.errors.some((entry) => CHANNEL_REFUSALS.includes(entry.errorType ?? ""));
}

/** What the page says when the API refuses the signed-in user's token. */
const TOKEN_REFUSED = "The API refused your sign-in token (it may have expired, or come from another issuer): sign out and sign in with a fresh one.";

/** A sentence for the user: what went wrong in plain words, then the API's own message. */
export function explainApiError(error: unknown, signedIn = false): string {
  if (isCredentialRefused(error)) return signedIn ? TOKEN_REFUSED : KEY_REFUSED;
  if (!(error instanceof GraphqlError)) return error instanceof Error ? error.message : String(error);
  return error.errors
    .map((entry) => {
      const explanation = entry.errorType ? EXPLANATIONS[entry.errorType] : undefined;
      return explanation ? `${explanation} ${entry.message}` : describeGraphqlError(entry);
    })
    .join(" ");
}

/** The API could not be reached: name it, and the usual cause locally (its certificate not yet accepted). */
export function unreachableHint(error: unknown, graphqlUrl: string): string {
  if (!(error instanceof NetworkError)) return explainApiError(error);
  const origin = new URL(graphqlUrl).origin;
  return `Cannot reach the API at ${origin}. If it serves a self-signed certificate (the local runtime), open ${origin} in this browser once and accept the certificate, then reload.`;
}
