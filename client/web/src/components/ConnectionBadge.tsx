import type { SubscriptionStatus } from "../useChannel";

const SUBSCRIPTION_LABELS: Record<SubscriptionStatus["kind"], string> = {
  subscribing: "subscribing…",
  catchingUp: "catching up…",
  subscribed: "subscribed",
  reconnecting: "reconnecting…",
  closed: "closed by server",
  failed: "subscription failed",
  refused: "not subscribed",
};

/** The WebSocket's state, as far as the page can tell; never "connected" while it is not. */
function connectionLabel(status: SubscriptionStatus): string {
  switch (status.kind) {
    case "subscribing":
      return "connecting";
    case "catchingUp":
    case "subscribed":
      return "connected";
    case "reconnecting":
      return status.retryInMs === undefined ? "offline, connecting" : `offline, retrying in ${Math.max(1, Math.round(status.retryInMs / 1000))} s`;
    default:
      return "offline";
  }
}

/**
 * The home region (and the region it failed over to), the connection's state and the
 * subscription's, at a glance. Without a subscription to keep (the channel is refused) there is no
 * connection to speak of.
 */
export function ConnectionBadge(props: { home: string; region: string; subscription: SubscriptionStatus }) {
  const healthy = props.subscription.kind === "subscribed";
  const showConnection = props.subscription.kind !== "refused";
  const failedOver = props.region !== props.home;
  return (
    <div className={`badge ${healthy ? "ok" : "warn"}`} data-testid="connection">
      <span className="dot" />
      <span>
        <strong>{props.home}</strong>
        {failedOver && (
          <span className="failover" data-testid="failover">
            {" "}→ {props.region} (failover)
          </span>
        )}{" "}
        ·{" "}
        {showConnection && (
          <>
            <span data-testid="connection-state">{connectionLabel(props.subscription)}</span> ·{" "}
          </>
        )}
        <span data-testid="subscription-state">{SUBSCRIPTION_LABELS[props.subscription.kind]}</span>
      </span>
    </div>
  );
}
