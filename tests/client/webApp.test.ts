import { expect } from "chai";
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { credentialsFor } from "../../client/lib/credentials";
import { graphqlRequest } from "../../client/lib/graphqlHttp";
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
      historyRetentionHours: 24,
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

  async function watch(page: Page, channel: string): Promise<void> {
    await page.getByLabel("Channel").fill(channel);
    await page.getByRole("button", { name: "Watch" }).click();
  }

  it("says once, plainly, that a channel is not allowed, without a disconnected badge or a retry; another channel clears it", async () => {
    const page = await openPage("eu-west-1", "general");
    await watch(page, "secret");
    await expectText(page.getByTestId("subscription-state"), "not subscribed");
    const alert = page.getByRole("alert");
    await alert.waitFor({ timeout: 10_000 });
    expect(await alert.count()).to.equal(1);
    expect(await alert.textContent()).to.match(/^This channel is not on the allowlist\. Channel "secret" is not allowed\./);
    // Amplify closes the socket once no subscription is left: give the badge time to (wrongly) say so.
    await page.waitForTimeout(1_000);
    expect(await page.getByTestId("connection").textContent()).to.equal("eu-west-1 · not subscribed");
    expect(await page.getByRole("button", { name: "Subscribe again" }).count()).to.equal(0);
    expect(await page.getByRole("button", { name: "Send" }).isDisabled()).to.equal(true);

    await watch(page, "general");
    await expectText(page.getByTestId("subscription-state"), "subscribed");
    expect(await page.getByRole("alert").count()).to.equal(0);
    await page.close();
  });

  it("reports a delivery that came without its message (a back end's publishFromBus selected too few fields) and goes on", async () => {
    const page = await openPage("us-west-2", "chat.partial");
    const api = stack.outputs.regions["us-west-2"];
    // A publish must select every field; an IAM caller of publishFromBus, trusted like EventBridge, need not.
    const query = 'mutation { publishFromBus(name: "chat.partial", data: "1", id: "partial-1", origin: "us-west-2", publishedAt: "2026-01-01T00:00:00.000Z") { name id } }';
    const iam = { mode: "iam" as const, region: "us-west-2", credentials: credentialsFor(stack.outputs) };
    await graphqlRequest({ url: api.graphqlUrl, ca: readFileSync(stack.outputs.certificateFile, "utf8") }, iam, query);
    await page.getByRole("status").filter({ hasText: "A delivery on this channel came without its message: Cannot return null" }).waitFor({ timeout: 10_000 });

    await RegionApi.of(stack.outputs, "us-west-2").publish("chat.partial", "whole");
    await page.getByTestId("message").filter({ hasText: "whole" }).waitFor({ timeout: 10_000 });
    expect(await page.getByTestId("subscription-state").textContent()).to.equal("subscribed");
    await page.close();
  });

  it("explains a message too large", async () => {
    const page = await openPage("eu-west-1", "general");
    await send(page, "x".repeat(250 * 1024));
    await page.getByRole("alert").filter({ hasText: "The message is too large." }).waitFor({ timeout: 10_000 });
    await page.close();
  });

  it("keeps the watched channel in the address bar, so reload and region switch keep it", async () => {
    const page = await context.newPage();
    await page.goto(app.url);
    await expectText(page.getByTestId("subscription-state"), "subscribed");
    expect(new URL(page.url()).search).to.equal("?region=us-west-2&channel=general");

    await watch(page, "chat.kept");
    await expectText(page.getByTestId("subscription-state"), "subscribed");
    expect(new URL(page.url()).searchParams.get("channel")).to.equal("chat.kept");

    await page.reload();
    await expectText(page.getByTestId("subscription-state"), "subscribed");
    expect(await page.getByLabel("Channel").inputValue()).to.equal("chat.kept");

    await page.getByRole("combobox", { name: "Region" }).selectOption("eu-west-1");
    await page.waitForURL((url) => url.searchParams.get("region") === "eu-west-1");
    expect(new URL(page.url()).searchParams.get("channel")).to.equal("chat.kept");
    await expectText(page.getByTestId("subscription-state"), "subscribed");
    await RegionApi.of(stack.outputs, "us-west-2").publish("chat.kept", "still watching chat.kept");
    await page.getByTestId("message").filter({ hasText: "still watching chat.kept" }).waitFor({ timeout: 10_000 });
    await page.close();
  });

  it("shows messages readably on a 390 px wide screen: line breaks, text apart from JSON, long ones clamped", async () => {
    const phone = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 390, height: 844 } });
    const channel = `chat.${"narrow".repeat(10)}`.slice(0, 64);
    const page = await phone.newPage();
    await page.goto(`${app.url}?region=us-west-2&channel=${channel}`);
    await expectText(page.getByTestId("subscription-state"), "subscribed");
    const api = RegionApi.of(stack.outputs, "eu-west-1");
    const long = Array.from({ length: 40 }, (_, n) => `line ${n}`).join("\n");
    for (const data of ["first line\nsecond line", "42", 42, { list: Array.from({ length: 30 }, (_, n) => n) }, "y".repeat(3000), long]) {
      await api.publish(channel, data);
    }
    const messages = page.getByTestId("message");
    await messages.nth(5).waitFor({ timeout: 10_000 });
    const shown = async (index: number) => {
      const message = messages.nth(5 - index);
      return { kind: await message.getByTestId("data-kind").textContent(), text: await message.getByTestId("data").innerText() };
    };
    expect(await shown(0)).to.deep.equal({ kind: "text", text: "first line\nsecond line" });
    expect(await shown(1)).to.deep.equal({ kind: "text", text: "42" });
    expect(await shown(2)).to.deep.equal({ kind: "number", text: "42" });
    expect((await shown(3)).kind).to.equal("object");

    const longMessage = messages.nth(0);
    const data = longMessage.getByTestId("data");
    const fits = () => data.evaluate((element) => element.scrollHeight <= element.clientHeight);
    expect(await fits()).to.equal(false);
    await longMessage.getByRole("button", { name: "Show all" }).click();
    expect(await fits()).to.equal(true);
    await longMessage.getByRole("button", { name: "Show less" }).click();
    expect(await fits()).to.equal(false);
    expect(await messages.nth(5).getByRole("button").count()).to.equal(0);

    await page.getByLabel("Message", { exact: true }).fill("z".repeat(500));
    await page.getByRole("button", { name: "Send" }).click();
    await messages.nth(6).waitFor({ timeout: 10_000 });
    expect(await page.evaluate<number>("document.documentElement.scrollWidth")).to.be.at.most(390);
    // Nor is any data cut off at the side (the clamp hides only what is below).
    const hiddenWidths = await page.evaluate<number[]>("[...document.querySelectorAll('[data-testid=data]')].map((data) => data.scrollWidth - data.clientWidth)");
    expect(Math.max(...hiddenWidths)).to.be.at.most(0);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "web-app-390px.png"), fullPage: true });
    await phone.close();
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
