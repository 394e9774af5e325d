import { useEffect, useState } from "react";

/** The channel to watch and publish on: pick one of the allowlist or type a name, then Enter. */
export function ChannelPicker(props: { allowlist: string[]; channel: string; onChange(channel: string): void }) {
  const [draft, setDraft] = useState(props.channel);
  useEffect(() => setDraft(props.channel), [props.channel]);
  const hint =
    props.allowlist.length === 0
      ? "Any valid name is allowed."
      : `Allowed: ${props.allowlist.join(", ")} (an entry ending in * is a prefix).`;
  return (
    <form
      className="field grow"
      onSubmit={(event) => {
        event.preventDefault();
        props.onChange(draft.trim());
      }}
    >
      <span>Channel</span>
      <div className="row">
        <input
          aria-label="Channel"
          list="allowed-channels"
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
          placeholder="channel name"
        />
        <button type="submit" disabled={!draft.trim() || draft.trim() === props.channel}>Watch</button>
      </div>
      <datalist id="allowed-channels">
        {props.allowlist.filter((entry) => !entry.endsWith("*")).map((entry) => (
          <option key={entry} value={entry} />
        ))}
      </datalist>
      <small className="muted">{hint}</small>
    </form>
  );
}
