import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import type { DecodedMessage } from "../../client/lib/operations";
import { RegionApi } from "../../client/lib/regionApi";
import { startWebApp, type WebApp } from "../../client/web/server";
import { startLocalStack, type LocalStack } from "../../local";
import { launchChromium } from "./chromium";

const REGION = "us-west-2";

/** `npm start` in code: one region and the web app, on the ports given (0: random), keys from `stateDir`. */
async function startRuntime(stateDir: string, apiPort: number, webPort: number): Promise<{ stack: LocalStack; web: WebApp }> {
  const stack = await startLocalStack({ regions: [REGION], channels: ["general"], basePort: apiPort, stateDir, outputsFile: null, log: () => {} });
  return { stack, web: await startWebApp({ outputs: stack.outputs, port: webPort }) };
}

const portOf = (url: string) => Number(new URL(url).port);

describe("web app in Chromium, when the API keys change under an open page", function () {
  this.timeout(60_000);
  let browser: Browser;
  let runtime: { stack: LocalStack; web: WebApp };
  const stateDirs: string[] = [];
  const newStateDir = () => {
    stateDirs.push(mkdtempSync(join(tmpdir(), "globalws-web-keys-")));
    return stateDirs[stateDirs.length - 1];
  };

  before(async () => (browser = await launchChromium()));
  after(async () => {
    await browser?.close();
    for (const dir of stateDirs) rmSync(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    await runtime?.web.close();
    await runtime?.stack.stop();
  });

  async function openPage(): Promise<Page> {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    await page.goto(`${runtime.web.url}?region=${REGION}&channel=general`);
    await page.getByTestId("subscription-state").filter({ hasText: "subscribed" }).waitFor({ timeout: 10_000 });
    return page;
  }

  /** Stops the runtime and starts it again on the same ports, with the keys of `stateDir`. */
  async function restart(stateDir: string): Promise<void> {
    const [apiPort, webPort] = [portOf(runtime.stack.outputs.regions[REGION].graphqlUrl), portOf(runtime.web.url)];
    await runtime.web.close();
    await runtime.stack.stop();
    runtime = await startRuntime(stateDir, apiPort, webPort);
  }

  async function send(page: Page, text: string): Promise<void> {
    await page.getByLabel("Message", { exact: true }).fill(text);
    await page.getByRole("button", { name: "Send" }).click();
  }

  /** Sends `text` from the page and resolves with what a subscriber of the running runtime received. */
  async function sendAndReceive(page: Page, text: string): Promise<unknown> {
    const api = RegionApi.of(runtime.stack.outputs, REGION);
    const connection = await api.connectRealtime();
    try {
      let received: (message: DecodedMessage) => void = () => {};
      const arrived = new Promise<DecodedMessage>((resolve) => (received = resolve));
      await api.subscribe(connection, "general", { next: received, deliveryError: () => {}, error: () => {}, complete: () => {} });
      await send(page, text);
      return (await arrived).data;
    } finally {
      await connection.close();
    }
  }

  it("re-reads /outputs.json after a refused key, retries with the new one and says so", async () => {
    runtime = await startRuntime(newStateDir(), 0, 0);
    const page = await openPage();
    await restart(newStateDir());

    expect(await sendAndReceive(page, "sent with the old key, retried with the new one")).to.equal("sent with the old key, retried with the new one");
    const notice = page.getByRole("status").filter({ hasText: "The server restarted with new API keys; this page reconnected with them." });
    await notice.waitFor({ timeout: 10_000 });
    expect(await page.getByRole("alert").count()).to.equal(0);

    // The subscription came back with the new key too.
    await page.getByTestId("subscription-state").filter({ hasText: "subscribed" }).waitFor({ timeout: 20_000 });
    await page.getByTestId("connection-state").filter({ hasText: "connected" }).waitFor({ timeout: 20_000 });
    await RegionApi.of(runtime.stack.outputs, REGION).publish("general", "delivered to the page again");
    await page.getByTestId("message").filter({ hasText: "delivered to the page again" }).waitFor({ timeout: 10_000 });
  });

  it("keeps working across a restart that keeps the keys (npm start's state directory)", async () => {
    const stateDir = newStateDir();
    runtime = await startRuntime(stateDir, 0, 0);
    const page = await openPage();
    await restart(stateDir);
    expect(await sendAndReceive(page, "same keys after the restart")).to.equal("same keys after the restart");
    expect(await page.getByRole("status").filter({ hasText: "new API keys" }).count()).to.equal(0);
    expect(await page.getByRole("alert").count()).to.equal(0);
  });

  it("says plainly that the key was refused when the server has no other", async () => {
    runtime = await startRuntime(newStateDir(), 0, 0);
    const page = await openPage();
    const apiPort = portOf(runtime.stack.outputs.regions[REGION].graphqlUrl);
    // Only the API restarts with new keys: the web server still serves the old ones.
    await runtime.stack.stop();
    runtime.stack = await startLocalStack({ regions: [REGION], channels: ["general"], basePort: apiPort, stateDir: newStateDir(), outputsFile: null, log: () => {} });
    await send(page, "refused");
    const alert = page.getByRole("alert").filter({ hasText: "The API refused this page's API key, and the server has no newer one" });
    await alert.waitFor({ timeout: 10_000 });
    expect(await page.getByRole("status").count()).to.equal(0);
  });
});
