/**
 * The shape every client reads: the stack outputs' `regions` map. Types and pure functions only,
 * so the browser bundle can use it too.
 */

/** One region's API, as the stack outputs (and the local runtime's outputs file) describe it. */
export interface RegionEndpoints {
  graphqlUrl: string;
  realtimeUrl: string;
  apiId: string;
  apiKey: string;
  eventBusArn: string;
  deadLetterQueueUrl: string;
}

/** Region name → its API. */
export type RegionsMap = Record<string, RegionEndpoints>;

/** What the browser gets of a region: what a public client needs, nothing more. */
export type BrowserRegion = Pick<RegionEndpoints, "graphqlUrl" | "realtimeUrl" | "apiKey">;

/** What the web server serves as `/outputs.json`: no credentials, no infrastructure ARNs. */
export interface BrowserOutputs {
  regions: Record<string, BrowserRegion>;
}

/** The browser's view of `regions`. */
export function browserOutputs(regions: RegionsMap): BrowserOutputs {
  return {
    regions: Object.fromEntries(
      Object.entries(regions).map(([name, { graphqlUrl, realtimeUrl, apiKey }]) => [
        name,
        { graphqlUrl, realtimeUrl, apiKey },
      ]),
    ),
  };
}
