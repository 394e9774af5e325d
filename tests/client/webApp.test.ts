import { expect } from "chai";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { RegionApi } from "../../client/lib/regionApi";
import { startWebApp, type WebApp } from "../../client/web/server";
import { startLocalStack, type LocalStack } from "../../local";
import { launchChromium } from "./chromium";

const ARTIFACTS = join(__dirname, "..", "..", "test-artifacts");

describe("web app in Chromium, against two local regions", function () {
  this.timeout(30_000);
  let stack: LocalStack;
  let app: WebApp;
  let browser: Browser;
  let context: BrowserContext;

  before(async () => {
    stack = await startLocalStack({
      regions: ["us-west-2", "eu-west-1"],
      channels: ["general", "chat.*"],
      basePort: 0,
      outputsFile: null,
      log: () => {},
    });
    [app, browser] = await Promise.all([startWebApp({ outputs: stack.outputs, port: 0 }), launchChromium()]);
    // The page and the local APIs share the runtime's self-signed certificate.
    context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1100, height: 800 } });
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    await stack?.stop();
  });

  /** Opens the app on `region`, watching `channel`, and waits until the subscription is live. */
  async function openPage(region: string, channel: string): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${app.url}?region=${region}&channel=${channel}`);
    await expectText(page.getByTestId("subscription-state"), "subscribed");
    await expectText(page.getByTestId("connection-state"), "connected");
    return page;
  }

  async function expectText(locator: ReturnType<Page["getByTestId"]>, text: string): Promise<void> {
    await locator.filter({ hasText: text }).waitFor({ timeout: 10_000 });
  }

  async function send(page: Page, text: string): Promise<void> {
    await page.getByLabel("Message", { exact: true }).fill(text);
    await page.getByRole("button", { name: "Send" }).click();
  }

  it("serves the regions' public endpoints to the browser, never the IAM credentials", async () => {
    const page = await context.newPage();
    await page.goto(app.url);
    const served = await page.evaluate(() => fetch("/outputs.json").then((response) => response.text()));
    expect(JSON.parse(served)).to.deep.equal({
      regions: Object.fromEntries(
        Object.entries(stack.outputs.regions).map(([region, api]) => [
          region,
          { graphqlUrl: api.graphqlUrl, realtimeUrl: api.realtimeUrl, apiKey: api.apiKey },
        ]),
      ),
    });
    expect(served).not.to.include(stack.outputs.credentials.secretAccessKey);
    await page.close();
  });

  it("refuses to serve without the runtime's own certificate, rather than making another", async () => {
    const certificateFile = join(mkdtempSync(join(tmpdir(), "globalws-")), "localhost-cert.pem");
    let failure: Error | undefined;
    await startWebApp({ outputs: { ...stack.outputs, certificateFile }, port: 0 }).then((other) => other.close(), (error: Error) => (failure = error));
    expect(failure?.message).to.equal(`The local runtime's certificate ${certificateFile} is missing or expired: restart npm start.`);
    expect(existsSync(certificateFile)).to.equal(false);
  });

  it("shows a message sent in one region on the other region's page, with its origin", async () => {
    const [west, europe] = await Promise.all([openPage("us-west-2", "general"), openPage("eu-west-1", "general")]);
    await send(west, 'hello from Oregon "quoted" ✓');

    const arrived = europe.getByTestId("message").filter({ hasText: 'hello from Oregon "quoted" ✓' });
    await arrived.waitFor({ timeout: 10_000 });
    expect(await arrived.getByTestId("origin").textContent()).to.equal("us-west-2");
    expect(await arrived.count()).to.equal(1);
    const own = west.getByTestId("message").filter({ hasText: "hello from Oregon" });
    await own.waitFor({ timeout: 10_000 });
    expect(await own.getAttribute("data-origin")).to.equal("us-west-2");

    mkdirSync(ARTIFACTS, { recursive: true });
    await europe.screenshot({ path: join(ARTIFACTS, "web-app-eu-west-1.png"), fullPage: true });
    await Promise.all([west.close(), europe.close()]);
  });

  it("explains a disallowed channel (watching and sending) and a message too large", async () => {
    const page = await openPage("eu-west-1", "general");
    await page.getByLabel("Channel").fill("secret");
    await page.getByRole("button", { name: "Watch" }).click();
    await expectText(page.getByTestId("subscription-state"), "subscription failed");
    const alert = page.getByRole("alert").filter({ hasText: "This channel is not on the allowlist." });
    await alert.waitFor({ timeout: 10_000 });
    expect(await alert.textContent()).to.include('Channel "secret" is not allowed.');

    await send(page, "anyone there?");
    await page.getByRole("alert").filter({ hasText: "not allowed" }).nth(1).waitFor({ timeout: 10_000 });

    await page.getByLabel("Channel").fill("general");
    await page.getByRole("button", { name: "Watch" }).click();
    await expectText(page.getByTestId("subscription-state"), "subscribed");
    await send(page, "x".repeat(250 * 1024));
    await page.getByRole("alert").filter({ hasText: "The message is too large." }).waitFor({ timeout: 10_000 });
    await page.close();
  });

  it("shows a forced unsubscribe run through IAM in another region", async () => {
    const page = await openPage("us-west-2", "chat.ops");
    await RegionApi.of(stack.outputs, "eu-west-1").unsubscribe("chat.ops");

    await expectText(page.getByTestId("subscription-state"), "closed by server");
    const alert = page.getByRole("alert").filter({ hasText: "forced unsubscribe" });
    await alert.waitFor({ timeout: 10_000 });
    await alert.getByRole("button", { name: "Subscribe again" }).click();
    await expectText(page.getByTestId("subscription-state"), "subscribed");
    await page.close();
  });
});
