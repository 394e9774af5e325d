import { expect } from "chai";
import { build } from "esbuild";
import { join } from "node:path";

const LIBRARY = join(__dirname, "..", "..", "client", "lib");

/** Bundles `entry` for the browser and returns the files it pulled in. */
async function browserInputs(entry: string): Promise<string[]> {
  const result = await build({ entryPoints: [join(LIBRARY, entry)], bundle: true, platform: "browser", format: "esm", write: false, metafile: true, logLevel: "silent" });
  return Object.keys(result.metafile.inputs);
}

describe("client library: one module for browsers and Node", () => {
  it("bundles for the browser with no Node built-in and no ws (transports are injected)", async function () {
    this.timeout(20_000);
    const inputs = await browserInputs("index.ts");
    expect(inputs.filter((input) => input.startsWith("node:") || /node_modules\/ws\//.test(input))).to.deep.equal([]);
    expect(inputs).to.include.members(["client/lib/subscription.ts", "client/lib/publisher.ts", "client/lib/realtime.ts", "client/lib/auth.ts"]);
  });

  it("keeps Node's transport and outputs loading out of the browser entry", async function () {
    this.timeout(20_000);
    const failure = await browserInputs("node.ts").then(() => undefined, (error: Error) => error);
    expect(failure?.message).to.match(/node:/);
  });
});
