import { util, Context } from "@aws-appsync/utils";
import { apiKeyHasRight, AUTH_TYPE, groupsInClaims, hasRight, isPrivateChannel, Right, UNAUTHORIZED } from "./rules";
import { apiKeyAccess, groupsClaim, rights } from "./settings";

type OidcIdentity = { sub?: string; claims?: Record<string, unknown> };
type IamIdentity = { userArn?: string };

/**
 * Fails the request with `Unauthorized` unless the caller has `right` on channel `name`: IAM always;
 * the API key as `globalws:apiKeyAccess` says (AppSync's schema directives already keep it off the
 * fields it may not call: this repeats the rule where it matters), but never `subscribe` to a
 * user's private channel (one a `{sub}` pattern of `globalws:rights` can name); a signed-in user
 * when a group of theirs, or `*`, grants it in `globalws:rights`.
 */
export function requireRight(ctx: Context, right: Right, name: string): void {
  const authType = util.authType();
  if (authType === AUTH_TYPE.AWS_IAM) return;
  if (authType === AUTH_TYPE.API_KEY) {
    if (!apiKeyHasRight(apiKeyAccess, right)) {
      util.error(`Not allowed to ${right} to channel "${name}" with the API key: globalws:apiKeyAccess is "${apiKeyAccess}".`, UNAUTHORIZED);
    }
    if (right === "subscribe" && isPrivateChannel(rights, name)) {
      util.error(`Not allowed to subscribe to channel "${name}" with the API key: a {sub} pattern of globalws:rights makes it a user's private channel.`, UNAUTHORIZED);
    }
    return;
  }
  const identity = (ctx.identity ?? {}) as OidcIdentity;
  const groups = authType === AUTH_TYPE.OPENID_CONNECT ? groupsInClaims(identity.claims, groupsClaim) : [];
  if (authType !== AUTH_TYPE.OPENID_CONNECT || !hasRight(rights, groups, identity.sub ?? "", right, name)) {
    util.error(`Not allowed to ${right} to channel "${name}": no group in your token grants it in globalws:rights.`, UNAUTHORIZED);
  }
}

/** What every IAM caller's `sender` starts with. */
const IAM_SENDER_PREFIX = "iam:";

/**
 * Who is publishing, as the server knows it (never from the arguments): the token's `sub` for a
 * signed-in user, `iam:<userArn>` for IAM, nothing for the API key. Fails the request with
 * `Unauthorized` for a token without a `sub`, or whose `sub` starts with `iam:`, which subscribers
 * could not tell from an IAM caller.
 */
export function senderOf(ctx: Context): string | undefined {
  const authType = util.authType();
  if (authType === AUTH_TYPE.OPENID_CONNECT) {
    const sub = ((ctx.identity ?? {}) as OidcIdentity).sub;
    if (typeof sub !== "string" || sub === "" || sub.indexOf(IAM_SENDER_PREFIX) === 0) {
      util.error(`Not allowed to publish with this token: its sub must be present and must not start with "${IAM_SENDER_PREFIX}", the sender of IAM callers.`, UNAUTHORIZED);
    }
    return sub;
  }
  if (authType === AUTH_TYPE.AWS_IAM) {
    const userArn = ((ctx.identity ?? {}) as IamIdentity).userArn;
    return userArn ? `${IAM_SENDER_PREFIX}${userArn}` : undefined;
  }
  return undefined;
}
