/**
 * A data source call that failed: the resolver sees `message` and `type` as `ctx.error`, and
 * `result`, when the data source has one for a failure (a DynamoDB item whose condition failed), as `ctx.result`.
 */
export class DataSourceError extends Error {
  constructor(
    message: string,
    readonly type: string,
    readonly result: unknown = null,
  ) {
    super(message);
    this.name = "DataSourceError";
  }
}
