import { expect } from "chai";
import { RegionApi } from "../../client/lib/regionApi";
import { startLocalStackFixture, type LocalStackFixture } from "./localStackFixture";
import { nextLine, run, start } from "./support/cliProcess";
import { waitFor } from "./support/waitFor";

const REGIONS = ["us-west-2", "eu-west-1", "ap-southeast-2"];

/** The JSON lines of `stdout`. */
const jsonLines = (stdout: string) => stdout.trim().split("\n").filter(Boolean).map((line) => JSON.parse(line) as { id: string; data: unknown; origin: string; publishedAt: string });

describe("command-line client: history, ids, resume and failover (local runtime)", function () {
  this.timeout(60_000);
  let fixture: LocalStackFixture;
  let outputs: string[];
  const api = (region: string) => RegionApi.of(fixture.stack.outputs, region);

  before(async () => {
    fixture = await startLocalStackFixture(REGIONS, ["general", "chat.*"]);
    outputs = ["--outputs", fixture.outputsFile];
  });
  after(() => fixture.stop());

  it("history prints every stored message oldest first, reading every page, from --since, up to --limit", async () => {
    const published = [];
    for (let n = 0; n < 101; n += 1) published.push(await api(REGIONS[n % 3]).publish("chat.history", n));
    const all = await run(["history", "chat.history", ...outputs, "--region", "eu-west-1"]);
    expect(all.code, all.stderr).to.equal(0);
    expect(jsonLines(all.stdout).map((message) => message.data)).to.deep.equal(Array.from({ length: 101 }, (_, n) => n));

    const limited = await run(["history", "chat.history", ...outputs, "--since", "1h", "--limit", "3"]);
    expect(jsonLines(limited.stdout).map((message) => message.id)).to.deep.equal(published.slice(0, 3).map((message) => message.id));
    const fromLast = await run(["history", "chat.history", ...outputs, "--since", published[100].publishedAt]);
    expect(jsonLines(fromLast.stdout).map((message) => message.data)).to.deep.equal([100]);
    const future = await run(["history", "chat.history", ...outputs, "--since", "2999-01-01T00:00:00Z"]);
    expect(future).to.include({ code: 0, stdout: "" });
    const bad = await run(["history", "chat.history", ...outputs, "--since", "yesterday"]);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.include('--since must be an ISO time (e.g. 2024-05-01T12:00:00Z) or a duration back from now (30s, 10m, 2h, 1d, 1h30m), not "yesterday".');
  });

  it("publish --id stores a message once: a second publish with the same id returns the original", async () => {
    const first = await run(["publish", "chat.ids", '"once"', "--id", "order-17", ...outputs]);
    const again = await run(["publish", "chat.ids", '"once"', "--id", "order-17", ...outputs]);
    expect(first.code, first.stderr).to.equal(0);
    expect(jsonLines(again.stdout)).to.deep.equal(jsonLines(first.stdout));
    const stored = await run(["history", "chat.ids", ...outputs]);
    expect(jsonLines(stored.stdout).map((message) => message.id)).to.deep.equal(["order-17"]);
  });

  it("publish retries a region that cannot be reached with the same id, then fails over", async () => {
    await fixture.stack.setRegionDown("ap-southeast-2", true);
    try {
      const result = await run(["publish", "chat.failover", '"through another region"', "--region", "ap-southeast-2", "--id", "retried-1", ...outputs]);
      expect(result.code, result.stderr).to.equal(0);
      expect(result.stderr.match(/^Publish in ap-southeast-2 failed \(Cannot reach https:\/\/127\.0\.0\.1:\d+: connect ECONNREFUSED[^)]*\); retrying/gm)).to.have.length(3);
      expect(result.stderr).to.match(/retrying in us-west-2 in \d+ ms with the same id\.$/m);
      expect(jsonLines(result.stdout)[0]).to.include({ id: "retried-1", origin: "us-west-2", data: "through another region" });
    } finally {
      await fixture.stack.setRegionDown("ap-southeast-2", false);
    }
  });

  it("subscribe --since prints the history first, then live messages, each once", async () => {
    const before = await api("us-west-2").publish("chat.since", "before");
    const subscriber = start(["subscribe", "chat.since", "--since", before.publishedAt, ...outputs]);
    let stdout = "";
    subscriber.stdout?.on("data", (chunk) => (stdout += chunk));
    try {
      await nextLine(subscriber.stderr!, /^Subscribed to "chat\.since" in us-west-2/);
      await api("eu-west-1").publish("chat.since", "live");
      await waitFor(() => stdout.includes('"live"'), "the live message printed");
      expect(jsonLines(stdout).map((message) => message.data)).to.deep.equal(["before", "live"]);
    } finally {
      subscriber.kill();
    }
  });

  it("subscribe fails over when its region goes down, says so on stderr, and prints every message once", async () => {
    const subscriber = start(["subscribe", "chat.outage", "--region", "eu-west-1", ...outputs]);
    let stdout = "";
    let stderr = "";
    subscriber.stdout?.on("data", (chunk) => (stdout += chunk));
    subscriber.stderr?.on("data", (chunk) => (stderr += chunk));
    try {
      await nextLine(subscriber.stderr!, /^Subscribed to "chat\.outage" in eu-west-1/);
      await api("us-west-2").publish("chat.outage", "before");
      await waitFor(() => stdout.includes('"before"'), "the first message printed");
      await fixture.stack.setRegionDown("eu-west-1", true);
      await api("us-west-2").publish("chat.outage", "during");
      await nextLine(subscriber.stderr!, /^Resumed "chat\.outage" in us-west-2 after [\d.]+ s: caught up/);
      await fixture.stack.setRegionDown("eu-west-1", false);
      await api("ap-southeast-2").publish("chat.outage", "after");
      await waitFor(() => stdout.includes('"after"'), "the message published after the outage printed");
      expect(jsonLines(stdout).map((message) => message.data)).to.deep.equal(["before", "during", "after"]);
      expect(stderr).to.match(/^Connection for "chat\.outage" lost \(The real-time connection closed\.\); reconnecting to eu-west-1 in \d+ ms\.$/m);
      expect(stderr).to.include("Failed over to us-west-2 (eu-west-1 cannot be reached).");
    } finally {
      subscriber.kill();
      await fixture.stack.setRegionDown("eu-west-1", false);
    }
  });

  it("outage takes a region of the local runtime down for --seconds and waits until it is back", async () => {
    const result = await run(["outage", "eu-west-1", "--seconds", "1", ...outputs], { env: fixture.credentialsEnv });
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.match(/^eu-west-1 is down until \S+ \(1 s\): connections refused, bus and history replication stopped\.\neu-west-1 is back up\.\n$/);
  });

  it("smoke --outage takes a region down mid-run, and every subscriber still delivers every acknowledged message once", async () => {
    const result = await run(["smoke", ...outputs, "--count", "6", "--outage", "ap-southeast-2", "--seconds", "2", "--timeout", "20"], { env: fixture.credentialsEnv });
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.include("Outage of ap-southeast-2 for 2 s; what each subscriber saw:");
    expect(result.stdout).to.match(/^ {2}ap-southeast-2 {2}dropped 1×, [\d.]+ s without a live subscription; caught up \d+/m);
    expect(result.stdout).to.match(/^ {2}us-west-2 {7}never dropped$/m);
    expect(result.stderr).to.include("every acknowledged message reached every region, once.");
  });

  it("outage refuses an unknown region, and needs the local runtime's IAM credentials", async () => {
    const unknown = await run(["outage", "mars-1", ...outputs], { env: fixture.credentialsEnv });
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr).to.include('Unknown region "mars-1"');
    const unsigned = await run(["outage", "eu-west-1", ...outputs], { env: { AWS_ACCESS_KEY_ID: "AKIANOTLOCAL", AWS_SECRET_ACCESS_KEY: "wrong" } });
    expect(unsigned.code).to.equal(1);
    expect(unsigned.stderr).to.include("UnauthorizedException");
  });
});
