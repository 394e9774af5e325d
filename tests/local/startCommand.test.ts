import { expect } from "chai";
import * as fs from "fs";
import { get } from "https";
import { createServer, type AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { parseStartCommand, startLocalRun, type LocalRun } from "../../local/startCommand";

/** A port that was free a moment ago. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

/** GETs `url` as JSON, trusting the local certificate. */
function getJson(url: string, ca: string): Promise<{ regions: Record<string, { graphqlUrl: string }> }> {
  return new Promise((resolve, reject) =>
    get(url, { ca }, (response) => {
      let body = "";
      response.on("data", (chunk) => (body += chunk));
      response.on("end", () => resolve(JSON.parse(body)));
    }).on("error", reject),
  );
}

describe("npm start: command line", function () {
  this.timeout(30_000);

  it("serves the web app on --web-port, 5173 by default and a random port with --port 0", () => {
    expect(parseStartCommand([])).to.include({ stack: "dev", basePort: 4000, webPort: 5173, fresh: false });
    expect(parseStartCommand(["--fresh"])).to.include({ fresh: true });
    expect(parseStartCommand(["--port", "0"])).to.include({ basePort: 0, webPort: 0 });
    expect(parseStartCommand(["--port", "5000", "--web-port", "5200", "--outputs", "b.json"])).to.include({ basePort: 5000, webPort: 5200, outputsFile: "b.json" });
    expect(() => parseStartCommand(["--web-port", "x"])).to.throw('--web-port is "x": it must be a whole number ≥ 0');
  });

  describe("two stacks side by side", () => {
    let dir: string;
    const runs: LocalRun[] = [];
    before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "globalws-start-"))));
    after(async () => {
      await Promise.all(runs.map((run) => run.stop()));
      fs.rmSync(dir, { recursive: true, force: true });
    });

    const start = async (argv: string[], stateDir = dir) => {
      const options = parseStartCommand(argv);
      if (options === "help") throw new Error("help");
      const run = await startLocalRun(options, stateDir, () => {});
      runs.push(run);
      return run;
    };

    it("each on its own --port, --web-port and --outputs", async () => {
      const [webA, webB] = [await freePort(), await freePort()];
      const a = await start(["--port", "0", "--web-port", String(webA), "--outputs", path.join(dir, "a.json")]);
      // The same stack's history can have one runtime only: the second keeps its state elsewhere.
      const b = await start(["--port", "0", "--web-port", String(webB), "--outputs", path.join(dir, "b.json")], path.join(dir, "b"));
      expect([a.web.url, b.web.url]).to.deep.equal([`https://127.0.0.1:${webA}/`, `https://127.0.0.1:${webB}/`]);

      for (const [run, file] of [[a, "a.json"], [b, "b.json"]] as const) {
        const served = await getJson(`${run.web.url}outputs.json`, fs.readFileSync(run.stack.outputs.certificateFile, "utf8"));
        const written = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
        expect(served.regions["us-west-2"].graphqlUrl).to.equal(run.stack.outputs.regions["us-west-2"].graphqlUrl).and.equal(written.regions["us-west-2"].graphqlUrl);
      }
      expect(a.stack.outputs.regions["us-west-2"].graphqlUrl).not.to.equal(b.stack.outputs.regions["us-west-2"].graphqlUrl);
    });

    it("refuses a second runtime on the same stack's state, naming what to change", async () => {
      let failure: Error | undefined;
      await start(["--port", "0", "--web-port", "0"]).catch((error: Error) => (failure = error));
      expect(failure?.message).to.match(/^The history in .*history.dev is in use by another local runtime \(process \d+\): stop it, or run this one with another --stack or state directory$/);
    });

    it("says which option to change when the web app's port is taken", async () => {
      const taken = new URL(runs[0].web.url).port;
      let failure: Error | undefined;
      await start(["--port", "0", "--web-port", taken], path.join(dir, "c")).catch((error: Error) => (failure = error));
      expect(failure?.message).to.equal(`Port ${taken} on 127.0.0.1 (the web app) is in use: stop what uses it, or pick another with --web-port N`);
    });
  });
});
