import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { RegionApi } from "../../client/lib/regionApi";
import { startLocalStack, type LocalOutputs } from "../../local/index";
import { loadOrCreateSecrets } from "../../local/localSecrets";
import { apiKeyOf } from "./realtimeClient";

const REGIONS = ["us-west-2", "eu-west-1"];

/** What a client keeps of a stack's outputs: each region's API key and id, and the IAM credentials. */
function identities(outputs: LocalOutputs) {
  return {
    regions: Object.fromEntries(Object.entries(outputs.regions).map(([region, api]) => [region, { apiKey: api.apiKey, apiId: api.apiId }])),
    credentials: outputs.credentials,
  };
}

describe("local runtime: keys, credentials and API ids kept across restarts", function () {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "globalws-state-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const start = (stateDir?: string) =>
    startLocalStack({ regions: REGIONS, channels: [], basePort: 0, stateDir, outputsFile: null, log: () => {} });

  it("restarts with the same API keys, API ids and IAM credentials, kept owner-only in the state directory", async () => {
    const first = await start(dir);
    await first.stop();
    const second = await start(dir);
    try {
      expect(identities(second.outputs)).to.deep.equal(identities(first.outputs));
      // A client holding the first run's outputs is still accepted.
      const channels = await RegionApi.of({ ...second.outputs, regions: { "eu-west-1": { ...second.outputs.regions["eu-west-1"], apiKey: apiKeyOf(first.outputs.regions["eu-west-1"]) } } }).channels();
      expect(channels).to.deep.equal([]);
    } finally {
      await second.stop();
    }
    expect(fs.statSync(path.join(dir, "local-secrets.json")).mode & 0o777).to.equal(0o600);
  });

  it("without a state directory, makes new ones each time and leaves nothing behind", async () => {
    const first = await start();
    const second = await start();
    await Promise.all([first.stop(), second.stop()]);
    expect(identities(second.outputs).credentials).not.to.deep.equal(identities(first.outputs).credentials);
    expect(second.outputs.regions["us-west-2"].apiKey).not.to.equal(first.outputs.regions["us-west-2"].apiKey);
    expect(fs.existsSync(path.dirname(first.outputs.certificateFile))).to.equal(false);
  });

  it("keeps each stack's own keys, and a region's keys while it is not started", () => {
    const file = path.join(dir, "local-secrets.json");
    const dev = loadOrCreateSecrets(file, "dev", REGIONS);
    const prod = loadOrCreateSecrets(file, "prod", ["us-west-2"]);
    expect(prod.regions["us-west-2"].apiKey).not.to.equal(dev.regions["us-west-2"].apiKey);
    expect(prod.credentials).not.to.deep.equal(dev.credentials);

    expect(loadOrCreateSecrets(file, "dev", ["us-west-2"])).to.deep.equal({ credentials: dev.credentials, regions: { "us-west-2": dev.regions["us-west-2"] } });
    const grown = loadOrCreateSecrets(file, "dev", [...REGIONS, "ap-southeast-2"]);
    expect(grown.regions["eu-west-1"]).to.deep.equal(dev.regions["eu-west-1"]);
    expect(grown.regions["ap-southeast-2"].apiKey).to.match(/^da2-[a-z0-9]{26}$/);
    expect(loadOrCreateSecrets(file, "prod", ["us-west-2"])).to.deep.equal(prod);
  });

  it("refuses a damaged secrets file, naming it, and leaves it as it is", () => {
    const file = path.join(dir, "local-secrets.json");
    for (const [text, problem] of [
      ["{", "is not valid JSON"],
      ['{"stacks": {"dev": {"credentials": {"accessKeyId": "A"}, "regions": {}}}}', 'is not a globalws secrets file (stack "dev" has no credentials)'],
      ['{"stacks": {"dev": {"credentials": {"accessKeyId": "A", "secretAccessKey": "S"}, "regions": {"us-west-2": {"apiKey": 1}}}}}', 'is not a globalws secrets file (region "us-west-2" of stack "dev" has no apiId or apiKey)'],
    ]) {
      fs.writeFileSync(file, text);
      expect(() => loadOrCreateSecrets(file, "dev", REGIONS))
        .to.throw(`${file} ${problem}`)
        .with.property("message")
        .that.matches(/: delete it to make new local keys and credentials$/);
      expect(fs.readFileSync(file, "utf8")).to.equal(text);
    }
  });
});
