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
  /** The HTTP-like status a real-time `connection_error` carries (401 for a refused credential). */
  errorCode?: number;
}

/** The API refused an operation; the message names AppSync's error type (e.g. `ChannelNotAllowed`). */
export class GraphqlError extends ClientError {
  /** `status`: the HTTP status of the response, or the `errorCode` of a real-time handshake refusal. */
  constructor(
    readonly errors: GraphqlErrorEntry[],
    readonly status?: number,
  ) {
    super(errors.map(describeGraphqlError).join("; "));
    this.name = "GraphqlError";
  }

  /** The first error's type, e.g. `UnauthorizedException`. */
  get errorType(): string | undefined {
    return this.errors[0]?.errorType;
  }
}

/** Why the server could not be reached, or stopped answering. */
export type NetworkFailure = "unreachable" | "timeout" | "closed" | "keepAlive";

/** The server could not be reached or stopped answering: always worth another try. */
export class NetworkError extends ClientError {
  constructor(
    message: string,
    readonly reason: NetworkFailure,
  ) {
    super(message);
    this.name = "NetworkError";
  }
}

/** The server answered an HTTP error without a GraphQL error list (e.g. a 503 from a proxy). */
export class HttpStatusError extends ClientError {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "HttpStatusError";
  }
}

/** `ErrorType: message`, or just the message when the API gave no type. */
export function describeGraphqlError(error: GraphqlErrorEntry): string {
  return error.errorType ? `${error.errorType}: ${error.message}` : error.message;
}

/**
 * The refusals that stay refusals however often they are retried: the request itself is wrong
 * (a channel or id the API does not take, a message too large) or the caller may not make it.
 */
const PERMANENT_ERROR_TYPES = new Set([
  "ChannelNotAllowed",
  "InvalidChannelName",
  "InvalidMessageId",
  "InvalidOrigin",
  "MessageTooLarge",
  "BadRequest",
  "BadRequestException",
  "ValidationError",
  "MalformedHttpRequestException",
  "PayloadTooLarge",
  "UnauthorizedException",
  "Unauthorized",
  "AccessDeniedException",
  "HistoryDisabled",
  "QueryDepthLimitReached",
  "ResolverExecutionLimitReached",
  "UnsupportedOperation",
  "MaxSubscriptionsReachedError",
  "DuplicatedOperationError",
]);

/**
 * True for an error that another attempt cannot fix: a permanent refusal (above), an HTTP 4xx
 * other than 408 and 429, or a failure on our side (no credentials, a bug). Network failures,
 * timeouts, keep-alive loss, 5xx, throttling and any other server error are temporary.
 */
export function isPermanent(error: unknown): boolean {
  if (error instanceof NetworkError) return false;
  if (error instanceof GraphqlError) return error.errors.some((entry) => PERMANENT_ERROR_TYPES.has(entry.errorType ?? ""));
  if (error instanceof HttpStatusError) return error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429;
  return true;
}

/**
 * True when the API refused the credential itself (an HTTP 401, or a real-time handshake refused
 * with 401 or as unauthorized): a renewed API key or a fresh token may help, another try with the
 * same credential cannot. A refusal of one field ("Not Authorized to access …") is not one.
 */
export function isCredentialRefused(error: unknown): boolean {
  if (!(error instanceof GraphqlError)) return false;
  return error.status === 401 || error.errors.some((entry) => entry.errorCode === 401);
}
