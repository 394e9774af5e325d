import type { DecodedMessage } from "../../lib/operations";

/** A message on the board, with the latency measured when it arrived. */
export interface BoardMessage extends DecodedMessage {
  /** Milliseconds from `publishedAt` (the origin region's clock) to arrival (this browser's clock). */
  latencyMs: number;
  /** It came from history (the channel's last messages, or a catch-up after a drop), not live. */
  replayed: boolean;
}

/** How many messages the board keeps. */
export const BOARD_SIZE = 200;

/**
 * The board with `message` on top, unless the board already shows its `id` (the client library
 * drops repeats already; this holds across subscriptions too, e.g. after "Subscribe again").
 */
export function addToBoard(board: BoardMessage[], message: DecodedMessage, receivedAt: number, replayed = false): BoardMessage[] {
  if (board.some((shown) => shown.id === message.id)) return board;
  const latencyMs = receivedAt - Date.parse(message.publishedAt);
  return [{ ...message, latencyMs, replayed }, ...board].slice(0, BOARD_SIZE);
}

/** What a message's data is, as the board labels it: a JSON string is `text`. */
export type DataKind = "text" | "number" | "boolean" | "null" | "array" | "object";

/** The kind of a decoded JSON value. */
export function jsonKind(data: unknown): DataKind {
  if (data === null) return "null";
  if (Array.isArray(data)) return "array";
  switch (typeof data) {
    case "string":
      return "text";
    case "number":
      return "number";
    case "boolean":
      return "boolean";
    default:
      return "object";
  }
}
