import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { RegionApi } from "../../client/lib/regionApi";
import { startWebApp, type WebApp } from "../../client/web/server";
import { startLocalStack, type LocalStack } from "../../local";
import { launchChromium } from "./chromium";
import { basePortOf, startOnConsecutivePorts } from "./support/consecutivePorts";

const HOME = "us-west-2";
const AWAY = "eu-west-1";
const REGIONS = [HOME, AWAY];

describe("web app in Chromium: history, resume and failover", function () {
  this.timeout(60_000);
  let browser: Browser;
  let stack: LocalStack;
  let app: WebApp;
  let stateDir: string;

  before(async () => (browser = await launchChromium()));
  after(() => browser?.close());
  beforeEach(async () => {
    stateDir = mkdtempSync(join(tmpdir(), "globalws-web-resume-"));
    stack = await startOnConsecutivePorts({ regions: REGIONS, channels: [], stateDir, outputsFile: null, log: () => {} });
    app = await startWebApp({ outputs: stack.outputs, port: 0 });
  });
  afterEach(async () => {
    await app?.close();
    await stack?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  async function openPage(channel: string): Promise<Page> {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    await page.goto(`${app.url}?region=${HOME}&channel=${channel}`);
    await subscriptionState(page, "subscribed");
    return page;
  }

  /** Waits until the badge's subscription state reads exactly `text`. */
  const subscriptionState = (page: Page, text: string) => page.getByTestId("subscription-state").filter({ hasText: new RegExp(`^${text}$`) }).waitFor({ timeout: 20_000 });

  /** The ids the board shows, and how often each. */
  async function boardIds(page: Page): Promise<string[]> {
    return page.getByTestId("message").evaluateAll((items) => items.map((item) => item.getAttribute("data-id") ?? ""));
  }

  const publish = (region: string, channel: string, data: unknown) => RegionApi.of(stack.outputs, region).publish(channel, data);

  it("shows the channel's last 50 messages, marked as history, when it starts watching it, then live ones, each once", async () => {
    for (let n = 0; n < 55; n += 1) await publish(REGIONS[n % 2], "board", `old ${n}`);
    const page = await openPage("board");
    await page.getByTestId("message").nth(49).waitFor({ timeout: 10_000 });
    const live = await publish(AWAY, "board", "live one");
    await page.locator(`[data-id="${live.id}"]`).waitFor({ timeout: 10_000 });

    const ids = await boardIds(page);
    expect(ids).to.have.length(51);
    expect(new Set(ids).size).to.equal(51);
    const texts = await page.getByTestId("data").allInnerTexts();
    expect(texts[0]).to.equal("live one");
    expect(texts.slice(1)).to.deep.equal(Array.from({ length: 50 }, (_, n) => `old ${54 - n}`));
    expect(await page.getByTestId("history-mark").count()).to.equal(50);
    expect(await page.locator(`[data-id="${live.id}"]`).getByTestId("history-mark").count()).to.equal(0);
  });

  it("says it is offline while the API is down, then reconnects after a restart, catches up and shows nothing twice", async () => {
    const page = await openPage("restart");
    const before = await publish(HOME, "restart", "before the restart");
    await page.locator(`[data-id="${before.id}"]`).waitFor({ timeout: 10_000 });

    const basePort = basePortOf(stack);
    await stack.stop();
    await subscriptionState(page, "reconnecting…");
    expect(await page.getByTestId("connection-state").textContent()).to.match(/^offline/);

    stack = await startLocalStack({ regions: REGIONS, channels: [], basePort, stateDir, outputsFile: null, log: () => {} });
    const after = [await publish(AWAY, "restart", "after 1"), await publish(HOME, "restart", "after 2")];
    for (const message of after) await page.locator(`[data-id="${message.id}"]`).waitFor({ timeout: 20_000 });
    await subscriptionState(page, "subscribed");
    await page.getByTestId("resume-note").filter({ hasText: /^Reconnected( in [a-z0-9-]+)?, caught up \d+ messages?\./ }).waitFor({ timeout: 10_000 });

    const ids = await boardIds(page);
    expect(ids).to.have.members([before.id, ...after.map((message) => message.id)]);
    expect(ids).to.have.length(3);
  });

  it("marks a failover in the badge when its region goes down, and keeps showing the channel's messages", async () => {
    const page = await openPage("failover");
    await stack.setRegionDown(HOME, true);
    await page.getByTestId("failover").filter({ hasText: `→ ${AWAY} (failover)` }).waitFor({ timeout: 20_000 });
    await subscriptionState(page, "subscribed");
    await page.getByTestId("resume-note").filter({ hasText: `Reconnected in ${AWAY}` }).waitFor({ timeout: 10_000 });
    const during = await publish(AWAY, "failover", "while us-west-2 is down");
    await page.locator(`[data-id="${during.id}"]`).waitFor({ timeout: 10_000 });
    await stack.setRegionDown(HOME, false);
  });
});
