import { useCallback, useEffect, useState } from "react";
import type { GlobalWsClient } from "../../lib/client";
import type { StateChange } from "../../lib/subscription";
import { explainApiError, isChannelRefused } from "./apiErrors";
import { addToBoard, type BoardMessage } from "./board";

/** Where the subscription to the current channel stands. */
export type SubscriptionStatus =
  | { kind: "subscribing" }
  /** Live again, reading what it missed from history. */
  | { kind: "catchingUp" }
  | { kind: "subscribed" }
  /** The connection is lost; the next try is in `retryInMs`. */
  | { kind: "reconnecting"; retryInMs?: number }
  | { kind: "closed"; reason: string }
  | { kind: "failed"; reason: string }
  /** The API refuses this channel (not on the allowlist, not a valid name): only another channel helps. */
  | { kind: "refused"; reason: string };

/** How many of the channel's last messages the board shows when it starts watching it. */
export const HISTORY_ON_START = 50;

/** What `unsubscribe` looks like to a subscriber: AppSync ends the subscription from its side. */
const FORCED_UNSUBSCRIBE = "The server closed this subscription (forced unsubscribe): an operator ran `unsubscribe` on this channel.";

/** The page's view of a subscription state. */
function statusOf(change: StateChange): SubscriptionStatus | undefined {
  switch (change.to) {
    case "connecting":
      return change.from === "reconnecting" ? { kind: "reconnecting" } : { kind: "subscribing" };
    case "catchingUp":
      return { kind: "catchingUp" };
    case "live":
      return { kind: "subscribed" };
    case "reconnecting":
      return { kind: "reconnecting", retryInMs: change.retryInMs };
    default:
      return undefined;
  }
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;

/**
 * Subscribes to `channel` while it is set, with the client library: the channel's last messages
 * first (marked as history), then live ones; after a drop or a restart of the API it reconnects
 * and catches up by itself, and fails over to another region when its own cannot be reached. Keeps
 * the board (newest first, each `id` once), the subscription's status and the region it is live
 * in, a short note of the last resume or failover, and the last delivery that came with errors.
 * `resubscribe` starts over after it ended.
 */
export function useChannel(client: GlobalWsClient | undefined, channel: string, signedIn = false) {
  const [messages, setMessages] = useState<BoardMessage[]>([]);
  const [status, setStatus] = useState<SubscriptionStatus>({ kind: "subscribing" });
  const [region, setRegion] = useState(client?.home ?? "");
  const [note, setNote] = useState<string>();
  const [gap, setGap] = useState<string>();
  const [deliveryError, setDeliveryError] = useState<string>();
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (!client || !channel) return;
    setStatus({ kind: "subscribing" });
    setRegion(client.home);
    setNote(undefined);
    setGap(undefined);
    setDeliveryError(undefined);
    const subscription = client.subscribe(channel, { last: HISTORY_ON_START });
    subscription.on("message", (message, { replayed }) => setMessages((board) => addToBoard(board, message, Date.now(), replayed)));
    subscription.on("state", (change) => {
      setRegion(change.region);
      const next = statusOf(change);
      if (next) setStatus(next);
    });
    subscription.on("resumed", (event) => {
      const where = event.region === client.home ? "" : ` in ${event.region}`;
      setNote(`Reconnected${where}, caught up ${plural(event.caughtUp, "message")}.`);
    });
    subscription.on("failover", (event) => setNote(event.home ? `Back in the home region ${event.to}.` : `Failed over to ${event.to}: ${event.from} cannot be reached.`));
    subscription.on("gap", (event) =>
      setGap(
        event.reason === "historyDisabled"
          ? "History is off on this API: messages published while this page was disconnected are not shown."
          : `Messages published from ${new Date(event.from).toLocaleString()} to ${new Date(event.to).toLocaleString()} may be missing: they are older than the history kept.`,
      ),
    );
    subscription.on("deliveryError", (error) => setDeliveryError(explainApiError(error, signedIn)));
    subscription.on("unsubscribed", () => setStatus({ kind: "closed", reason: FORCED_UNSUBSCRIBE }));
    subscription.on("failed", (error) => setStatus({ kind: isChannelRefused(error) ? "refused" : "failed", reason: explainApiError(error, signedIn) }));
    return () => subscription.close();
  }, [client, channel, attempt, signedIn]);

  const resubscribe = useCallback(() => setAttempt((n) => n + 1), []);
  return { messages, status, region, note, gap, deliveryError, resubscribe, dismissNote: () => setNote(undefined) };
}
