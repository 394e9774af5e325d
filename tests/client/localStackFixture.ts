import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLocalStack, type LocalStack } from "../../local";

/** A local stack for client tests, with its outputs written where the command line can read them. */
export interface LocalStackFixture {
  stack: LocalStack;
  /** A scratch directory, removed by `stop`. */
  dir: string;
  /** The outputs without the credentials, as a file: IAM must come from the environment. */
  outputsFile: string;
  /** The local runtime's certificate (PEM), for clients to trust. */
  ca: string;
  /** Environment variables carrying the local runtime's IAM credentials. */
  credentialsEnv: Record<string, string>;
  /** Writes `outputs` (any JSON) to a scratch file and returns its path. */
  writeJson(name: string, value: unknown): string;
  stop(): Promise<void>;
}

/** Starts a local stack on random ports, with the given regions and channel allowlist. */
export async function startLocalStackFixture(regions: string[], channels: string[]): Promise<LocalStackFixture> {
  const stack = await startLocalStack({ regions, channels, basePort: 0, outputsFile: null, log: () => {} });
  const dir = mkdtempSync(join(tmpdir(), "globalws-client-"));
  const writeJson = (name: string, value: unknown) => {
    const file = join(dir, name);
    writeFileSync(file, JSON.stringify(value));
    return file;
  };
  const { credentials, ...withoutCredentials } = stack.outputs;
  return {
    stack,
    dir,
    outputsFile: writeJson("outputs.json", withoutCredentials),
    ca: readFileSync(stack.outputs.certificateFile, "utf8"),
    credentialsEnv: { AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey },
    writeJson,
    stop: async () => {
      await stack.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
