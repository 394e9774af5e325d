import { useLayoutEffect, useRef, useState } from "react";
import { jsonKind } from "../board";

/**
 * A message's data: a JSON string as plain text, any other value as JSON in monospace, each with
 * its kind (so `"42"` and `42` differ), line breaks kept. Data taller than a few lines is clamped,
 * with a button to show it all.
 */
export function MessageData({ data }: { data: unknown }) {
  const kind = jsonKind(data);
  const text = typeof data === "string" ? data : JSON.stringify(data, null, 2);
  const [expanded, setExpanded] = useState(false);
  const [overflows, setOverflows] = useState(false);
  const box = useRef<HTMLDivElement>(null);

  useLayoutEffect(() => {
    const element = box.current;
    if (!element || expanded) return;
    // Measured, not guessed from the length: how many lines a text takes depends on the width.
    const measure = () => setOverflows(element.scrollHeight > element.clientHeight + 1);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [text, expanded]);

  return (
    <div className="data-block">
      <span className="kind" data-testid="data-kind">{kind}</span>
      <div ref={box} className={`data ${kind === "text" ? "text" : "json"} ${expanded ? "" : "clamped"}`} data-testid="data">
        {text}
      </div>
      {(overflows || expanded) && (
        <button type="button" className="link" aria-expanded={expanded} onClick={() => setExpanded(!expanded)}>
          {expanded ? "Show less" : "Show all"}
        </button>
      )}
    </div>
  );
}
