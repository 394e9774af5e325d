import { defaultProvider } from "@aws-sdk/credential-provider-node";
import type { StaticCredentials } from "./outputs";

/** AWS credentials as the signer takes them. */
export interface AwsCredentials extends StaticCredentials {
  sessionToken?: string;
}

/** Resolves the credentials to sign with, when a request is signed. */
export type CredentialsProvider = () => Promise<AwsCredentials>;

/**
 * The credentials for IAM requests: the local runtime's own when its outputs carry them (it
 * accepts no others), otherwise the caller's AWS credentials through the SDK's default chain
 * (environment variables, shared config files, SSO, instance roles).
 */
export function credentialsFor(outputs: { credentials?: StaticCredentials }): CredentialsProvider {
  const local = outputs.credentials;
  return local ? async () => local : defaultProvider();
}
