const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
/** AppSync's longest API key lifetime. */
const MAX_DAYS = 365;
/**
 * Time allowed between this computation and AppSync creating the key: AppSync measures the
 * lifetime from creation and refuses one under a day, so `days: 1` with no margin would fail.
 */
const CREATION_MARGIN_MS = HOUR_MS;

/**
 * When a new API key should expire: `days` after `nowMs` plus a margin for the deploy to reach the
 * key, rounded up to a whole hour (AppSync rounds down to the hour); never past AppSync's 365-day
 * ceiling, which is rounded down instead. Returned as RFC 3339 without milliseconds, as the provider expects.
 */
export function apiKeyExpiry(nowMs: number, days: number): string {
  const roundedUp = Math.ceil((nowMs + days * DAY_MS + CREATION_MARGIN_MS) / HOUR_MS) * HOUR_MS;
  const ceiling = Math.floor((nowMs + MAX_DAYS * DAY_MS) / HOUR_MS) * HOUR_MS;
  return new Date(Math.min(roundedUp, ceiling)).toISOString().replace(/\.\d{3}Z$/, "Z");
}
