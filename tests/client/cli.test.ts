import { expect } from "chai";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { get } from "node:https";
import { join } from "node:path";
import { credentialsFor } from "../../client/lib/credentials";
import { graphqlRequest } from "../../client/lib/graphqlHttp";
import type { ClientOutputs } from "../../client/lib/outputs";
import { startLocalStackFixture, type LocalStackFixture } from "./localStackFixture";
import { nextLine, run, start } from "./support/cliProcess";

const REGIONS = ["us-west-2", "eu-west-1", "ap-southeast-2"];

/** GETs `url`, trusting the local runtime's certificate. */
function getText(url: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) =>
    get(url, { ca }, (response) => {
      let body = "";
      response.on("data", (chunk) => (body += chunk));
      response.on("end", () => resolve(body));
    }).on("error", reject),
  );
}

describe("command-line client against the local runtime", function () {
  this.timeout(30_000);
  let fixture: LocalStackFixture;
  let outputs: string[];

  before(async () => {
    fixture = await startLocalStackFixture(REGIONS, ["general", "chat.*"]);
    outputs = ["--outputs", fixture.outputsFile];
  });
  after(() => fixture.stop());

  it("prints usage for --help", async () => {
    const result = await run(["--help"]);
    expect(result.code).to.equal(0);
    expect(result.stdout).to.match(/^Usage: globalws <command>/);
    for (const command of ["channels", "subscribe", "publish", "history", "unsubscribe", "smoke", "outage", "token", "web"]) {
      expect(result.stdout).to.include(`  ${command}`);
    }
  });

  it("prints a command's own help for `<command> --help` and `help <command>`", async () => {
    const publish = await run(["publish", "--help"]);
    expect(publish.code).to.equal(0);
    expect(publish.stdout).to.match(/^Usage: globalws publish CHANNEL JSON \[options\]\n/);
    expect(publish.stdout).to.include("--region NAME").and.not.include("smoke");
    const unsubscribe = await run(["help", "unsubscribe"]);
    expect(unsubscribe.code).to.equal(0);
    expect(unsubscribe.stdout).to.match(/^Usage: globalws unsubscribe CHANNEL/);
    expect(unsubscribe.stdout).to.include("CHANNEL need not be on the allowlist, on purpose");
    expect(await run(["frobnicate", "--help"])).to.include({ code: 2, stderr: 'globalws: Unknown command "frobnicate". Commands: channels, subscribe, publish, history, unsubscribe, smoke, outage, token, web.\n' });
  });

  it("finds .globalws/local-outputs.json in the project root from any subdirectory", async () => {
    for (const [marker, text] of [["package.json", '{"name": "globalws"}'], ["Pulumi.yaml", "name: globalws\nmain: infra/index.ts\n"]]) {
      const root = join(fixture.dir, `project-${marker}`);
      mkdirSync(join(root, ".globalws"), { recursive: true });
      mkdirSync(join(root, "client", "web"), { recursive: true });
      writeFileSync(join(root, marker), text);
      writeFileSync(join(root, ".globalws", "local-outputs.json"), readFileSync(fixture.outputsFile));
      const result = await run(["channels", "--region", "eu-west-1"], { cwd: join(root, "client", "web") });
      expect(result, marker).to.include({ code: 0, stdout: "general\nchat.*\n" });
    }
  });

  it("lists the channel allowlist, one per line", async () => {
    const result = await run(["channels", ...outputs, "--region", "eu-west-1"]);
    expect(result).to.include({ code: 0, stdout: "general\nchat.*\n" });
  });

  it("publishes JSON in the chosen region and prints the message as one JSON line", async () => {
    const data = { text: 'quotes " backslash \\ newline \n ünïcødé ✓' };
    const result = await run(["publish", "chat.room", JSON.stringify(data), ...outputs, "--region", "ap-southeast-2"]);
    expect(result.code).to.equal(0);
    const message = JSON.parse(result.stdout);
    expect(message).to.include({ name: "chat.room", origin: "ap-southeast-2" });
    expect(message.data).to.deep.equal(data);
    expect(result.stdout.trim().split("\n")).to.have.length(1);
  });

  it("prints messages from every region while subscribed, and exits 1 on a forced unsubscribe", async () => {
    const subscriber = start(["subscribe", "general", ...outputs, "--region", "eu-west-1"]);
    const exited = new Promise<number | null>((resolve) => subscriber.on("close", resolve));
    let stderr = "";
    subscriber.stderr?.on("data", (chunk) => (stderr += chunk));
    try {
      await nextLine(subscriber.stderr!, /^Subscribed to "general" in eu-west-1/);

      const received = nextLine(subscriber.stdout!, /./);
      const published = await run(["publish", "general", '"hello from the west"', ...outputs]);
      expect(published.code).to.equal(0);
      expect(JSON.parse(await received)).to.include({ name: "general", data: "hello from the west", origin: "us-west-2" });

      const unsubscribed = await run(["unsubscribe", "general", ...outputs, "--region", "ap-southeast-2"], {
        env: fixture.credentialsEnv,
      });
      expect(unsubscribed).to.include({ code: 0 });
      expect(JSON.parse(unsubscribed.stdout)).to.deep.equal({ name: "general", origin: "ap-southeast-2" });
      expect(await exited).to.equal(1);
      expect(stderr).to.include('The server closed the subscription to "general" (forced unsubscribe).');
    } finally {
      subscriber.kill();
    }
  });

  it("reports a delivery that comes with errors and goes on: a back end's publishFromBus that selected too few fields", async () => {
    const subscriber = start(["subscribe", "general", ...outputs]);
    let stderr = "";
    subscriber.stderr?.on("data", (chunk) => (stderr += chunk));
    try {
      await nextLine(subscriber.stderr!, /^Subscribed to "general"/);
      const api = fixture.stack.outputs.regions["us-west-2"];
      const reported = nextLine(subscriber.stderr!, /^A delivery on "general" in us-west-2 came without a message: /);
      // `name` lets the message through the channel filter; `data` and the rest are missing. (A publish
      // must select every field; an IAM caller of publishFromBus, trusted like EventBridge, need not.)
      const query = 'mutation { publishFromBus(name: "general", data: "\\"name and id only\\"", id: "partial-1", origin: "us-west-2", publishedAt: "2026-01-01T00:00:00.000Z") { name id } }';
      await graphqlRequest({ url: api.graphqlUrl, ca: fixture.ca }, { mode: "iam", region: "us-west-2", credentials: credentialsFor(fixture.stack.outputs) }, query);
      const line = await reported;
      expect(line).to.match(/Cannot return null for non-nullable/);

      const received = nextLine(subscriber.stdout!, /./);
      expect(await run(["publish", "general", '"every field"', ...outputs])).to.include({ code: 0 });
      expect(JSON.parse(await received)).to.include({ data: "every field" });
      expect(subscriber.exitCode).to.equal(null);
    } finally {
      subscriber.kill();
    }
  });

  it("takes the local runtime's credentials from its outputs file for unsubscribe", async () => {
    const withCredentials = fixture.writeJson("with-credentials.json", fixture.stack.outputs);
    const result = await run(["unsubscribe", "chat.room", "--outputs", withCredentials]);
    expect(result.code).to.equal(0);
    expect(JSON.parse(result.stdout)).to.deep.equal({ name: "chat.room", origin: "us-west-2" });
  });

  it("unsubscribes a channel that is not on the allowlist, to close one removed from it", async () => {
    const result = await run(["unsubscribe", "removed-channel", ...outputs], { env: fixture.credentialsEnv });
    expect(result).to.include({ code: 0 });
    expect(JSON.parse(result.stdout)).to.deep.equal({ name: "removed-channel", origin: "us-west-2" });
  });

  it("runs smoke across three regions and reports no loss", async () => {
    const result = await run(["smoke", ...outputs, "--count", "10"]);
    expect(result.code, result.stderr).to.equal(0);
    const rows = result.stdout.trim().split("\n").slice(1);
    expect(rows[0].split(/\s{2,}/)).to.deep.equal(["origin \\ destination", ...REGIONS]);
    for (const [index, region] of REGIONS.entries()) {
      const cells = rows[index + 1].split(/\s{2,}/);
      expect(cells[0]).to.equal(region);
      expect(cells.slice(1)).to.have.length(3);
      for (const cell of cells.slice(1)) expect(cell).to.match(/^\d+\/\d+ ms$/);
    }
    expect(result.stderr).to.include("every acknowledged message reached every region, once.");
  });

  it("serves the web app, with the regions' public endpoints, until stopped", async () => {
    const server = start(["web", ...outputs, "--port", "0"]);
    const exited = new Promise<number | null>((resolve) => server.on("close", resolve));
    try {
      const line = await nextLine(server.stdout!, /^globalws web app: /);
      const url = /(https:\/\/127\.0\.0\.1:\d+\/)/.exec(line)?.[1];
      expect(url, line).to.be.a("string");
      const served = await getText(`${url}outputs.json`, readFileSync(fixture.stack.outputs.certificateFile, "utf8"));
      expect(Object.keys(JSON.parse(served).regions)).to.deep.equal(REGIONS);
      expect(served).not.to.include(fixture.stack.outputs.credentials.secretAccessKey);
    } finally {
      server.kill("SIGTERM");
    }
    expect(await exited).to.equal(0);
  });

  describe("failures", () => {
    it("exits 2 on JSON that does not parse", async () => {
      const result = await run(["publish", "general", "{text: hi}", ...outputs]);
      expect(result.code).to.equal(2);
      expect(result.stderr).to.include("The message is not valid JSON");
    });

    it("exits 2 on an unknown region, naming the known ones", async () => {
      const result = await run(["channels", ...outputs, "--region", "mars-1"]);
      expect(result.code).to.equal(2);
      expect(result.stderr).to.include(`Unknown region "mars-1". Regions in these outputs: ${REGIONS.join(", ")}.`);
    });

    it("exits 2 on an unknown command or a missing argument", async () => {
      expect(await run(["frobnicate"])).to.include({ code: 2 });
      const result = await run(["publish", "general", ...outputs]);
      expect(result.code).to.equal(2);
      expect(result.stderr).to.include("Usage: globalws publish CHANNEL JSON");
    });

    it("exits 2 when no outputs are found", async () => {
      const result = await run(["channels"], { cwd: fixture.dir });
      expect(result.code).to.equal(2);
      expect(result.stderr).to.include(`No outputs found: ${join(fixture.dir, ".globalws", "local-outputs.json")} does not exist.`);
    });

    it("exits 2 when the outputs file is malformed", async () => {
      const cases: [string, string][] = [
        ["{ not json", "are not valid JSON"],
        ['{"regions": {}}', 'have no "regions" map.'],
        ['{"regions": {"us-west-2": {"graphqlUrl": "https://127.0.0.1:1/graphql"}}}', 'region us-west-2 has no "realtimeUrl".'],
      ];
      for (const [text, problem] of cases) {
        const file = join(fixture.dir, "malformed.json");
        writeFileSync(file, text);
        const result = await run(["channels", "--outputs", file]);
        expect(result, text).to.include({ code: 2 });
        expect(result.stderr).to.include(`Outputs from ${file}`).and.include(problem);
      }
    });

    it("exits 1 with the server's error for a disallowed channel", async () => {
      const publish = await run(["publish", "secret", "1", ...outputs]);
      expect(publish.code).to.equal(1);
      expect(publish.stderr).to.include('ChannelNotAllowed: Channel "secret" is not allowed.');
      const subscribe = await run(["subscribe", "secret", ...outputs]);
      expect(subscribe.code).to.equal(1);
      expect(subscribe.stderr).to.include('ChannelNotAllowed: Channel "secret" is not allowed.');
      const smoke = await run(["smoke", ...outputs, "--channel", "secret"]);
      expect(smoke.code).to.equal(1);
      expect(smoke.stderr).to.include("ChannelNotAllowed");
    });

    it("exits 1 when the API key or the IAM signature is refused", async () => {
      const fixtureOutputs = fixture.stack.outputs as ClientOutputs;
      const wrongKey = fixture.writeJson("wrong-key.json", {
        regions: Object.fromEntries(
          Object.entries(fixtureOutputs.regions).map(([region, api]) => [region, { ...api, apiKey: "da2-wrong" }]),
        ),
        certificateFile: fixtureOutputs.certificateFile,
      });
      const channels = await run(["channels", "--outputs", wrongKey]);
      expect(channels.code).to.equal(1);
      expect(channels.stderr).to.include("UnauthorizedException");
      const unsubscribe = await run(["unsubscribe", "general", ...outputs], {
        env: { AWS_ACCESS_KEY_ID: "AKIANOTLOCAL", AWS_SECRET_ACCESS_KEY: "wrong" },
      });
      expect(unsubscribe.code).to.equal(1);
      expect(unsubscribe.stderr).to.include("UnauthorizedException");
    });
  });
});
