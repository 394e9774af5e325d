/** True when an optional argument was given (GraphQL sends an omitted one as absent or null). */
export function isGiven<T>(value: T | null | undefined): value is T {
  return value !== null && value !== undefined;
}
