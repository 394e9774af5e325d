import type { ChannelSubscription } from "../lib/subscription";

/**
 * Writes what a resuming subscription goes through as plain lines (the command line's stderr):
 * reconnects, failovers, catch-ups and gaps.
 */
export function reportResumes(subscription: ChannelSubscription, note: (line: string) => void): void {
  const channel = `"${subscription.channel}"`;
  subscription.on("reconnecting", (event) => note(`Connection for ${channel} lost (${event.reason}); reconnecting to ${event.region} in ${event.retryInMs} ms.`));
  subscription.on("failover", (event) => note(event.home ? `Back in the home region ${event.to}.` : `Failed over to ${event.to} (${event.from} cannot be reached).`));
  subscription.on("resumed", (event) => {
    const caught = `caught up ${event.caughtUp} message${event.caughtUp === 1 ? "" : "s"}`;
    note(`Resumed ${channel} in ${event.region} after ${(event.downtimeMs / 1000).toFixed(1)} s: ${caught}${event.gapClosed ? "." : ", but some may be missing (see the gap above)."}`);
  });
  subscription.on("gap", (gap) =>
    note(
      gap.reason === "historyDisabled"
        ? `Gap: history is off on this API, so messages published on ${channel} while disconnected (since ${gap.from}) are not delivered.`
        : `Gap: messages published on ${channel} from ${gap.from} to ${gap.to} may be missing: they are older than the history kept.`,
    ),
  );
}
