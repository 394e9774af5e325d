import { util, Context } from "@aws-appsync/utils";
import { requireRight } from "./lib/access";
import { requireAllowedChannel } from "./lib/channels";
import { fromItem, retentionMs, timeKeyPrefix } from "./lib/history";
import { CHANNEL_KEY, EXPIRY_KEY, TIME_INDEX, TIME_KEY } from "./lib/historyTable";
import { toChannel } from "./lib/messages";
import { HISTORY_PAGE_DEFAULT, HISTORY_PAGE_MAX } from "./lib/rules";
import { historyRetentionHours } from "./lib/settings";
import { isGiven } from "./lib/values";

type Args = { name: string; since?: string | null; limit?: number | null; nextToken?: string | null };

/**
 * One page of the channel's stored messages at or after `since` (never before the retention
 * window), oldest first, from this region's replica through the time index. Expired items that
 * DynamoDB's TTL has not deleted yet are filtered out: TTL deletes late.
 */
export function request(ctx: Context<Args>) {
  if (historyRetentionHours === 0) {
    util.error("History is off on this API: globalws:historyRetentionHours is 0.", "HistoryDisabled");
  }
  const { name } = ctx.args;
  requireAllowedChannel(name);
  // Reading a channel's past is reading the channel: the subscribe right covers it.
  requireRight(ctx, "subscribe", name);
  const { since, nextToken } = ctx.args;
  const limit = isGiven(ctx.args.limit) ? ctx.args.limit : HISTORY_PAGE_DEFAULT;
  if (limit < 1 || limit > HISTORY_PAGE_MAX) {
    util.error(`limit is ${limit}: it must be from 1 to ${HISTORY_PAGE_MAX}.`, "BadRequest");
  }
  const nowMs = util.time.nowEpochMilliSeconds();
  const windowStart = nowMs - retentionMs;
  const requested = isGiven(since) ? util.time.parseISO8601ToEpochMilliSeconds(since) : windowStart;
  // A later page keeps its query's lower bound open: the window moves on between pages, and DynamoDB
  // refuses a start key outside the key condition. The expiry filter still hides what left the window.
  const lowerBound = isGiven(nextToken) ? 0 : Math.max(requested, windowStart);
  return {
    operation: "Query",
    index: TIME_INDEX,
    query: {
      expression: "#name = :name AND #ts >= :since",
      expressionNames: { "#name": CHANNEL_KEY, "#ts": TIME_KEY },
      expressionValues: util.dynamodb.toMapValues({ ":name": name, ":since": timeKeyPrefix(lowerBound) }),
    },
    filter: {
      expression: "#expiresAt > :now",
      expressionNames: { "#expiresAt": EXPIRY_KEY },
      expressionValues: util.dynamodb.toMapValues({ ":now": Math.floor(nowMs / 1000) }),
    },
    limit,
    nextToken,
    scanIndexForward: true,
  };
}

/** DynamoDB's answers to a `nextToken` that is not this query's: foreign, tampered, or of another channel. */
const BAD_TOKEN_ERRORS = ["DynamoDB:UserIllegalArgumentException", "DynamoDB:ValidationException"];

/** The page; a `nextToken` this query did not issue is the caller's mistake (BadRequest). */
export function response(ctx: Context<Args>) {
  if (ctx.error) {
    if (BAD_TOKEN_ERRORS.indexOf(ctx.error.type) >= 0 && isGiven(ctx.args.nextToken)) {
      util.error("nextToken is not valid here: pass the nextToken of the previous page of the same history query, unchanged.", "BadRequest");
    }
    util.error(ctx.error.message, ctx.error.type);
  }
  const page = ctx.result as { items: Record<string, unknown>[]; nextToken?: string | null };
  return { items: page.items.map((item) => toChannel(fromItem(item))), nextToken: page.nextToken ?? null };
}
