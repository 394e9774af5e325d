import { util, Context } from "@aws-appsync/utils";
import { fromItem, senderKeyOf, toItem } from "../lib/history";
import { EXPIRY_KEY, MESSAGE_ID_KEY, TIME_KEY } from "../lib/historyTable";
import type { Message } from "../lib/messages";

/**
 * Stores the message in this region's history replica, once per `(name, id)`: the put succeeds only
 * when no unexpired message has the key. A retry (same key and sender key) still succeeds, because
 * AppSync then compares the stored item with the attempted one, ignoring `equalsIgnore`, finds them
 * equal and returns the STORED item: the original message, with its own `publishedAt`.
 * (https://docs.aws.amazon.com/appsync/latest/devguide/js-aws-appsync-resolver-reference-dynamodb-condition-expressions.html)
 */
export function request(ctx: Context) {
  const message = ctx.stash.message as Message;
  const now = util.time.nowEpochSeconds();
  return {
    operation: "PutItem",
    ...toItem(message, now, senderKeyOf(ctx.identity as Record<string, unknown> | null)),
    condition: {
      expression: "attribute_not_exists(#id) OR #expiresAt <= :now",
      expressionNames: { "#id": MESSAGE_ID_KEY, "#expiresAt": EXPIRY_KEY },
      expressionValues: util.dynamodb.toMapValues({ ":now": now }),
      // Everything but the key and the sender key: another sender's message with this id is not a
      // retry (and a retry's data is not compared: the original is what was stored).
      equalsIgnore: [TIME_KEY, "data", "origin", "publishedAt", "sender", EXPIRY_KEY],
    },
  };
}

/** The stored message (the original on a retry) becomes the one the bus carries and the mutation returns. */
export function response(ctx: Context) {
  const message = ctx.stash.message as Message;
  if (ctx.error) {
    if (ctx.error.type === "DynamoDB:ConditionalCheckFailedException") {
      util.error(`Message id "${message.id}" is already used on channel "${message.name}" by another sender: choose another id.`, "InvalidMessageId");
    }
    util.error(ctx.error.message, ctx.error.type);
  }
  ctx.stash.message = fromItem(ctx.result);
  return ctx.stash.message;
}
