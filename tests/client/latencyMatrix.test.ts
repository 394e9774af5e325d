import { expect } from "chai";
import { formatLatencyMatrix, lost, percentile, type RouteStats } from "../../client/cli/latencyMatrix";
import { formatOutageReport, smokeChannelFor, smokePassed } from "../../client/cli/smoke";

const route = (origin: string, destination: string, latenciesMs: number[], sent = 3): RouteStats => ({
  origin,
  destination,
  sent,
  latenciesMs,
  duplicates: 0,
});

describe("smoke: latency matrix", () => {
  it("takes percentiles by nearest rank", () => {
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(percentile(values, 50)).to.equal(5);
    expect(percentile(values, 99)).to.equal(10);
    expect(percentile([42], 99)).to.equal(42);
    expect(percentile([], 50)).to.equal(undefined);
  });

  it("prints one row per origin and one column per destination, with losses", () => {
    const routes = [
      route("a", "a", [1, 2, 3]),
      route("a", "b", [10, 20]),
      route("b", "a", [30, 40, 50]),
      route("b", "b", [4, 5, 6]),
    ];
    const lines = formatLatencyMatrix(["a", "b"], routes).split("\n");
    expect(lines).to.have.length(3);
    expect(lines[0].split(/\s{2,}/)).to.deep.equal(["origin \\ destination", "a", "b"]);
    expect(lines[1].split(/\s{2,}/)).to.deep.equal(["a", "2/3 ms", "10/20 ms, 1 lost"]);
    expect(lines[2].split(/\s{2,}/)).to.deep.equal(["b", "40/50 ms", "5/6 ms"]);
    expect(routes.map(lost)).to.deep.equal([0, 1, 0, 0]);
  });

  it("fails a run with a lost or repeated message or a failed publish", () => {
    const clean = { channel: "c", regions: ["a"], routes: [route("a", "a", [1, 2, 3])], publishErrors: [], subscribers: [] };
    expect(smokePassed(clean)).to.equal(true);
    expect(smokePassed({ ...clean, routes: [route("a", "a", [1, 2])] })).to.equal(false);
    expect(smokePassed({ ...clean, routes: [{ ...route("a", "a", [1, 2, 3]), duplicates: 1 }] })).to.equal(false);
    expect(smokePassed({ ...clean, publishErrors: ["a: MessageTooLarge"] })).to.equal(false);
  });

  it("says what each subscriber saw of an outage", () => {
    const result = {
      channel: "c",
      regions: ["us-west-2", "eu-west-1"],
      routes: [],
      publishErrors: [],
      outage: { region: "us-west-2", seconds: 5 },
      subscribers: [
        { region: "us-west-2", drops: 1, downMs: 3_140, failovers: ["eu-west-1"], caughtUp: 4, gaps: 0 },
        { region: "eu-west-1", drops: 0, downMs: 0, failovers: [], caughtUp: 0, gaps: 0 },
      ],
    };
    expect(formatOutageReport(result)).to.deep.equal([
      "Outage of us-west-2 for 5 s; what each subscriber saw:",
      "  us-west-2  dropped 1×, 3.1 s without a live subscription; caught up 4; failed over to eu-west-1",
      "  eu-west-1  never dropped",
    ]);
  });

  it("picks a channel the allowlist permits, preferring a prefix", () => {
    expect(smokeChannelFor([])).to.equal("globalws-smoke");
    expect(smokeChannelFor(["general", "ops.*"])).to.equal("ops.smoke");
    expect(smokeChannelFor(["general", "news"])).to.equal("general");
  });
});
