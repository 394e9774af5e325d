/**
 * The rules that both the resolvers (at request time) and the Pulumi config (at deploy time)
 * enforce. Plain values only: this file must not import `@aws-appsync/utils`.
 */

/** A channel name: 1 to 64 letters, digits, `_`, `.` or `-`. */
export const CHANNEL_NAME_PATTERN = "^[A-Za-z0-9_.-]{1,64}$";

/** Said wherever a channel name is refused. */
export const CHANNEL_NAME_RULE = "1 to 64 of the characters A-Z a-z 0-9 _ . -";

/**
 * Every field of `Channel`: what a `publish` must select (AppSync sends the subscribers in its region
 * only what it selected), what `publishFromBus` selects, and what clients read.
 */
export const CHANNEL_FIELDS = ["name", "data", "id", "origin", "publishedAt", "sender"];

/**
 * AppSync's subscription payload limit, "240 kilobytes" (Service Quotas, "Subscription payload size";
 * https://docs.aws.amazon.com/general/latest/gr/appsync.html): the whole `{"data":{"subscribe":{…}}}`.
 */
export const SUBSCRIPTION_PAYLOAD_BYTES = 240 * 1024;

/**
 * What a subscription payload needs besides `data`, with every other field at its largest: the
 * envelope and keys, `name` (64), `id` (128, a client's own id), `origin` (a region name, up to 32),
 * `publishedAt` (an AWSDateTime, up to 38), `__typename` (clients such as Amplify add it) and 2 KB
 * for a `sender` (an IAM ARN or an OIDC subject), rounded up.
 */
export const PAYLOAD_RESERVED_BYTES = 4 * 1024;

/**
 * Largest `data` a message may carry, measured as it travels: its JSON text written as a JSON string
 * (AWSJSON in the subscription payload, and `detail.data` on the bus), in UTF-8 bytes. Quotes and
 * backslashes count twice. This keeps every subscription payload within AppSync's limit.
 */
export const MAX_DATA_BYTES = SUBSCRIPTION_PAYLOAD_BYTES - PAYLOAD_RESERVED_BYTES;

/** Said wherever a message id is refused. */
export const MESSAGE_ID_RULE = "1 to 128 of the characters A-Z a-z 0-9 _ . : -";

/** Messages a `history` page holds unless the caller asks for fewer. */
export const HISTORY_PAGE_DEFAULT = 50;

/** The most messages a `history` page may hold. */
export const HISTORY_PAGE_MAX = 100;

/** A message id: 1 to 128 letters, digits, `_`, `.`, `:` or `-` (a UUID, or a client's own id). */
export const MESSAGE_ID_PATTERN = "^[A-Za-z0-9_.:-]{1,128}$";

/** The `origin` of a message: the shape of an AWS region name, at most 32 characters. */
export const ORIGIN_PATTERN = "^[a-z0-9-]{1,32}$";

/** `source` of every event globalws puts on a bus. */
export const EVENT_SOURCE = "globalws";

/** `detail-type` of a published message. */
export const MESSAGE_PUBLISHED = "message.published";

/** `detail-type` of a forced unsubscribe. */
export const CHANNEL_UNSUBSCRIBED = "channel.unsubscribed";

/** True when `name` is on the allowlist: an entry ending in `*` is a prefix; an empty list allows every name. */
export function isOnAllowlist(name: string, allowlist: string[]): boolean {
  return (
    allowlist.length === 0 ||
    allowlist.some((entry) =>
      entry.endsWith("*") ? name.startsWith(entry.slice(0, -1)) : entry === name,
    )
  );
}

/**
 * What the API key may do (`globalws:apiKeyAccess`): everything (the default), only read (subscribe,
 * history, channels), or nothing at all (no key is created).
 */
export const API_KEY_ACCESS_MODES = ["publish-and-subscribe", "subscribe", "none"] as const;

/** One of `API_KEY_ACCESS_MODES`. */
export type ApiKeyAccess = (typeof API_KEY_ACCESS_MODES)[number];

/** The claim that lists a signed-in user's groups unless `globalws:oidc.groupsClaim` names another: Cognito's. */
export const DEFAULT_GROUPS_CLAIM = "cognito:groups";

/** The right a channel operation needs: `publish`, or `subscribe` (which also covers `history`). */
export type Right = "publish" | "subscribe";

/** One entry of `globalws:rights`: what the members of `group` (`*`: any signed-in user) may do, as channel patterns. */
export interface RightsEntry {
  readonly group: string;
  readonly publish?: string[];
  readonly subscribe?: string[];
}

/** The group that stands for every signed-in user. */
export const ANY_SIGNED_IN_USER = "*";

/** Stands for the token's `sub` in a channel pattern. */
export const SUB_PLACEHOLDER = "{sub}";

/**
 * True when the channel pattern matches `name` for the user `sub`: an exact name, `prefix*`, either
 * with `{sub}` replaced by `sub`. The trailing `*` is read before `sub` goes in, so a `sub` that ends
 * in `*` is no prefix; a `sub` with characters a channel name cannot hold never matches a valid
 * name; an empty `sub` matches no pattern that names it.
 */
export function matchesChannelPattern(pattern: string, name: string, sub: string): boolean {
  const isPrefix = pattern.endsWith("*");
  const body = isPrefix ? pattern.slice(0, -1) : pattern;
  const parts = body.split(SUB_PLACEHOLDER);
  if (parts.length > 1 && sub === "") return false;
  const expanded = parts.join(sub);
  return isPrefix ? name.startsWith(expanded) : name === expanded;
}

/**
 * True when some non-empty `sub` makes `pattern`, one that names `{sub}`, match `name`. That sub
 * starts where the pattern's text before its first `{sub}` ends, so each length is tried in turn.
 */
export function matchesSomeSub(pattern: string, name: string): boolean {
  if (pattern.indexOf(SUB_PLACEHOLDER) < 0) return false;
  const start = pattern.split(SUB_PLACEHOLDER)[0].length;
  return name.split("").some((_, index) => matchesChannelPattern(pattern, name, name.slice(start, start + index + 1)));
}

/**
 * True when `name` is some user's private channel: a `{sub}` pattern of `rights` (publish or
 * subscribe) matches it for some non-empty `sub`. The API key may not read such a channel.
 */
export function isPrivateChannel(rights: RightsEntry[], name: string): boolean {
  return rights.some((entry) => [...(entry.publish ?? []), ...(entry.subscribe ?? [])].some((pattern) => matchesSomeSub(pattern, name)));
}

/**
 * The groups a token lists in `claim`: a list of strings, or one string for a single group;
 * anything else lists none. (No `Array.isArray`: APPSYNC_JS documents no such function. A claim
 * comes from JSON, so an object with a `filter` function is a list.)
 */
export function groupsInClaims(claims: Record<string, unknown> | null | undefined, claim: string): string[] {
  const value = claims ? claims[claim] : undefined;
  if (typeof value === "string") return [value];
  if (typeof value !== "object" || value === null || typeof (value as unknown[]).filter !== "function") return [];
  return (value as unknown[]).filter((group): group is string => typeof group === "string");
}

/**
 * True when a user in `groups` with subject `sub` has `right` on channel `name`: the union over
 * every entry whose group is one of theirs, or `*`. Order never matters.
 */
export function hasRight(rights: RightsEntry[], groups: string[], sub: string, right: Right, name: string): boolean {
  return rights.some((entry) => {
    if (entry.group !== ANY_SIGNED_IN_USER && groups.indexOf(entry.group) < 0) return false;
    const patterns = (right === "publish" ? entry.publish : entry.subscribe) ?? [];
    return patterns.some((pattern) => matchesChannelPattern(pattern, name, sub));
  });
}

/** True when the API key, under `access`, carries `right`. */
export function apiKeyHasRight(access: ApiKeyAccess, right: Right): boolean {
  return access === "publish-and-subscribe" || (access === "subscribe" && right === "subscribe");
}

/** `util.authType()` of each auth mode globalws enables (AppSync's own strings). */
export const AUTH_TYPE = {
  API_KEY: "API Key Authorization",
  AWS_IAM: "IAM Authorization",
  OPENID_CONNECT: "Open ID Connect Authorization",
} as const;

/** `errorType` of a refused right. */
export const UNAUTHORIZED = "Unauthorized";
