import { expect } from "chai";
import { apiKeyExpiry } from "../../infra/apiKeyExpiry";
import { ofType, ProgramRun, runProgram } from "./harness";

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
const REGIONS = ["us-west-2", "eu-west-1"];

/** Runs the program as if it were `isoTime` (only `Date.now` is pinned). */
async function runOn(isoTime: string, config: Record<string, unknown>): Promise<ProgramRun> {
  const realNow = Date.now;
  Date.now = () => Date.parse(isoTime);
  try {
    return await runProgram(config);
  } finally {
    Date.now = realNow;
  }
}

const keysOf = (run: ProgramRun) => ofType(run, "aws:appsync/apiKey:ApiKey");

describe("infra: API key", () => {
  describe("apiKeyExpiry", () => {
    it("lasts at least the full lifetime, on a whole hour, without milliseconds", () => {
      expect(apiKeyExpiry(Date.parse("2026-03-01T10:59:30.123Z"), 1)).to.equal("2026-03-02T11:00:00Z");
      expect(apiKeyExpiry(Date.parse("2026-03-01T10:00:00Z"), 30)).to.equal("2026-03-31T10:00:00Z");
    });

    it("stays within AppSync's 365-day ceiling", () => {
      const now = Date.parse("2026-03-01T10:59:30Z");
      const expiry = Date.parse(apiKeyExpiry(now, 365));
      expect(expiry).to.equal(Date.parse("2027-03-01T10:00:00Z"));
      expect(expiry - now).to.be.at.most(365 * DAY_MS);
    });
  });

  describe("in the program", () => {
    let first: ProgramRun;
    let later: ProgramRun;
    before(async () => {
      first = await runOn("2026-03-01T09:15:00Z", { regions: REGIONS, apiKeyExpiresInDays: 90 });
      later = await runOn("2026-04-07T17:40:00Z", { regions: REGIONS, apiKeyExpiresInDays: 90 });
    });

    it("expires the configured number of days after the run that creates it", () => {
      for (const key of keysOf(first)) expect(key.inputs.expires).to.equal("2026-05-30T10:00:00Z");
    });

    it("declares the same key on another day, apart from the expiry that ignoreChanges keeps from state", () => {
      expect(keysOf(later).map((k) => k.name)).to.deep.equal(keysOf(first).map((k) => k.name));
      for (const key of keysOf(first)) {
        const again = keysOf(later).find((k) => k.name === key.name)!;
        const { expires: firstExpiry, ...firstRest } = key.inputs;
        const { expires: laterExpiry, ...laterRest } = again.inputs;
        expect(laterRest).to.deep.equal(firstRest);
        expect(laterExpiry).not.to.equal(firstExpiry);
        expect(later.options.get(key.name)?.ignoreChanges).to.deep.equal(["expires"]);
      }
    });

    it("rotates when apiKeyGeneration rises: a key under a new name, with a fresh expiry", async () => {
      const rotated = await runOn("2026-04-07T17:40:00Z", { regions: REGIONS, apiKeyExpiresInDays: 90, apiKeyGeneration: 2 });
      expect(keysOf(first).map((k) => k.name)).to.have.members(["us-west-2-key-1", "eu-west-1-key-1"]);
      expect(keysOf(rotated).map((k) => k.name)).to.have.members(["us-west-2-key-2", "eu-west-1-key-2"]);
      for (const key of keysOf(rotated)) {
        expect(key.inputs.description).to.contain("generation 2");
        expect(key.inputs.expires).to.equal("2026-07-06T18:00:00Z");
        expect(rotated.options.get(key.name)?.ignoreChanges).to.deep.equal(["expires"]);
      }
    });
  });
});
