import { useState } from "react";

type Mode = "text" | "json";

/** Writes a message: plain text (sent as a JSON string) or any JSON value. `disabled`: the channel is refused. */
export function Composer(props: { channel: string; onSend(data: unknown): Promise<void>; error?: string; disabled?: boolean }) {
  const [mode, setMode] = useState<Mode>("text");
  const [draft, setDraft] = useState("");
  const [invalid, setInvalid] = useState<string>();
  const [sending, setSending] = useState(false);

  const submit = async () => {
    let data: unknown = draft;
    if (mode === "json") {
      try {
        data = JSON.parse(draft);
      } catch (error) {
        setInvalid(`Not valid JSON: ${(error as Error).message}`);
        return;
      }
    }
    setInvalid(undefined);
    setSending(true);
    await props.onSend(data);
    setSending(false);
  };

  return (
    <section className="card composer">
      <div className="row spread">
        <h2>Send to <code>{props.channel || "…"}</code></h2>
        <div className="toggle" role="radiogroup" aria-label="Message format">
          {(["text", "json"] as const).map((option) => (
            <button
              key={option}
              type="button"
              role="radio"
              aria-checked={mode === option}
              className={mode === option ? "on" : ""}
              onClick={() => setMode(option)}
            >
              {option === "text" ? "Text" : "JSON"}
            </button>
          ))}
        </div>
      </div>
      <textarea
        aria-label="Message"
        value={draft}
        rows={3}
        placeholder={mode === "text" ? "Hello from this region!" : '{"text": "hello", "n": 1}'}
        onChange={(event) => setDraft(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === "Enter" && (event.metaKey || event.ctrlKey)) void submit();
        }}
      />
      <div className="row spread">
        <small className="muted">Ctrl+Enter sends.</small>
        <button type="button" className="primary" disabled={!props.channel || sending || props.disabled} onClick={() => void submit()}>
          Send
        </button>
      </div>
      {(invalid ?? props.error) && <p className="banner error" role="alert">{invalid ?? props.error}</p>}
    </section>
  );
}
