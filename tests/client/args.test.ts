import { expect } from "chai";
import { parseCommandLine } from "../../client/cli/args";
import { parseSince } from "../../client/cli/since";
import { ClientError } from "../../client/lib/errors";

/** The usage error `argv` gets, with its exit code. */
function misuse(argv: string[]): [string, number] {
  try {
    parseCommandLine(argv);
  } catch (error) {
    expect(error).to.be.instanceOf(ClientError);
    return [(error as ClientError).message, (error as ClientError).exitCode];
  }
  throw new Error(`${argv.join(" ")} parsed`);
}

describe("command line: arguments", () => {
  it("takes smoke's --count as a whole number of messages", () => {
    expect(parseCommandLine(["smoke", "--count", "5"])).to.include({ command: "smoke", count: 5 });
    expect(misuse(["smoke", "--count", "2.5"])).to.deep.equal(['--count must be a whole number, not "2.5".', 2]);
    expect(misuse(["smoke", "--count", "0"])).to.deep.equal(['--count must be a positive number, not "0".', 2]);
  });
});

describe("command line: resume and failover options", () => {
  it("takes --no-failover, --since, --limit, --id and --seconds", () => {
    expect(parseCommandLine(["subscribe", "cars", "--no-failover", "--since", "10m"])).to.include({ command: "subscribe", failover: false, since: "10m" });
    expect(parseCommandLine(["subscribe", "cars"])).to.include({ failover: true });
    expect(parseCommandLine(["history", "cars", "--limit", "5"])).to.include({ command: "history", limit: 5 });
    expect(parseCommandLine(["publish", "cars", "1", "--id", "order-1"])).to.include({ id: "order-1" });
    expect(parseCommandLine(["outage", "us-west-2", "--seconds", "2.5"])).to.include({ command: "outage", seconds: 2.5 });
    expect(parseCommandLine(["smoke", "--outage", "us-west-2"])).to.include({ outage: "us-west-2", seconds: undefined });
    expect(misuse(["outage", "us-west-2", "--seconds", "0"])).to.deep.equal(['--seconds must be a positive number, not "0".', 2]);
    expect(misuse(["history", "cars", "--limit", "1.5"])).to.deep.equal(['--limit must be a whole number, not "1.5".', 2]);
    expect(misuse(["outage"])[1]).to.equal(2);
  });
});

describe("command line: --since", () => {
  const now = Date.parse("2030-01-02T03:04:05.000Z");

  it("takes an ISO time, or a duration back from now", () => {
    expect(parseSince("2030-01-01T00:00:00Z", now)).to.equal("2030-01-01T00:00:00.000Z");
    expect(parseSince("2030-01-01T01:00:00+01:00", now)).to.equal("2030-01-01T00:00:00.000Z");
    expect(parseSince("30s", now)).to.equal("2030-01-02T03:03:35.000Z");
    expect(parseSince("10m", now)).to.equal("2030-01-02T02:54:05.000Z");
    expect(parseSince("1h30m", now)).to.equal("2030-01-02T01:34:05.000Z");
    expect(parseSince("1d", now)).to.equal("2030-01-01T03:04:05.000Z");
    expect(parseSince("250ms", now)).to.equal("2030-01-02T03:04:04.750Z");
  });

  it("refuses anything else as wrong usage", () => {
    for (const text of ["yesterday", "10", "1y", "-5m", "2030-13-45T00:00:00Z"]) {
      expect(() => parseSince(text, now), text).to.throw(ClientError, `not "${text}"`).with.property("exitCode", 2);
    }
  });
});
