import { ClientError } from "../lib/errors";

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

/**
 * `--since`: an ISO time (`2024-05-01T12:00:00Z`), or a duration back from `nowMs` (`30s`, `10m`,
 * `2h`, `1d`, `1h30m`); returns the ISO time. A usage error (exit 2) for anything else.
 */
export function parseSince(text: string, nowMs: number): string {
  if (DURATION.test(text)) {
    let backMs = 0;
    for (const [, amount, unit] of text.matchAll(PART)) backMs += Number(amount) * UNIT_MS[unit];
    return new Date(nowMs - backMs).toISOString();
  }
  const at = Date.parse(text);
  if (/^\d{4}-\d{2}-\d{2}/.test(text) && Number.isFinite(at)) return new Date(at).toISOString();
  throw new ClientError(`--since must be an ISO time (e.g. 2024-05-01T12:00:00Z) or a duration back from now (30s, 10m, 2h, 1d, 1h30m), not "${text}".`, 2);
}
