const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
/** AppSync's longest API key lifetime. */
const MAX_DAYS = 365;

/**
 * When a new API key should expire: `days` after `nowMs`, on a whole hour (AppSync rounds down
 * to the hour). Rounded up so a 1-day key still lasts a full day, except at the 365-day ceiling.
 * Returned as RFC 3339 without milliseconds, as the provider expects.
 */
export function apiKeyExpiry(nowMs: number, days: number): string {
  const roundedUp = Math.ceil((nowMs + days * DAY_MS) / HOUR_MS) * HOUR_MS;
  const ceiling = Math.floor((nowMs + MAX_DAYS * DAY_MS) / HOUR_MS) * HOUR_MS;
  return new Date(Math.min(roundedUp, ceiling)).toISOString().replace(/\.\d{3}Z$/, "Z");
}
