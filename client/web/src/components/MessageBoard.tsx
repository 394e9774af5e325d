import type { BoardMessage } from "../board";

/** Every message received on this page, newest first, with where it came from and how fast. */
export function MessageBoard({ messages, region }: { messages: BoardMessage[]; region: string }) {
  return (
    <section className="card board">
      <h2>Messages</h2>
      {messages.length === 0 ? (
        <p className="muted">Nothing yet. Send a message here or from a page on another region.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Time</th>
              <th>Channel</th>
              <th>Origin</th>
              <th className="num">Latency</th>
              <th>Data</th>
            </tr>
          </thead>
          <tbody>
            {messages.map((message) => (
              <tr key={message.id} data-testid="message" data-origin={message.origin}>
                <td className="muted">{new Date(message.publishedAt).toLocaleTimeString()}</td>
                <td><code>{message.name}</code></td>
                <td>
                  <span className={`pill ${message.origin === region ? "local" : "remote"}`} data-testid="origin">
                    {message.origin}
                  </span>
                </td>
                <td className="num">{Math.max(0, Math.round(message.latencyMs))} ms</td>
                <td className="data" data-testid="data">
                  {typeof message.data === "string" ? message.data : JSON.stringify(message.data)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
