// Replaced at bundle time by esbuild's `define` (infra/resolverBundle.ts): each region gets its own bundle.
declare const GLOBALWS_REGION: string;
declare const GLOBALWS_CHANNELS: string[];

/** The region this API serves; the `origin` of what it publishes. */
export const region: string = GLOBALWS_REGION;

/** The channel allowlist (`globalws:channels`). */
export const allowedChannels: string[] = GLOBALWS_CHANNELS;
