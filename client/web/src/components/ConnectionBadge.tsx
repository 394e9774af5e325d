import { ConnectionState } from "aws-amplify/api";
import type { SubscriptionStatus } from "../useChannel";

const CONNECTION_LABELS: Record<ConnectionState, string> = {
  [ConnectionState.Connected]: "connected",
  [ConnectionState.ConnectedPendingNetwork]: "connected, network unsure",
  [ConnectionState.ConnectionDisrupted]: "disrupted, reconnecting",
  [ConnectionState.ConnectionDisruptedPendingNetwork]: "offline, waiting for network",
  [ConnectionState.Connecting]: "connecting",
  [ConnectionState.ConnectedPendingDisconnect]: "closing",
  [ConnectionState.Disconnected]: "disconnected",
  [ConnectionState.ConnectedPendingKeepAlive]: "connected, keep-alive late",
};

const SUBSCRIPTION_LABELS: Record<SubscriptionStatus["kind"], string> = {
  subscribing: "subscribing…",
  subscribed: "subscribed",
  closed: "closed by server",
  failed: "subscription failed",
  refused: "not subscribed",
};

/**
 * The region, the WebSocket's state and the subscription's, at a glance. Without a subscription to
 * keep (the channel is refused) there is no connection to speak of: Amplify closes it.
 */
export function ConnectionBadge(props: { region: string; connection: ConnectionState; subscription: SubscriptionStatus }) {
  const healthy = props.connection === ConnectionState.Connected && props.subscription.kind === "subscribed";
  const showConnection = props.subscription.kind !== "refused";
  return (
    <div className={`badge ${healthy ? "ok" : "warn"}`} data-testid="connection">
      <span className="dot" />
      <span>
        <strong>{props.region}</strong> ·{" "}
        {showConnection && (
          <>
            <span data-testid="connection-state">{CONNECTION_LABELS[props.connection]}</span> ·{" "}
          </>
        )}
        <span data-testid="subscription-state">{SUBSCRIPTION_LABELS[props.subscription.kind]}</span>
      </span>
    </div>
  );
}
