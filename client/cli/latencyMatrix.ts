/** Deliveries of the messages published in one region, as seen in one region. */
export interface RouteStats {
  origin: string;
  destination: string;
  sent: number;
  /** Latency of each delivered message, in milliseconds (send → receive, one clock). */
  latenciesMs: number[];
  /** Deliveries of a message id already seen (EventBridge is at-least-once). */
  duplicates: number;
}

/** The `p`-th percentile (0..100) of `values` by nearest rank; undefined when there are none. */
export function percentile(values: number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** Messages of a route that never arrived. */
export function lost(route: RouteStats): number {
  return route.sent - route.latenciesMs.length;
}

/** One cell: `p50/p99 ms`, plus what was lost or duplicated. */
function formatCell(route: RouteStats): string {
  const p50 = percentile(route.latenciesMs, 50);
  const p99 = percentile(route.latenciesMs, 99);
  const parts = [p50 === undefined ? "-" : `${Math.round(p50)}/${Math.round(p99 ?? p50)} ms`];
  if (lost(route) > 0) parts.push(`${lost(route)} lost`);
  if (route.duplicates > 0) parts.push(`${route.duplicates} dup`);
  return parts.join(", ");
}

/** A text table, origin rows × destination columns, of latency p50/p99 and losses. */
export function formatLatencyMatrix(regions: string[], routes: RouteStats[]): string {
  const cell = (origin: string, destination: string) => {
    const route = routes.find((r) => r.origin === origin && r.destination === destination);
    return route ? formatCell(route) : "";
  };
  const rows = [
    ["origin \\ destination", ...regions],
    ...regions.map((origin) => [origin, ...regions.map((destination) => cell(origin, destination))]),
  ];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => row.map((text, column) => text.padEnd(widths[column])).join("  ").trimEnd()).join("\n");
}
