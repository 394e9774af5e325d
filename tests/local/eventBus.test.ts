import { expect } from "chai";
import { planRouting, type AppSyncTarget, type RouteRule } from "../../infra/routing";
import { EventBus, MAX_DEAD_LETTERS, MAX_PUT_EVENTS_BYTES, putEventsEntrySize, type DeadLetter } from "../../local/eventbridge/bus";

type Call = { region: string; field: string; variables: Record<string, unknown> };

/** Buses for `regions` running the routing plan; `fail` decides whether an AppSync target call fails. */
function mesh(regions: string[], fail: (call: Call) => boolean = () => false, retryAttempts = 2, retryDelayMs = 1) {
  const calls: Call[] = [];
  const logs: string[] = [];
  const plan = planRouting(regions);
  const buses = new Map<string, EventBus>();
  for (const region of regions) {
    buses.set(region, new EventBus(
      { region, account: "000000000000", rules: plan.filter((rule) => rule.region === region), latencyMs: 0, retryAttempts, retryDelayMs, maxEventAgeMs: 60_000, log: (line) => logs.push(line) },
      (other) => buses.get(other) as EventBus,
      async (target: AppSyncTarget, variables) => {
        const call = { region: target.region, field: target.field, variables };
        calls.push(call);
        return fail(call) ? [{ message: "boom" }] : [];
      },
    ));
  }
  const bus = (region: string) => buses.get(region) as EventBus;
  return { bus, calls, logs, close: () => buses.forEach((each) => each.close()) };
}

const published = (origin: string, name = "cars") => ({
  source: "globalws",
  detailType: "message.published",
  detail: { name, data: "{\"q\":\"\\\"\"}", id: `m-${origin}`, origin, via: origin, publishedAt: "2024-01-01T00:00:00Z" },
});

/** Waits until `check` holds; gives up after 10 s, so a failed test does not keep the process spinning. */
const until = async (check: () => boolean) => {
  const giveUp = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > giveUp) throw new Error("the awaited condition never held");
    await new Promise((resolve) => setImmediate(resolve));
  }
};

describe("local runtime: EventBridge buses", function () {
  it("answers PutEvents with an entry per event and refuses malformed ones per entry", function () {
    const { bus, close } = mesh(["us-west-2"]);
    const result = bus("us-west-2").putEvents([published("us-west-2"), { source: "globalws", detailType: "x", detail: "[1]" }]);
    expect(result.FailedEntryCount).to.equal(1);
    expect(result.Entries[0].EventId).to.be.a("string");
    expect(result.Entries[1]).to.deep.equal({ ErrorCode: "MalformedEntry", ErrorMessage: "Detail must be a JSON object" });
    close();
  });

  it("sizes an entry as EventBridge does: 14 bytes for a Time, UTF-8 bytes for Source, DetailType, Detail and Resources", () => {
    expect(putEventsEntrySize({ source: "src", detailType: "dé", detail: '{"a":"€"}' })).to.equal(3 + 3 + 11);
    expect(putEventsEntrySize({ source: "s", detailType: "d", detail: { a: "€" }, resources: ["r1", "r22"], time: "2024-01-01T00:00:00Z" })).to.equal(14 + 1 + 1 + 11 + 5);
  });

  it("refuses a call over 256 KB as a whole, as PutEvents does, and takes one of exactly 256 KB", async function () {
    const { bus, calls, close } = mesh(["us-west-2", "ap-southeast-2"]);
    const entry = (detailBytes: number) => ({ source: "globalws", detailType: "message.published", detail: JSON.stringify({ name: "big", origin: "us-west-2", via: "us-west-2", data: "q".repeat(detailBytes) }) });
    const fixed = putEventsEntrySize(entry(100)) - 100;
    const atLimit = entry(MAX_PUT_EVENTS_BYTES - fixed);
    expect(putEventsEntrySize(atLimit)).to.equal(MAX_PUT_EVENTS_BYTES);
    expect(bus("us-west-2").putEvents([atLimit]).FailedEntryCount).to.equal(0);
    const over = entry(MAX_PUT_EVENTS_BYTES - fixed + 1);
    expect(() => bus("us-west-2").putEvents([over])).to.throw("Total size of the entries in the request is over the limit.").with.property("type", "ValidationException");
    const half = entry((MAX_PUT_EVENTS_BYTES - 2 * fixed) / 2 + 1);
    expect(() => bus("us-west-2").putEvents([half, half])).to.throw().with.property("type", "ValidationException");
    await until(() => calls.length === 1);
    expect(calls.map((call) => call.variables.name)).to.deep.equal(["big"]);
    close();
  });

  it("delivers an event to every other region's API exactly once, its detail as the variables (one hop, full mesh)", async function () {
    const regions = ["us-west-2", "ap-southeast-2", "eu-west-1", "sa-east-1"];
    const { bus, calls, close } = mesh(regions);
    bus("eu-west-1").putEvents([published("eu-west-1")]);
    bus("us-west-2").putEvents([published("us-west-2")]);
    // Sentinels put afterwards on the same buses: once all arrived, so did anything before them.
    bus("eu-west-1").putEvents([published("eu-west-1", "sentinel")]);
    bus("us-west-2").putEvents([published("us-west-2", "sentinel")]);
    await until(() => calls.filter((call) => call.variables.name === "sentinel").length === 6);
    const delivered = calls.filter((call) => call.variables.name !== "sentinel").map((call) => `${call.variables.origin}→${call.region}`).sort();
    expect(delivered).to.deep.equal([
      "eu-west-1→ap-southeast-2", "eu-west-1→sa-east-1", "eu-west-1→us-west-2",
      "us-west-2→ap-southeast-2", "us-west-2→eu-west-1", "us-west-2→sa-east-1",
    ]);
    expect(calls[0].field).to.equal("publishFromBus");
    expect(calls.find((call) => call.variables.origin === "eu-west-1")?.variables).to.deep.equal(published("eu-west-1").detail);
    close();
  });

  it("does not forward an event that arrived from another bus (EventBridge's one-hop rule)", async function () {
    // Two buses that forward everything to each other, and deliver everything to their API: without the rule, a loop.
    const calls: string[] = [];
    const buses = new Map<string, EventBus>();
    for (const [region, other] of [["us-west-2", "ap-southeast-2"], ["ap-southeast-2", "us-west-2"]]) {
      const rules: RouteRule[] = [
        { name: "all-over", region, description: "", eventPattern: { source: ["globalws"] }, targets: [{ kind: "bus", region: other }] },
        { name: "deliver", region, description: "", eventPattern: { source: ["globalws"] }, targets: [{ kind: "appsync", region, field: "publishFromBus", operation: "", inputPath: "$.detail" }] },
      ];
      buses.set(region, new EventBus(
        { region, account: "000000000000", rules, latencyMs: 0, retryAttempts: 0, retryDelayMs: 1, maxEventAgeMs: 60_000, log: () => {} },
        (name) => buses.get(name) as EventBus,
        async (target, variables) => {
          calls.push(`${variables.name}@${target.region}`);
          return [];
        },
      ));
    }
    const west = buses.get("us-west-2") as EventBus;
    west.putEvents([published("us-west-2")]);
    west.putEvents([published("us-west-2", "sentinel")]);
    await until(() => calls.filter((call) => call.startsWith("sentinel@")).length === 2);
    expect(calls.filter((call) => call.startsWith("cars@")).sort()).to.deep.equal(["cars@ap-southeast-2", "cars@us-west-2"]);
    buses.forEach((bus) => bus.close());
  });

  it("retries a failing AppSync target, then keeps the event in the region's dead-letter list and logs it", async function () {
    let failures = 0;
    const { bus, calls, logs, close } = mesh(["us-west-2", "ap-southeast-2"], (call) => call.variables.name === "doomed" || (call.variables.name === "flaky" && ++failures <= 1));
    bus("us-west-2").putEvents([published("us-west-2", "flaky"), published("us-west-2", "doomed")]);
    const letters: DeadLetter[] = bus("ap-southeast-2").deadLetters;
    await until(() => letters.length === 1);
    expect(calls.filter((call) => call.variables.name === "flaky")).to.have.length(2);
    expect(calls.filter((call) => call.variables.name === "doomed")).to.have.length(3);
    expect(letters[0]).to.include({ rule: "deliver-messages", target: "ap-southeast-2 publishFromBus", error: "boom", attempts: 3 });
    expect(logs.join("\n")).to.contain("dead letter").and.contain("after 3 attempts");
    close();
  });

  it("keeps only the newest dead letters, however long an outage lasts", async function () {
    const { bus, close } = mesh(["us-west-2", "ap-southeast-2"], () => true, 0);
    const total = MAX_DEAD_LETTERS + 5;
    for (let n = 0; n < total; n += 1) bus("us-west-2").putEvents([published("us-west-2", `lost-${n}`)]);
    const letters: DeadLetter[] = bus("ap-southeast-2").deadLetters;
    await until(() => letters.some((letter) => letter.event.detail.name === `lost-${total - 1}`));
    expect(letters).to.have.length(MAX_DEAD_LETTERS);
    expect(letters[0].event.detail.name).to.equal("lost-5");
    close();
  });

  describe("a region's bus taken down (outage rehearsal)", () => {
    it("refuses what other buses forward to it; their targets retry and deliver once it is back", async function () {
      const { bus, calls, close } = mesh(["us-west-2", "ap-southeast-2"], () => false, 10, 50);
      const sydney = bus("ap-southeast-2");
      let refused = 0;
      const receive = sydney.receive.bind(sydney);
      sydney.receive = (event) => receive(event) || (refused += 1, false);
      sydney.setDown(true);
      bus("us-west-2").putEvents([published("us-west-2")]);
      await until(() => refused === 1);
      sydney.setDown(false);
      await until(() => calls.length === 1);
      expect(calls[0]).to.deep.include({ region: "ap-southeast-2", field: "publishFromBus" });
      close();
    });

    it("dead-letters, in the forwarding region, an event its target bus stayed down for past the retry budget", async function () {
      const { bus, calls, logs, close } = mesh(["us-west-2", "ap-southeast-2"], () => false, 2, 1);
      bus("ap-southeast-2").setDown(true);
      bus("us-west-2").putEvents([published("us-west-2")]);
      const letters = bus("us-west-2").deadLetters;
      await until(() => letters.length === 1);
      expect(letters[0]).to.include({ rule: "forward-0", target: "bus ap-southeast-2", error: "The event bus in ap-southeast-2 is unavailable", attempts: 3 });
      expect(calls).to.deep.equal([]);
      expect(logs.join("\n")).to.contain("dead letter: rule forward-0 → bus ap-southeast-2");
      close();
    });

    it("neither delivers nor forwards while down; what fell due then runs once it is back", async function () {
      const { bus, calls, close } = mesh(["us-west-2", "ap-southeast-2", "eu-west-1"]);
      const west = bus("us-west-2");
      west.putEvents([published("us-west-2")]);
      west.setDown(true);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(calls).to.deep.equal([]);
      west.setDown(false);
      await until(() => calls.length === 2);
      expect(calls.map((call) => call.region).sort()).to.deep.equal(["ap-southeast-2", "eu-west-1"]);
      close();
    });
  });
});
