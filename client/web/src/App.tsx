import { useCallback, useEffect, useMemo, useState } from "react";
import type { BrowserOutputs } from "../../lib/regions";
import { connectRegion, loadBrowserOutputs, type KeyRenewal } from "./api";
import { explainApiError, unreachableHint } from "./apiErrors";
import { ChannelPicker } from "./components/ChannelPicker";
import { Composer } from "./components/Composer";
import { ConnectionBadge } from "./components/ConnectionBadge";
import { MessageBoard } from "./components/MessageBoard";
import { RegionPicker } from "./components/RegionPicker";
import { SignIn } from "./components/SignIn";
import { useSignIn } from "./signIn";
import { useChannel } from "./useChannel";

/** The region and channel in the address bar when the page loaded (the page keeps them there). */
const params = new URLSearchParams(window.location.search);

/** What the page says once it reconnected with the key the server now serves. */
const KEYS_RENEWED = "The server restarted with new API keys; this page reconnected with them.";

/** The page: pick a region and a channel, watch the channel's messages arrive, send your own. */
export function App() {
  const [outputs, setOutputs] = useState<BrowserOutputs>();
  const [loadError, setLoadError] = useState<string>();
  useEffect(() => {
    loadBrowserOutputs().then(setOutputs, (error: Error) => setLoadError(error.message));
  }, []);

  if (loadError) return <Shell><p className="banner error">{loadError}</p></Shell>;
  if (!outputs) return <Shell><p className="muted">Loading the stack outputs…</p></Shell>;
  const regions = Object.keys(outputs.regions);
  const requested = params.get("region");
  const region = requested && outputs.regions[requested] ? requested : regions[0];
  return <RegionPage outputs={outputs} region={region} />;
}

function RegionPage({ outputs, region }: { outputs: BrowserOutputs; region: string }) {
  const [notice, setNotice] = useState<string>();
  // The API refused the key: the server (npm start, globalws web) may serve a new one since.
  const renewKey = useCallback<KeyRenewal>(async (keyRegion, refusedKey) => {
    const renewed = (await loadBrowserOutputs()).regions[keyRegion];
    if (!renewed || renewed.apiKey === refusedKey) return undefined;
    setNotice(KEYS_RENEWED);
    return renewed.apiKey;
  }, []);
  const { user, signIn, signOut } = useSignIn(outputs.oidc?.groupsClaim ?? "cognito:groups");
  // A stack without API keys (globalws:apiKeyAccess none) serves signed-in users only.
  const hasKeys = Object.values(outputs.regions).every((endpoints) => endpoints.apiKey !== undefined);
  const client = useMemo(
    () => (user || hasKeys ? connectRegion(outputs, region, renewKey, user?.token) : undefined),
    [outputs, region, renewKey, user, hasKeys],
  );
  const [allowlist, setAllowlist] = useState<string[]>([]);
  const [channel, setChannel] = useState(params.get("channel") ?? "");
  const [sendError, setSendError] = useState<string>();
  const { messages, status, region: liveRegion, note, gap, deliveryError, resubscribe, dismissNote } = useChannel(client, channel, user !== undefined);

  useEffect(() => keepInAddressBar(region, channel), [region, channel]);
  useEffect(() => setSendError(undefined), [channel]);

  useEffect(() => {
    if (!client) return;
    client.channels().then(
      (channels) => {
        setAllowlist(channels);
        setChannel((current) => current || channels.find((entry) => !entry.endsWith("*")) || "general");
      },
      (error) => setSendError(unreachableHint(error, outputs.regions[region].graphqlUrl)),
    );
  }, [client, outputs, region]);

  const send = async (data: unknown) => {
    setSendError(undefined);
    if (!client) return setSendError("Sign in first: this stack has no API key.");
    try {
      await client.publish(channel, data);
    } catch (error) {
      setSendError(explainApiError(error, user !== undefined));
    }
  };

  return (
    <Shell badge={<ConnectionBadge home={region} region={liveRegion} subscription={status} />}>
      {outputs.oidc && <SignIn user={user} required={!hasKeys} onSignIn={signIn} onSignOut={signOut} />}
      <section className="card controls">
        <RegionPicker regions={Object.keys(outputs.regions)} region={region} />
        <ChannelPicker allowlist={allowlist} channel={channel} onChange={setChannel} />
      </section>
      {notice && (
        <div className="banner info" role="status">
          <span>{notice}</span>
          <button type="button" onClick={() => setNotice(undefined)}>Dismiss</button>
        </div>
      )}
      {note && (
        <div className="banner info" role="status" data-testid="resume-note">
          <span>{note}</span>
          <button type="button" onClick={dismissNote}>Dismiss</button>
        </div>
      )}
      {gap && <p className="banner warn" role="status" data-testid="gap">{gap}</p>}
      {status.kind === "refused" && <p className="banner error" role="alert">{status.reason}</p>}
      {(status.kind === "failed" || status.kind === "closed") && (
        <div className="banner error" role="alert">
          <span>{status.reason}</span>
          <button type="button" onClick={resubscribe}>Subscribe again</button>
        </div>
      )}
      <Composer channel={channel} onSend={send} error={sendError} disabled={status.kind === "refused"} />
      <MessageBoard messages={messages} region={region} deliveryError={deliveryError} />
    </Shell>
  );
}

/** Writes the region and channel into the address bar, so that a reload or a region switch keeps them. */
function keepInAddressBar(region: string, channel: string): void {
  const url = new URL(window.location.href);
  url.searchParams.set("region", region);
  if (channel) url.searchParams.set("channel", channel);
  if (url.href !== window.location.href) window.history.replaceState(null, "", url);
}

function Shell({ badge, children }: { badge?: React.ReactNode; children: React.ReactNode }) {
  return (
    <main className="shell">
      <header className="header">
        <div>
          <h1>globalws</h1>
          <p className="muted">One message, every region: pub/sub on AppSync and EventBridge.</p>
        </div>
        {badge}
      </header>
      {children}
    </main>
  );
}
