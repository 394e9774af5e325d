/**
 * The client library in Node: the library (`./index`) with Node's transport, the outputs of a
 * stack or of the local runtime, and the caller's AWS credentials for IAM.
 */
import type { AuthOption } from "./auth";
import { GlobalWsClient, type GlobalWsClientOptions } from "./client";
import { credentialsFor } from "./credentials";
import { nodeTransport } from "./nodeTransport";
import { readTrustedCertificate, type ClientOutputs } from "./outputs";

export * from "./index";
export { nodeTransport } from "./nodeTransport";
export { loadOutputs, type ClientOutputs, type OutputsSource } from "./outputs";

/** `GlobalWsClientOptions` without what the outputs provide; `auth` may also be `"iam"` (credentials from the outputs or the AWS chain). */
export type NodeClientOptions = Omit<GlobalWsClientOptions, "regions" | "transport" | "historyRetentionHours" | "auth"> & {
  auth?: AuthOption | "iam";
};

/** A client for the regions of `outputs`, trusting the local runtime's certificate when they name one. */
export function createNodeClient(outputs: ClientOutputs, options: NodeClientOptions = {}): GlobalWsClient {
  const auth: AuthOption | undefined = options.auth === "iam" ? { mode: "iam", credentials: credentialsFor(outputs) } : options.auth;
  return new GlobalWsClient({
    ...options,
    auth,
    regions: outputs.regions,
    historyRetentionHours: outputs.historyRetentionHours,
    transport: nodeTransport(readTrustedCertificate(outputs)),
  });
}
