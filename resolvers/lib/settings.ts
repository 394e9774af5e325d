// Replaced at bundle time by esbuild's `define` (infra/resolverBundle.ts): each region gets its own bundle.
declare const GLOBALWS_REGION: string;
declare const GLOBALWS_CHANNELS: string[];
declare const GLOBALWS_HISTORY_RETENTION_HOURS: number;

/** The region this API serves; the `origin` of what it publishes. */
export const region: string = GLOBALWS_REGION;

/** The channel allowlist (`globalws:channels`). */
export const allowedChannels: string[] = GLOBALWS_CHANNELS;

/** How long messages are kept for `history` (`globalws:historyRetentionHours`); 0 = history off. */
export const historyRetentionHours: number = GLOBALWS_HISTORY_RETENTION_HOURS;
