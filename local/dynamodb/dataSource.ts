import {
  ConditionalCheckFailedException,
  DynamoDBServiceException,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type AttributeValue,
} from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { isDeepStrictEqual } from "util";
import { DataSourceError } from "../appsync/dataSourceError";
import type { PaginationTokens } from "./paginationToken";
import type { Replica } from "./replica";

type AttributeMap = Record<string, AttributeValue>;

/** An expression with its placeholders, as AppSync's DynamoDB requests carry them. */
interface Expression {
  expression?: string;
  expressionNames?: Record<string, string>;
  expressionValues?: Record<string, unknown>;
}

interface PutItemRequest {
  operation: "PutItem";
  key: Record<string, unknown>;
  attributeValues?: Record<string, unknown>;
  condition?: Expression & { equalsIgnore?: string[]; consistentRead?: boolean };
}

interface GetItemRequest {
  operation: "GetItem";
  key: Record<string, unknown>;
  consistentRead?: boolean;
}

interface QueryRequest {
  operation: "Query";
  query: Expression;
  index?: string;
  nextToken?: string | null;
  limit?: number;
  scanIndexForward?: boolean;
  consistentRead?: boolean;
  select?: "ALL_ATTRIBUTES" | "ALL_PROJECTED_ATTRIBUTES" | "SPECIFIC_ATTRIBUTES";
  filter?: Expression | null;
}

/** What the history data source of one region talks to. */
export interface DynamoDbDataSourceOptions {
  /** The region's replica; a `nextToken` is valid in this region only. */
  readonly replica: Replica;
  readonly tokens: PaginationTokens;
  /** Called with every item a PutItem wrote (for the global table's replication). */
  readonly onWrite: (item: AttributeMap) => void;
}

/**
 * AppSync's DynamoDB data source for APPSYNC_JS, over one local replica: the request objects of
 * AppSync's JavaScript resolver reference for DynamoDB (PutItem with `condition` and `equalsIgnore`,
 * GetItem, Query with `filter`, `limit`, `nextToken`, `index`, `scanIndexForward`), results converted to
 * JSON values, failures as `DynamoDB:<exception>` errors (`DynamoDB:AmazonDynamoDBException` for one the SDK does not model). `caller` names the resolver or function, to
 * which a `nextToken` is bound. (https://docs.aws.amazon.com/appsync/latest/devguide/js-resolver-reference-dynamodb.html)
 */
export function dynamoDbDataSource(options: DynamoDbDataSourceOptions) {
  return async (request: unknown, caller: string): Promise<unknown> => {
    const operation = (request as { operation?: unknown } | null)?.operation;
    try {
      switch (operation) {
        case "PutItem":
          return await putItem(options, request as PutItemRequest);
        case "GetItem":
          return await getItem(options.replica, request as GetItemRequest);
        case "Query":
          return await query(options, request as QueryRequest, caller);
        default:
          throw new DataSourceError(`Unsupported DynamoDB operation ${JSON.stringify(operation)}: this runtime serves PutItem, GetItem and Query.`, "DynamoDB:UnsupportedOperation");
      }
    } catch (error) {
      if (error instanceof DataSourceError) throw error;
      if (error instanceof DynamoDBServiceException) throw asAppSyncError(error);
      // The replica cannot be reached (its store failed, or the runtime is stopping).
      throw new DataSourceError(`The history replica is unavailable: ${(error as Error).message}`, "DynamoDB:InternalServerError");
    }
  };
}

/**
 * A DynamoDB exception as AppSync reports it: a modelled one (a subclass in the SDK) under its own
 * name; any other (ValidationException, SerializationException, …) under the SDK's generic type,
 * with its code only in the message.
 */
function asAppSyncError(error: DynamoDBServiceException): DataSourceError {
  const message = sdkMessage(error.message, error.name, error.$metadata.httpStatusCode);
  const modelled = Object.getPrototypeOf(error) !== DynamoDBServiceException.prototype;
  // Reported for a ValidationException (https://github.com/dabit3/react-appsync-graphql-recipe-app/issues/5).
  return new DataSourceError(message, modelled ? `DynamoDB:${error.name}` : "DynamoDB:AmazonDynamoDBException");
}

/** A DynamoDB error message in the format of the AWS SDK AppSync uses. */
function sdkMessage(message: string, code: string, status = 400): string {
  return `${message} (Service: AmazonDynamoDBv2; Status Code: ${status}; Error Code: ${code})`;
}

async function putItem({ replica, onWrite }: DynamoDbDataSourceOptions, request: PutItemRequest): Promise<unknown> {
  const item = { ...toWire(request.attributeValues ?? {}), ...toWire(request.key) };
  const { condition } = request;
  try {
    await replica.send(
      new PutItemCommand({
        TableName: replica.tableName,
        Item: item,
        ...(condition?.expression ? expressionInput(condition, "ConditionExpression") : {}),
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    // AppSync reads the item and treats the put as a success when the stored item equals the one it
    // tried to write, ignoring `equalsIgnore`; it then returns the STORED item. Otherwise the error
    // comes with the stored item as the result. (Condition expressions, JS resolver reference:
    // https://docs.aws.amazon.com/appsync/latest/devguide/js-aws-appsync-resolver-reference-dynamodb-condition-expressions.html)
    const current = await readItem(replica, toWire(request.key), condition?.consistentRead ?? true);
    if (current && sameIgnoring(current, item, condition?.equalsIgnore ?? [])) return unmarshall(current);
    throw new DataSourceError(
      sdkMessage("The conditional request failed", "ConditionalCheckFailedException"),
      "DynamoDB:ConditionalCheckFailedException",
      current ? unmarshall(current) : null,
    );
  }
  onWrite(item);
  return unmarshall(item);
}

async function getItem(replica: Replica, request: GetItemRequest): Promise<unknown> {
  const item = await readItem(replica, toWire(request.key), request.consistentRead ?? false);
  return item ? unmarshall(item) : null;
}

async function readItem(replica: Replica, key: AttributeMap, consistentRead: boolean): Promise<AttributeMap | undefined> {
  const { Item } = await replica.send(new GetItemCommand({ TableName: replica.tableName, Key: key, ConsistentRead: consistentRead }));
  return Item;
}

async function query({ replica, tokens }: DynamoDbDataSourceOptions, request: QueryRequest, caller: string): Promise<unknown> {
  let exclusiveStartKey: AttributeMap | undefined;
  if (request.nextToken) {
    const decoded = tokens.decode(request.nextToken, `${replica.region}/${caller}`);
    if (!decoded) {
      // What AppSync answers for a token it did not issue to this resolver (seen in AWS's own issue trackers).
      throw new DataSourceError(
        "com.amazonaws.deepdish.common.pagination.InvalidPaginationTokenException: Invalid pagination token given.",
        "DynamoDB:UserIllegalArgumentException",
      );
    }
    exclusiveStartKey = decoded as AttributeMap;
  }
  const keyCondition = expressionInput(request.query, "KeyConditionExpression");
  const filter = expressionInput(request.filter ?? {}, "FilterExpression");
  const output = await replica.send(
    new QueryCommand({
      TableName: replica.tableName,
      IndexName: request.index,
      KeyConditionExpression: keyCondition.KeyConditionExpression,
      FilterExpression: filter.FilterExpression,
      ExpressionAttributeNames: merge(keyCondition.ExpressionAttributeNames, filter.ExpressionAttributeNames),
      ExpressionAttributeValues: merge(keyCondition.ExpressionAttributeValues, filter.ExpressionAttributeValues),
      Limit: request.limit,
      ExclusiveStartKey: exclusiveStartKey,
      ScanIndexForward: request.scanIndexForward ?? true,
      ConsistentRead: request.consistentRead ?? false,
      Select: request.select,
    }),
  );
  return {
    items: (output.Items ?? []).map((item) => unmarshall(item)),
    nextToken: output.LastEvaluatedKey ? tokens.encode(output.LastEvaluatedKey, `${replica.region}/${caller}`) : null,
    scannedCount: output.ScannedCount ?? 0,
  };
}

/** An AppSync expression as the DynamoDB API's `<name>` plus attribute names and values. */
function expressionInput<K extends string>(expression: Expression, name: K) {
  return {
    [name]: expression.expression,
    ExpressionAttributeNames: expression.expressionNames,
    ExpressionAttributeValues: expression.expressionValues ? toWire(expression.expressionValues) : undefined,
  } as { [P in K]: string | undefined } & { ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: AttributeMap };
}

function merge<T>(a: Record<string, T> | undefined, b: Record<string, T> | undefined): Record<string, T> | undefined {
  return a || b ? { ...a, ...b } : undefined;
}

/** Stored and attempted items are equal apart from the attributes named in `ignored`. */
function sameIgnoring(stored: AttributeMap, attempted: AttributeMap, ignored: readonly string[]): boolean {
  const without = (item: AttributeMap) => Object.fromEntries(Object.entries(item).filter(([name]) => !ignored.includes(name)));
  return isDeepStrictEqual(without(stored), without(attempted));
}

/**
 * AppSync's typed values as the DynamoDB API takes them: `util.dynamodb` writes numbers as JSON
 * numbers (`{N: 12}`), the wire format as strings (`{N: "12"}`).
 */
function toWire(values: Record<string, unknown>): AttributeMap {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, wireValue(value)]));
}

function wireValue(value: unknown): AttributeValue {
  const typed = value as Record<string, unknown>;
  if (typeof typed !== "object" || typed === null) throw new DataSourceError(`${JSON.stringify(value)} is not a DynamoDB typed value (e.g. {"S": "text"})`, "DynamoDB:ValidationException");
  if ("N" in typed) return { N: String(typed.N) };
  if ("NS" in typed) return { NS: (typed.NS as unknown[]).map(String) };
  if ("L" in typed) return { L: (typed.L as unknown[]).map(wireValue) };
  if ("M" in typed) return { M: toWire(typed.M as Record<string, unknown>) };
  return typed as unknown as AttributeValue;
}
