import { expect } from "chai";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { startWebApp, type WebApp } from "../../client/web/server";
import { startLocalStack, type LocalStack } from "../../local";
import { mintLocalToken } from "../../local/oidc/mintToken";
import { launchChromium } from "./chromium";

describe("web app in Chromium, with signed-in users", function () {
  this.timeout(30_000);
  let browser: Browser;
  let context: BrowserContext;
  const stacks: LocalStack[] = [];
  const apps: WebApp[] = [];

  before(async () => {
    browser = await launchChromium();
    context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1100, height: 800 } });
  });
  after(async () => {
    await browser?.close();
    await Promise.all(apps.map((app) => app.close()));
    await Promise.all(stacks.map((stack) => stack.stop()));
  });

  /** A two-region stack whose members may chat, with the given API key access, and its web app. */
  async function serve(apiKeyAccess: "subscribe" | "none"): Promise<{ stack: LocalStack; app: WebApp }> {
    const stack = await startLocalStack({
      regions: ["us-west-2", "eu-west-1"],
      channels: ["chat.*"],
      basePort: 0,
      outputsFile: null,
      oidc: { groupsClaim: "cognito:groups" },
      rights: [{ group: "members", publish: ["chat.*"], subscribe: ["chat.*"] }],
      apiKeyAccess,
      log: () => {},
    });
    const app = await startWebApp({ outputs: stack.outputs, port: 0 });
    stacks.push(stack);
    apps.push(app);
    return { stack, app };
  }

  async function expectText(locator: ReturnType<Page["getByTestId"]>, text: string): Promise<void> {
    await locator.filter({ hasText: text }).waitFor({ timeout: 10_000 });
  }

  async function signIn(page: Page, token: string): Promise<void> {
    await page.getByLabel("Token").fill(token);
    await page.getByRole("button", { name: "Sign in" }).click();
  }

  async function send(page: Page, text: string): Promise<void> {
    await page.getByLabel("Message", { exact: true }).fill(text);
    await page.getByRole("button", { name: "Send" }).click();
  }

  it("signs in with a token, publishes as that user, and shows the sender in every region", async () => {
    const { stack, app } = await serve("subscribe");
    const alice = await mintLocalToken(stack.outputs, { sub: "alice", groups: ["members"] });
    const bob = await mintLocalToken(stack.outputs, { sub: "bob", groups: ["members"] });
    const [west, europe] = [await context.newPage(), await context.newPage()];
    await west.goto(`${app.url}?region=us-west-2&channel=chat.lobby`);
    await europe.goto(`${app.url}?region=eu-west-1&channel=chat.lobby`);
    await signIn(west, alice);
    await signIn(europe, bob);
    await expectText(west.getByTestId("signed-in-user"), "alice");
    await expectText(europe.getByTestId("subscription-state"), "subscribed");
    await expectText(west.getByTestId("subscription-state"), "subscribed");

    await send(west, "hello from alice");
    const arrived = europe.getByTestId("message").filter({ hasText: "hello from alice" });
    await arrived.waitFor({ timeout: 10_000 });
    expect(await arrived.getByTestId("sender").textContent()).to.equal("alice");
    expect(await arrived.getByTestId("origin").textContent()).to.equal("us-west-2");
    await Promise.all([west.close(), europe.close()]);
  });

  it("explains a refused right in plain words, and the read-only API key once signed out", async () => {
    const { stack, app } = await serve("subscribe");
    const guest = await mintLocalToken(stack.outputs, { sub: "guest" });
    const page = await context.newPage();
    await page.goto(`${app.url}?region=us-west-2&channel=chat.lobby`);
    await signIn(page, guest);
    const refused = page.getByRole("alert").filter({ hasText: "you (or, signed out, the API key) have no right to do this on this channel" });
    await refused.first().waitFor({ timeout: 10_000 });
    expect(await refused.first().textContent()).to.contain("chat.lobby").and.contain("subscribe");

    await page.getByRole("button", { name: "Sign out" }).click();
    await expectText(page.getByTestId("subscription-state"), "subscribed");
    await send(page, "from the read-only key");
    await page.getByRole("alert").filter({ hasText: "Not Authorized to access publish on type Mutation" }).waitFor({ timeout: 10_000 });
    await page.close();
  });

  it("asks for a sign-in on a stack without API keys, and works once signed in", async () => {
    const { stack, app } = await serve("none");
    const page = await context.newPage();
    await page.goto(`${app.url}?region=eu-west-1&channel=chat.lobby`);
    await page.getByText("This stack has no API key: sign in to publish and subscribe.").waitFor({ timeout: 10_000 });
    await signIn(page, await mintLocalToken(stack.outputs, { sub: "carol", groups: ["members"] }));
    await expectText(page.getByTestId("subscription-state"), "subscribed");
    await send(page, "keyless");
    const own = page.getByTestId("message").filter({ hasText: "keyless" });
    await own.waitFor({ timeout: 10_000 });
    expect(await own.getByTestId("sender").textContent()).to.equal("carol");
    await page.close();
  });
});
