import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigError } from "../../infra/config";
import { startLocalStack } from "../../local/index";
import { readStackConfig } from "../../local/stackConfig";

describe("local runtime: stack config and outputs", function () {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "globalws-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("reads only the globalws keys of Pulumi.<stack>.yaml and fills the defaults", function () {
    fs.writeFileSync(path.join(dir, "Pulumi.demo.yaml"), "config:\n  aws:region: us-east-1\n  globalws:regions: [eu-west-1, us-east-1]\n  globalws:channels: [\"news*\"]\n");
    const config = readStackConfig("demo", dir);
    expect(config.regions).to.deep.equal(["eu-west-1", "us-east-1"]);
    expect(config.channels).to.deep.equal(["news*"]);
    expect(config.deliveryRetryAttempts).to.equal(10);
  });

  it("reads values as `pulumi config set` stores them, top-level ones as strings, as pulumi up does", function () {
    fs.writeFileSync(path.join(dir, "Pulumi.set.yaml"), 'config:\n  globalws:regions: [eu-west-1]\n  globalws:queryDepthLimit: "5"\n  globalws:xrayEnabled: "true"\n  globalws:historyRetentionHours: "0"\n');
    const config = readStackConfig("set", dir);
    expect(config).to.include({ queryDepthLimit: 5, xrayEnabled: true, historyRetentionHours: 0 });
  });

  it("refuses bad config with the errors pulumi up gives", function () {
    fs.writeFileSync(path.join(dir, "Pulumi.bad.yaml"), "config:\n  globalws:regions: [Mars-1]\n  globalws:deliveryRetryAttempts: 500\n");
    expect(() => readStackConfig("bad", dir))
      .to.throw(ConfigError, 'globalws:regions has "Mars-1"')
      .with.property("problems").that.has.length(2);
  });

  it("names the missing file and the --stack flag", function () {
    expect(() => readStackConfig("nope", dir)).to.throw(/Pulumi\.nope\.yaml not found.*--stack/);
  });

  it("writes the outputs file in the contract's shape, with the local credentials and certificate", async function () {
    const file = path.join(dir, "outputs.json");
    const lines: string[] = [];
    const stack = await startLocalStack({ regions: ["us-west-2", "eu-west-1"], channels: [], basePort: 0, stateDir: dir, outputsFile: file, log: (line) => lines.push(line) });
    await stack.stop();
    const written = JSON.parse(fs.readFileSync(file, "utf8"));
    expect(written).to.deep.equal(stack.outputs);
    expect(Object.keys(written.regions)).to.deep.equal(["us-west-2", "eu-west-1"]);
    expect(written.regions["eu-west-1"]).to.have.all.keys("graphqlUrl", "realtimeUrl", "apiId", "apiKey", "eventBusArn", "deadLetterQueueUrl");
    expect(written.regions["eu-west-1"].graphqlUrl).to.match(/^https:\/\/127\.0\.0\.1:\d+\/graphql$/);
    expect(written.regions["eu-west-1"].apiKey).to.match(/^da2-[a-z0-9]{26}$/);
    expect(written.credentials).to.have.all.keys("accessKeyId", "secretAccessKey");
    expect(fs.readFileSync(written.certificateFile, "utf8")).to.contain("BEGIN CERTIFICATE");
    expect(lines.join("\n")).to.contain(written.regions["us-west-2"].realtimeUrl).and.contain(file);
  });
});
