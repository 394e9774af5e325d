import { defaultProvider } from "@aws-sdk/credential-provider-node";
import type { CredentialsProvider } from "./auth";
import type { StaticCredentials } from "./outputs";

export type { AwsCredentials, CredentialsProvider } from "./auth";

/**
 * The credentials for IAM requests: the local runtime's own when its outputs carry them (it
 * accepts no others), otherwise the caller's AWS credentials through the SDK's default chain
 * (environment variables, shared config files, SSO, instance roles).
 */
export function credentialsFor(outputs: { credentials?: StaticCredentials }): CredentialsProvider {
  const local = outputs.credentials;
  return local ? async () => local : defaultProvider();
}
