/**
 * `util.dynamodb` of APPSYNC_JS: plain values to DynamoDB's typed values, as AppSync writes them
 * (numbers as JSON numbers, lists as `L` rather than sets, objects as `M`).
 * (https://docs.aws.amazon.com/appsync/latest/devguide/dynamodb-helpers-in-util-dynamodb-js.html)
 */
export type TypedValue = Record<string, unknown>;

function toDynamoDB(value: unknown): TypedValue {
  if (value === null || value === undefined) return { NULL: null };
  if (typeof value === "string") return { S: value };
  if (typeof value === "number") return { N: value };
  if (typeof value === "boolean") return { BOOL: value };
  if (Array.isArray(value)) return { L: value.map(toDynamoDB) };
  if (typeof value === "object") return { M: toMapValues(value as Record<string, unknown>) };
  throw new Error(`util.dynamodb.toDynamoDB cannot convert a ${typeof value}`);
}

function toMapValues(object: Record<string, unknown>): Record<string, TypedValue> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined).map(([name, value]) => [name, toDynamoDB(value)]));
}

export const dynamodbUtils = {
  toDynamoDB,
  toMapValues,
  toMap: (object: Record<string, unknown>) => ({ M: toMapValues(object) }),
  toString: (value: string) => ({ S: value }),
  toStringSet: (values: string[]) => ({ SS: values }),
  toNumber: (value: number) => ({ N: value }),
  toNumberSet: (values: number[]) => ({ NS: values }),
  toBoolean: (value: boolean) => ({ BOOL: value }),
  toNull: () => ({ NULL: null }),
  toList: (values: unknown[]) => ({ L: values.map(toDynamoDB) }),
};
