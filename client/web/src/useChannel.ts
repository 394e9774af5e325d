import { Hub } from "aws-amplify/utils";
import { useCallback, useEffect, useState } from "react";
import type { RegionClient } from "./api";
import { explainApiError, isChannelRefused } from "./apiErrors";
import { addToBoard, type BoardMessage } from "./board";
import { onServerComplete } from "./serverCompletions";

/** Where the subscription to the current channel stands. */
export type SubscriptionStatus =
  | { kind: "subscribing" }
  | { kind: "subscribed" }
  | { kind: "closed"; reason: string }
  | { kind: "failed"; reason: string }
  /** The API refuses this channel (not on the allowlist, not a valid name): only another channel helps. */
  | { kind: "refused"; reason: string };

/** Amplify's Hub event once the server acknowledged a subscription (`start_ack`). */
const SUBSCRIPTION_ACK = "Subscription ack";

/** What `unsubscribe` looks like to a subscriber: AppSync ends the subscription from its side. */
const FORCED_UNSUBSCRIBE =
  "The server closed this subscription (forced unsubscribe): an operator ran `unsubscribe` on this channel.";

/**
 * Subscribes to `channel` while it is set, keeps the message board (newest first, each `id`
 * once) and reports the subscription's status, and the last delivery that came with errors
 * instead of a message. `resubscribe` starts over after it ended.
 */
export function useChannel(client: RegionClient | undefined, channel: string) {
  const [messages, setMessages] = useState<BoardMessage[]>([]);
  const [status, setStatus] = useState<SubscriptionStatus>({ kind: "subscribing" });
  const [deliveryError, setDeliveryError] = useState<string>();
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (!client || !channel) return;
    setStatus({ kind: "subscribing" });
    setDeliveryError(undefined);
    // Amplify names its subscription only in the ack event; the id tells our `complete` apart.
    let subscriptionId: string | undefined;
    const stopListening = Hub.listen("api", ({ payload }) => {
      const data = payload.data as { id?: string; variables?: { name?: string } } | undefined;
      if (payload.event === SUBSCRIPTION_ACK && data?.variables?.name === channel) {
        subscriptionId = data.id;
        setStatus({ kind: "subscribed" });
      }
    });
    const stopWatching = onServerComplete((id) => {
      if (id === subscriptionId) setStatus({ kind: "closed", reason: FORCED_UNSUBSCRIBE });
    });
    const subscription = client.subscribe(channel, {
      next: (message) => setMessages((board) => addToBoard(board, message, Date.now())),
      deliveryError: (error) => setDeliveryError(explainApiError(error)),
      error: (error) => setStatus({ kind: isChannelRefused(error) ? "refused" : "failed", reason: explainApiError(error) }),
      complete: () => setStatus({ kind: "closed", reason: FORCED_UNSUBSCRIBE }),
    });
    return () => {
      stopListening();
      stopWatching();
      subscription.unsubscribe();
    };
  }, [client, channel, attempt]);

  const resubscribe = useCallback(() => setAttempt((n) => n + 1), []);
  return { messages, status, deliveryError, resubscribe };
}
