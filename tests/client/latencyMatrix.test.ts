import { expect } from "chai";
import { formatLatencyMatrix, lost, percentile, type RouteStats } from "../../client/cli/latencyMatrix";
import { smokeChannelFor, smokePassed } from "../../client/cli/smoke";

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

  it("fails a run with a lost message or a refused publish", () => {
    const clean = { channel: "c", regions: ["a"], routes: [route("a", "a", [1, 2, 3])], publishErrors: [] };
    expect(smokePassed(clean)).to.equal(true);
    expect(smokePassed({ ...clean, routes: [route("a", "a", [1, 2])] })).to.equal(false);
    expect(smokePassed({ ...clean, publishErrors: ["a: MessageTooLarge"] })).to.equal(false);
  });

  it("picks a channel the allowlist permits, preferring a prefix", () => {
    expect(smokeChannelFor([])).to.equal("globalws-smoke");
    expect(smokeChannelFor(["general", "ops.*"])).to.equal("ops.smoke");
    expect(smokeChannelFor(["general", "news"])).to.equal("general");
  });
});
