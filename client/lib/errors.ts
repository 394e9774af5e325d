/** A failure the user can act on; the command line prints its message and exits with `exitCode`. */
export class ClientError extends Error {
  /** `exitCode` 2 means the command was used wrongly; 1 means it failed. */
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "ClientError";
  }
}

/** One entry of a GraphQL `errors` list, with AppSync's `errorType`. */
export interface GraphqlErrorEntry {
  message: string;
  errorType?: string;
}

/** The API refused an operation; the message names AppSync's error type (e.g. `ChannelNotAllowed`). */
export class GraphqlError extends ClientError {
  constructor(readonly errors: GraphqlErrorEntry[]) {
    super(errors.map(describeGraphqlError).join("; "));
    this.name = "GraphqlError";
  }

  /** The first error's type, e.g. `UnauthorizedException`. */
  get errorType(): string | undefined {
    return this.errors[0]?.errorType;
  }
}

/** `ErrorType: message`, or just the message when the API gave no type. */
export function describeGraphqlError(error: GraphqlErrorEntry): string {
  return error.errorType ? `${error.errorType}: ${error.message}` : error.message;
}
