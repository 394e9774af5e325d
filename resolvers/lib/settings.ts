import type { ApiKeyAccess, RightsEntry } from "./rules";

// Replaced at bundle time by esbuild's `define` (infra/resolverBundle.ts): each region gets its own bundle.
declare const GLOBALWS_REGION: string;
declare const GLOBALWS_CHANNELS: string[];
declare const GLOBALWS_HISTORY_RETENTION_HOURS: number;
declare const GLOBALWS_RIGHTS: RightsEntry[];
declare const GLOBALWS_GROUPS_CLAIM: string;
declare const GLOBALWS_API_KEY_ACCESS: ApiKeyAccess;

/** The region this API serves; the `origin` of what it publishes. */
export const region: string = GLOBALWS_REGION;

/** The channel allowlist (`globalws:channels`). */
export const allowedChannels: string[] = GLOBALWS_CHANNELS;

/** How long messages are kept for `history` (`globalws:historyRetentionHours`); 0 = history off. */
export const historyRetentionHours: number = GLOBALWS_HISTORY_RETENTION_HOURS;

/** What each group of signed-in users may do (`globalws:rights`). */
export const rights: RightsEntry[] = GLOBALWS_RIGHTS;

/** The token claim that lists a user's groups (`globalws:oidc.groupsClaim`). */
export const groupsClaim: string = GLOBALWS_GROUPS_CLAIM;

/** What the API key may do (`globalws:apiKeyAccess`). */
export const apiKeyAccess: ApiKeyAccess = GLOBALWS_API_KEY_ACCESS;
