import type { GraphQLError } from "graphql";

/** One error as AppSync reports it in a GraphQL response. */
export interface AppSyncError {
  readonly path: readonly (string | number)[] | null;
  readonly data: unknown;
  readonly errorType: string | null;
  readonly errorInfo: unknown;
  readonly locations: { line: number; column: number; sourceName: null }[];
  readonly message: string;
}

/** A field error with AppSync's extra members (`util.error`, authorization). */
export class FieldError extends Error {
  constructor(
    message: string,
    readonly errorType: string | null,
    readonly data: unknown = null,
    readonly errorInfo: unknown = null,
  ) {
    super(message);
  }
}

/** An error from parsing, validating or coercing the request, before any resolver runs. */
export const REQUEST_ERROR_TYPE = "ValidationError";

/** Turns a graphql-js error into AppSync's shape; `fallbackType` for errors that carry none. */
export function toAppSyncError(error: GraphQLError, fallbackType: string | null = null): AppSyncError {
  const original = error.originalError instanceof FieldError ? error.originalError : null;
  return {
    path: error.path ?? null,
    data: original?.data ?? null,
    errorType: original?.errorType ?? fallbackType,
    errorInfo: original?.errorInfo ?? null,
    locations: (error.locations ?? []).map(({ line, column }) => ({ line, column, sourceName: null })),
    message: error.message,
  };
}

/** An error about the whole request (no path, no location). */
export function requestError(message: string, errorType: string): AppSyncError {
  return { path: null, data: null, errorType, errorInfo: null, locations: [], message };
}
