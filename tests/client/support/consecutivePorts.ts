import { startLocalStack, type LocalStack, type LocalStackOptions } from "../../../local";

/**
 * Starts a local stack on consecutive ports from a random base (a restart must find its regions on
 * the same ports, which `basePort: 0` does not give), trying another base when one is taken.
 */
export async function startOnConsecutivePorts(options: LocalStackOptions): Promise<LocalStack> {
  for (let attempt = 0; ; attempt += 1) {
    const basePort = 30_000 + Math.floor(Math.random() * 20_000);
    try {
      return await startLocalStack({ ...options, basePort });
    } catch (error) {
      if (attempt === 10 || !/in use/.test((error as Error).message)) throw error;
    }
  }
}

/** The first region's port of a running stack: pass it as `basePort` to restart on the same ports. */
export function basePortOf(stack: LocalStack): number {
  return Number(new URL(Object.values(stack.outputs.regions)[0].graphqlUrl).port);
}
