import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tokenClaims } from "../../client/lib/tokenClaims";
import { startLocalStack, type LocalStack } from "../../local";
import { mintLocalToken } from "../../local/oidc/mintToken";
import { nextLine, run, start } from "./support/cliProcess";

const REGIONS = ["us-west-2", "eu-west-1"];

describe("command-line client with signed-in users (--token, GLOBALWS_TOKEN, globalws token)", function () {
  this.timeout(30_000);
  let stack: LocalStack;
  let dir: string;
  let outputs: string[];

  before(async () => {
    stack = await startLocalStack({
      regions: REGIONS,
      channels: ["chat.*", "inbox-*"],
      basePort: 0,
      outputsFile: null,
      oidc: { groupsClaim: "cognito:groups" },
      rights: [
        { group: "members", publish: ["chat.*"], subscribe: ["chat.*"] },
        // Anyone signed in may write to an inbox; only its owner reads it.
        { group: "*", publish: ["inbox-*"], subscribe: ["inbox-{sub}"] },
      ],
      // A read-only API key: only signed-in users publish.
      apiKeyAccess: "subscribe",
      log: () => {},
    });
    dir = mkdtempSync(join(tmpdir(), "globalws-cli-users-"));
    const file = join(dir, "outputs.json");
    writeFileSync(file, JSON.stringify(stack.outputs));
    outputs = ["--outputs", file];
  });
  after(async () => {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const token = async (sub: string, groups: string[] = []) => {
    const result = await run(["token", "--sub", sub, "--groups", groups.join(","), ...outputs]);
    expect(result.code, result.stderr).to.equal(0);
    return result.stdout.trim();
  };

  it("prints a token for a user and their groups from the local issuer, valid for an hour by default", async () => {
    const alice = await token("alice", ["members", "admins"]);
    const claims = tokenClaims(alice);
    expect(claims?.sub).to.equal("alice");
    expect(claims?.claims["cognito:groups"]).to.deep.equal(["members", "admins"]);
    expect(claims?.claims.iss).to.equal(stack.outputs.oidc?.issuer);
    expect((claims?.exp ?? 0) - Math.floor(Date.now() / 1000)).to.be.within(3590, 3600);
  });

  it("publishes with --token or GLOBALWS_TOKEN in place of the API key, as the token's user", async () => {
    const alice = await token("alice", ["members"]);
    const viaOption = await run(["publish", "chat.lobby", '"hello"', "--token", alice, ...outputs]);
    expect(viaOption.code, viaOption.stderr).to.equal(0);
    expect(JSON.parse(viaOption.stdout)).to.include({ name: "chat.lobby", data: "hello", sender: "alice" });
    const viaEnv = await run(["publish", "chat.lobby", '"again"', ...outputs], { env: { GLOBALWS_TOKEN: alice } });
    expect(viaEnv.code, viaEnv.stderr).to.equal(0);
    expect(JSON.parse(viaEnv.stdout)).to.include({ sender: "alice" });
  });

  it("says plainly when the right is missing, and when the read-only API key may not publish", async () => {
    const bob = await token("bob");
    const refused = await run(["publish", "chat.lobby", '"hi"', "--token", bob, ...outputs]);
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.contain("Unauthorized").and.contain('"chat.lobby"').and.contain("publish");
    const keyOnly = await run(["publish", "chat.lobby", '"hi"', ...outputs]);
    expect(keyOnly.code).to.equal(1);
    expect(keyOnly.stderr).to.contain("Not Authorized to access publish on type Mutation");
  });

  it("subscribes with the token: a private inbox only its owner reads, with the sender of what arrives", async () => {
    const [alice, bob] = [await token("alice", ["members"]), await token("bob")];
    const subscriber = start(["subscribe", "inbox-bob", "--token", bob, ...outputs, "--region", "eu-west-1"]);
    try {
      await nextLine(subscriber.stderr!, /^Subscribed to "inbox-bob"/);
      const received = nextLine(subscriber.stdout!, /./);
      const sent = await run(["publish", "inbox-bob", '"for bob"', "--token", alice, ...outputs, "--region", "us-west-2"]);
      expect(sent.code, sent.stderr).to.equal(0);
      expect(JSON.parse(await received)).to.include({ name: "inbox-bob", data: "for bob", sender: "alice", origin: "us-west-2" });
      const peek = await run(["subscribe", "inbox-bob", "--token", alice, ...outputs]);
      expect(peek.code).to.equal(1);
      expect(peek.stderr).to.contain("Unauthorized").and.contain("inbox-bob").and.contain("subscribe");
    } finally {
      subscriber.kill();
    }
  });

  it("says when the token has expired", async () => {
    const expired = await mintLocalToken(stack.outputs, { sub: "alice", groups: ["members"], ttl: "1h", now: new Date(Date.now() - 2 * 3_600_000) });
    const result = await run(["channels", "--token", expired, ...outputs]);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.match(/The token expired at \d{4}-\d{2}-\d{2}T[\d:.]+Z: get a fresh one\./);
    const subscription = await run(["subscribe", "chat.lobby", "--token", expired, ...outputs]);
    expect(subscription.code).to.equal(1);
    expect(subscription.stderr).to.contain("The token expired at");
  });

  it("refuses to make a token for a deployed stack's outputs, saying why", async () => {
    const { oidc, credentials, certificateFile, ...deployed } = stack.outputs;
    expect([oidc, credentials, certificateFile]).not.to.include(undefined);
    const file = join(dir, "deployed.json");
    writeFileSync(file, JSON.stringify(deployed));
    const result = await run(["token", "--sub", "alice", "--outputs", file]);
    expect(result.code).to.equal(2);
    expect(result.stderr).to.contain("deployed");
  });
});
