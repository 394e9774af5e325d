/**
 * The shape every client reads: the stack outputs' `regions` map. Types and pure functions only,
 * so the browser bundle can use it too.
 */

/** One region's API, as the stack outputs (and the local runtime's outputs file) describe it. */
export interface RegionEndpoints {
  graphqlUrl: string;
  realtimeUrl: string;
  apiId: string;
  /** Absent when the stack has no API key (`globalws:apiKeyAccess: none`): clients sign in instead. */
  apiKey?: string;
  eventBusArn: string;
  deadLetterQueueUrl: string;
}

/** Region name → its API. */
export type RegionsMap = Record<string, RegionEndpoints>;

/** What the browser gets of a region: what a public client needs, nothing more. */
export type BrowserRegion = Pick<RegionEndpoints, "graphqlUrl" | "realtimeUrl" | "apiKey">;

/** The stack's OpenID Connect issuer, as the outputs name it when it has signed-in users. */
export interface OidcOutputs {
  issuer: string;
  clientId?: string;
  groupsClaim: string;
}

/** What the web server serves as `/outputs.json`: no credentials, no infrastructure ARNs. */
export interface BrowserOutputs {
  regions: Record<string, BrowserRegion>;
  /** How long history is kept, when the outputs say. */
  historyRetentionHours?: number;
  /** The issuer whose tokens sign users in, when the stack has one. */
  oidc?: OidcOutputs;
}

/** The browser's view of the outputs: each region's public endpoints and API key, the history retention and the issuer. */
export function browserOutputs(regions: RegionsMap, historyRetentionHours?: number, oidc?: OidcOutputs): BrowserOutputs {
  return {
    regions: Object.fromEntries(
      Object.entries(regions).map(([name, { graphqlUrl, realtimeUrl, apiKey }]) => [
        name,
        apiKey === undefined ? { graphqlUrl, realtimeUrl } : { graphqlUrl, realtimeUrl, apiKey },
      ]),
    ),
    ...(historyRetentionHours === undefined ? {} : { historyRetentionHours }),
    ...(oidc ? { oidc: { issuer: oidc.issuer, groupsClaim: oidc.groupsClaim, ...(oidc.clientId ? { clientId: oidc.clientId } : {}) } } : {}),
  };
}
