import type { BoardMessage } from "../board";
import { MessageData } from "./MessageData";

/** Every message received on this page, newest first, with where it came from and how fast (or that it came from history). */
export function MessageBoard({ messages, region, deliveryError }: { messages: BoardMessage[]; region: string; deliveryError?: string }) {
  return (
    <section className="card board">
      <h2>Messages</h2>
      {deliveryError && (
        <p className="banner warn" role="status">
          A delivery on this channel came without its message: {deliveryError}
        </p>
      )}
      {messages.length === 0 ? (
        <p className="muted">Nothing yet. Send a message here or from a page on another region.</p>
      ) : (
        <ol className="messages">
          {messages.map((message) => (
            <li key={message.id} className="message" data-testid="message" data-origin={message.origin} data-id={message.id}>
              <div className="meta">
                <time className="muted" dateTime={message.publishedAt}>{new Date(message.publishedAt).toLocaleTimeString()}</time>
                <code>{message.name}</code>
                <span className={`pill ${message.origin === region ? "local" : "remote"}`} data-testid="origin">
                  {message.origin}
                </span>
                {/* Set by the server: the signed-in user, an IAM back end, or none for the API key. */}
                <span className="sender" data-testid="sender" title="Who published it, as the server knows">
                  {message.sender ?? "API key"}
                </span>
                {message.replayed ? (
                  <span className="pill history latency" data-testid="history-mark" title="From the channel's history, not live">history</span>
                ) : (
                  <span className="muted latency">{Math.max(0, Math.round(message.latencyMs))} ms</span>
                )}
              </div>
              <MessageData data={message.data} />
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
