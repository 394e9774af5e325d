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
    it("lasts the full lifetime plus at least an hour for the deploy to create it, on a whole hour, without milliseconds", () => {
      expect(apiKeyExpiry(Date.parse("2026-03-01T10:59:30.123Z"), 1)).to.equal("2026-03-02T12:00:00Z");
      expect(apiKeyExpiry(Date.parse("2026-03-01T10:00:00Z"), 30)).to.equal("2026-03-31T11:00:00Z");
    });

    it("still gives a one-day key at least a day when AppSync creates it minutes after the program ran", () => {
      // AppSync refuses a key that expires less than a day after it is created.
      for (const computedAt of ["2026-03-01T10:00:00Z", "2026-03-01T10:59:59.999Z", "2026-03-01T10:30:00Z"]) {
        const createdAt = Date.parse(computedAt) + 30 * 60 * 1000;
        expect(Date.parse(apiKeyExpiry(Date.parse(computedAt), 1)) - createdAt, computedAt).to.be.at.least(DAY_MS);
      }
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
      for (const key of keysOf(first)) expect(key.inputs.expires).to.equal("2026-05-30T11:00:00Z");
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
        expect(key.inputs.expires).to.equal("2026-07-06T19:00:00Z");
        expect(rotated.options.get(key.name)?.ignoreChanges).to.deep.equal(["expires"]);
      }
    });
  });
});
