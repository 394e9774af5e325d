/**
 * `JSON.stringify(value)` when that text is at most `maxBytes` in UTF-8, else `null`, found out
 * without building a larger text: a selection that repeats a large field under thousands of aliases
 * would otherwise render hundreds of megabytes. For plain JSON data (objects, arrays, strings,
 * numbers, booleans, null), as GraphQL results are.
 */
export function stringifyWithin(value: unknown, maxBytes: number): string | null {
  return jsonBytes(value, maxBytes) <= maxBytes ? JSON.stringify(value) : null;
}

/** The UTF-8 length of `value`'s JSON text, or some length past `room` as soon as it goes past. */
function jsonBytes(value: unknown, room: number): number {
  if (typeof value === "string") return Buffer.byteLength(JSON.stringify(value));
  if (typeof value === "number") return Number.isFinite(value) ? String(value).length : "null".length;
  if (typeof value === "boolean") return String(value).length;
  if (value === null || typeof value !== "object") return "null".length;
  const isArray = Array.isArray(value);
  const members: [string, unknown][] = isArray ? Array.from(value, (item, index) => [String(index), item]) : Object.entries(value);
  let bytes = "[]".length;
  let first = true;
  for (const [key, item] of members) {
    // JSON.stringify leaves such members out of an object and writes them as null in an array.
    const skipped = item === undefined || typeof item === "function" || typeof item === "symbol";
    if (skipped && !isArray) continue;
    bytes += (first ? 0 : ",".length) + (isArray ? 0 : Buffer.byteLength(JSON.stringify(key)) + ":".length);
    first = false;
    bytes += jsonBytes(skipped ? null : item, room - bytes);
    if (bytes > room) return bytes;
  }
  return bytes;
}
