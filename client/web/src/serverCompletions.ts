/**
 * AppSync ends an invalidated subscription (a forced `unsubscribe`) with a `complete` message the
 * client did not ask for. Amplify JS v6 ignores that message, so the page would keep showing a
 * live subscription that receives nothing; this module watches the real-time sockets for it.
 */

type Listener = (subscriptionId: string) => void;

const listeners = new Set<Listener>();
let installed = false;

/** Replaces `WebSocket` (which Amplify looks up when it connects) with one that reports `complete` messages. */
function install(): void {
  if (installed) return;
  installed = true;
  const NativeWebSocket = window.WebSocket;
  class WatchedWebSocket extends NativeWebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener("message", (event: MessageEvent) => {
        if (typeof event.data !== "string" || !event.data.includes('"complete"')) return;
        const message = JSON.parse(event.data) as { type?: string; id?: string };
        if (message.type === "complete" && message.id) for (const listener of listeners) listener(message.id);
      });
    }
  }
  window.WebSocket = WatchedWebSocket;
}

/** Calls `listener` with the id of every subscription the server completes; returns the way to stop. */
export function onServerComplete(listener: Listener): () => void {
  install();
  listeners.add(listener);
  return () => listeners.delete(listener);
}
