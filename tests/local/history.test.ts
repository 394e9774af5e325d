import { marshall } from "@aws-sdk/util-dynamodb";
import { GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { expect } from "chai";
import { existsSync, mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { performance } from "perf_hooks";
import { GlobalTable } from "../../local/dynamodb/globalTable";
import { startLocalStack, type LocalStack, type LocalStackOptions } from "../../local/index";
import { EVERY_FIELD, graphql, type TestAuth } from "./realtimeClient";

const REGIONS = ["us-west-2", "eu-west-1", "ap-southeast-2"];
const PUBLISH_WITH_ID = `mutation Pub($name: String!, $data: AWSJSON!, $id: ID) { publish(name: $name, data: $data, id: $id) { ${EVERY_FIELD} } }`;
const HISTORY = `query History($name: String!, $since: AWSDateTime, $limit: Int, $nextToken: String) { history(name: $name, since: $since, limit: $limit, nextToken: $nextToken) { items { ${EVERY_FIELD} } nextToken } }`;

interface Message {
  name: string;
  data: string;
  id: string;
  origin: string;
  publishedAt: string;
}

/** Waits until `check` resolves true; gives up after 10 s. */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  const giveUp = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > giveUp) throw new Error("the awaited condition never held");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("local runtime: history in every region", function () {
  this.timeout(60_000);
  const stacks: LocalStack[] = [];
  const dirs: string[] = [];
  const start = async (options: LocalStackOptions = {}) => {
    const stack = await startLocalStack({ regions: REGIONS, channels: ["cars", "chat.*"], basePort: 0, outputsFile: null, log: () => {}, ...options });
    stacks.push(stack);
    return stack;
  };
  const stateDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "globalws-history-e2e-"));
    dirs.push(dir);
    return dir;
  };
  after(async () => {
    await Promise.all(stacks.map((stack) => stack.stop()));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  const key = (stack: LocalStack, region: string): TestAuth => ({ apiKey: stack.outputs.regions[region].apiKey as string });
  const publish = async (stack: LocalStack, region: string, channel: string, data: unknown, id?: string): Promise<Message> => {
    const { body } = await graphql(stack.outputs.regions[region], key(stack, region), PUBLISH_WITH_ID, { name: channel, data: JSON.stringify(data), id });
    expect(body.errors, JSON.stringify(body.errors)).to.equal(undefined);
    return body.data?.publish as Message;
  };
  /** Every message of `channel` in `region`'s history, page by page. */
  const readAll = async (stack: LocalStack, region: string, channel: string, limit = 100) => {
    const items: Message[] = [];
    let nextToken: string | null = null;
    let pages = 0;
    do {
      const { body } = await graphql(stack.outputs.regions[region], key(stack, region), HISTORY, { name: channel, limit, nextToken });
      expect(body.errors, JSON.stringify(body.errors)).to.equal(undefined);
      const page = body.data?.history as { items: Message[]; nextToken: string | null };
      items.push(...page.items);
      nextToken = page.nextToken;
      pages += 1;
    } while (nextToken);
    return { items, pages };
  };

  it("holds all 250 messages published across three regions in every region, each once, in order, through paging", async () => {
    const stack = await start();
    const published: Message[] = [];
    // Publishers in every region at once, as the mesh sees them.
    await Promise.all(REGIONS.map(async (region, index) => {
      for (let seq = index; seq < 250; seq += REGIONS.length) published.push(await publish(stack, region, "chat.lobby", { seq }));
    }));
    expect(published).to.have.length(250);
    const expected = [...published].sort((a, b) => a.publishedAt.localeCompare(b.publishedAt) || (a.id < b.id ? -1 : 1)).map((message) => message.id);
    for (const region of REGIONS) {
      await eventually(async () => (await readAll(stack, region, "chat.lobby")).items.length >= 250);
      const { items, pages } = await readAll(stack, region, "chat.lobby");
      expect(items.map((message) => message.id), region).to.deep.equal(expected);
      expect(pages, region).to.be.at.least(3);
      const bySeq = new Map(published.map((message) => [message.id, message]));
      for (const message of items) expect(message).to.deep.equal(bySeq.get(message.id));
    }
  });

  it("stores a publish retried with the same id once, even when the retry goes to another region", async () => {
    const stack = await start();
    const first = await publish(stack, "us-west-2", "cars", { n: 1 }, "order-42");
    await eventually(async () => (await readAll(stack, "eu-west-1", "cars")).items.length === 1);
    const retry = await publish(stack, "eu-west-1", "cars", { n: 1 }, "order-42");
    expect(retry).to.deep.equal(first);
    for (const region of REGIONS) expect((await readAll(stack, region, "cars")).items.map((m) => m.id), region).to.deep.equal(["order-42"]);
  });

  it("keeps history across a restart of the runtime on the same state directory", async () => {
    const dir = stateDir();
    const before = await start({ stateDir: dir });
    const kept = await publish(before, "ap-southeast-2", "cars", "before the restart");
    await eventually(async () => (await readAll(before, "us-west-2", "cars")).items.length === 1);
    await before.stop();
    const after = await start({ stateDir: dir });
    for (const region of REGIONS) expect((await readAll(after, region, "cars")).items, region).to.deep.equal([kept]);
  });

  // AWS fills a new replica from the table: "Adding a replica might take a few minutes for an empty
  // table, or up to several hours for large tables" (AWS::DynamoDB::GlobalTable, Replicas,
  // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-dynamodb-globaltable.html).
  it("gives a region added to the config the history already stored, as a new global table replica gets it", async () => {
    const dir = stateDir();
    const two = await start({ regions: ["us-west-2", "eu-west-1"], stateDir: dir });
    const stored = await publish(two, "us-west-2", "cars", "before ap-southeast-2 was added");
    await eventually(async () => (await readAll(two, "eu-west-1", "cars")).items.length === 1);
    await two.stop();
    const three = await start({ stateDir: dir });
    for (const region of REGIONS) expect((await readAll(three, region, "cars")).items, region).to.deep.equal([stored]);
  });

  // Removing a region deletes its replica on AWS; adding it back creates a new one, filled from the table.
  it("gives a region removed and added back the history published while it was away", async () => {
    const dir = stateDir();
    const both = await start({ regions: ["us-west-2", "eu-west-1"], stateDir: dir });
    const first = await publish(both, "us-west-2", "cars", "while both were configured");
    await eventually(async () => (await readAll(both, "eu-west-1", "cars")).items.length === 1);
    await both.stop();
    const alone = await start({ regions: ["us-west-2"], stateDir: dir });
    expect(existsSync(join(dir, "history", "dev", "eu-west-1")), "the removed region's replica").to.equal(false);
    const second = await publish(alone, "us-west-2", "cars", "while eu-west-1 was removed");
    await alone.stop();
    const again = await start({ regions: ["us-west-2", "eu-west-1"], stateDir: dir });
    for (const region of ["us-west-2", "eu-west-1"]) expect((await readAll(again, region, "cars")).items, region).to.deep.equal([first, second]);
  });

  it("starts empty with --fresh", async () => {
    const dir = stateDir();
    const first = await start({ stateDir: dir });
    await publish(first, "us-west-2", "cars", 1);
    await first.stop();
    const fresh = await start({ stateDir: dir, fresh: true });
    expect((await readAll(fresh, "us-west-2", "cars")).items).to.deep.equal([]);
  });

  it("replicates to other regions only after the cross-region latency, as a global table does asynchronously", async () => {
    const latencyMs = 400;
    const stack = await start({ latencyMs });
    const publishedAt = performance.now();
    const message = await publish(stack, "us-west-2", "cars", "slow hop");
    expect((await readAll(stack, "us-west-2", "cars")).items).to.deep.equal([message]);
    let arrived = 0;
    await eventually(async () => {
      const present = (await readAll(stack, "eu-west-1", "cars")).items.length === 1;
      if (present) arrived = performance.now();
      return present;
    });
    // A copy is sent only once its delay has run out, so it can never be seen sooner.
    expect(arrived - publishedAt).to.be.at.least(latencyMs);
  });

  it("catches up a copy that was still on its way when the runtime stopped", async () => {
    const dir = stateDir();
    const slow = await start({ stateDir: dir, latencyMs: 60_000 });
    const message = await publish(slow, "us-west-2", "cars", "in flight");
    expect((await readAll(slow, "eu-west-1", "cars")).items).to.deep.equal([]);
    await slow.stop();
    const again = await start({ stateDir: dir });
    for (const region of REGIONS) expect((await readAll(again, region, "cars")).items, region).to.deep.equal([message]);
  });

  it("refuses --fresh on history another runtime is using, and leaves it whole", async () => {
    const dir = stateDir();
    const running = await start({ stateDir: dir });
    const kept = await publish(running, "us-west-2", "cars", "still here");
    let failure: Error | undefined;
    await start({ stateDir: dir, fresh: true }).catch((error: Error) => (failure = error));
    expect(failure?.message).to.match(/is in use by another local runtime/);
    expect((await readAll(running, "us-west-2", "cars")).items).to.deep.equal([kept]);
  });

  it("ends a key written in two regions as the later write in every region (last writer wins)", async () => {
    const stack = await start({ latencyMs: 300 });
    // Both are stored before either copy arrives: each region's condition sees only its own replica.
    const [west, europe] = await Promise.all([publish(stack, "us-west-2", "cars", "west", "race-1"), publish(stack, "eu-west-1", "cars", "europe", "race-1")]);
    const later = west.publishedAt > europe.publishedAt || (west.publishedAt === europe.publishedAt && west.origin > europe.origin) ? west : europe;
    for (const region of REGIONS) {
      await eventually(async () => JSON.stringify((await readAll(stack, region, "cars")).items) === JSON.stringify([later]));
    }
  });

  it("deletes expired items in the background, as TTL does", async () => {
    const dir = stateDir();
    const table = await GlobalTable.start({ regions: ["us-west-2"], dir, latencyMs: 0, sweepEveryMs: 20, log: () => {} });
    try {
      const replica = table.replica("us-west-2");
      const expired = marshall({ name: "cars", id: "old", ts: "1#old", data: "1", origin: "us-west-2", publishedAt: "x", expiresAt: Math.floor(Date.now() / 1000) - 1 });
      const live = marshall({ name: "cars", id: "new", ts: "2#new", data: "1", origin: "us-west-2", publishedAt: "x", expiresAt: Math.floor(Date.now() / 1000) + 60 });
      for (const Item of [expired, live]) await replica.send(new PutItemCommand({ TableName: replica.tableName, Item }));
      const stored = async (id: string) => (await replica.send(new GetItemCommand({ TableName: replica.tableName, Key: { name: { S: "cars" }, id: { S: id } } }))).Item;
      await eventually(async () => (await stored("old")) === undefined);
      expect(await stored("new")).not.to.equal(undefined);
    } finally {
      await table.close();
    }
  });

  it("holds copies to and from a region that is down, and delivers them once it is back", async () => {
    const dir = stateDir();
    const table = await GlobalTable.start({ regions: REGIONS, dir, latencyMs: 0, log: () => {} });
    try {
      const item = marshall({ name: "cars", id: "held", ts: "1#held", data: "1", origin: "us-west-2", publishedAt: "x", expiresAt: Math.floor(Date.now() / 1000) + 60 });
      const stored = (region: string) => table.replica(region).send(new GetItemCommand({ TableName: table.replica(region).tableName, Key: { name: item.name, id: item.id } }));
      table.setAvailable("eu-west-1", false);
      table.replicate("us-west-2", item);
      await eventually(async () => (await stored("ap-southeast-2")).Item !== undefined);
      expect(table.pendingCopies).to.equal(1);
      expect((await stored("eu-west-1")).Item).to.equal(undefined);
      table.setAvailable("eu-west-1", true);
      await eventually(async () => (await stored("eu-west-1")).Item !== undefined);
      expect(table.pendingCopies).to.equal(0);
    } finally {
      await table.close();
    }
  });
});
