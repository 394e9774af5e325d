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

/**
 * The error types of DynamoDB refusing a `nextToken`: AppSync's own for a token it did not issue, and
 * DynamoDB's ValidationException for a start key outside the query (another channel's token), which
 * AppSync reports under the AWS SDK's generic type with the code in the message
 * (https://github.com/dabit3/react-appsync-graphql-recipe-app/issues/5).
 */
const REFUSED_TOKEN_ERRORS = [
  "DynamoDB:UserIllegalArgumentException",
  "DynamoDB:ValidationException",
  "DynamoDB:AmazonDynamoDBException",
  "DynamoDB:DynamoDbException",
];

function refusesToken(error: { type: string; message: string }): boolean {
  return REFUSED_TOKEN_ERRORS.indexOf(error.type) >= 0 || error.message.indexOf("ValidationException") >= 0;
}

/** The page; a `nextToken` DynamoDB refuses is the caller's mistake (BadRequest); other failures pass through. */
export function response(ctx: Context<Args>) {
  if (ctx.error) {
    if (isGiven(ctx.args.nextToken) && refusesToken(ctx.error)) {
      util.error("nextToken is not valid here: pass the nextToken of the previous page of the same history query, unchanged.", "BadRequest");
    }
    util.error(ctx.error.message, ctx.error.type);
  }
  const page = ctx.result as { items: Record<string, unknown>[]; nextToken?: string | null };
  return { items: page.items.map((item) => toChannel(fromItem(item))), nextToken: page.nextToken ?? null };
}
