import { expect } from "chai";
import { mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { startLocalStack, type LocalStack, type LocalStackOptions } from "../../local/index";
import { EVERY_FIELD, graphql, type TestAuth } from "./realtimeClient";

// Review findings (branch revC): local history behaviour that differs from a DynamoDB global table.

const PUBLISH_WITH_ID = `mutation Pub($name: String!, $data: AWSJSON!, $id: ID) { publish(name: $name, data: $data, id: $id) { ${EVERY_FIELD} } }`;
const HISTORY = `query History($name: String!, $limit: Int, $nextToken: String) { history(name: $name, limit: $limit, nextToken: $nextToken) { items { ${EVERY_FIELD} } nextToken } }`;

interface Message {
  id: string;
}

/** Waits until `check` resolves true; gives up after 10 s. */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  const giveUp = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > giveUp) throw new Error("the awaited condition never held");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("review: local history when the configured regions change", function () {
  this.timeout(60_000);
  const stacks: LocalStack[] = [];
  const dirs: string[] = [];
  const start = async (options: LocalStackOptions) => {
    const stack = await startLocalStack({ channels: ["cars"], basePort: 0, outputsFile: null, log: () => {}, ...options });
    stacks.push(stack);
    return stack;
  };
  after(async () => {
    await Promise.all(stacks.map((stack) => stack.stop().catch(() => {})));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  const key = (stack: LocalStack, region: string): TestAuth => ({ apiKey: stack.outputs.regions[region].apiKey as string });
  const publish = async (stack: LocalStack, region: string, data: unknown): Promise<Message> => {
    const { body } = await graphql(stack.outputs.regions[region], key(stack, region), PUBLISH_WITH_ID, { name: "cars", data: JSON.stringify(data) });
    expect(body.errors, JSON.stringify(body.errors)).to.equal(undefined);
    return body.data?.publish as Message;
  };
  const ids = async (stack: LocalStack, region: string) => {
    const found: string[] = [];
    let nextToken: string | null = null;
    do {
      const { body } = await graphql(stack.outputs.regions[region], key(stack, region), HISTORY, { name: "cars", limit: 100, nextToken });
      expect(body.errors, JSON.stringify(body.errors)).to.equal(undefined);
      const page = body.data?.history as { items: Message[]; nextToken: string | null };
      found.push(...page.items.map((message) => message.id));
      nextToken = page.nextToken;
    } while (nextToken);
    return found;
  };

  // README (History): "adding a region adds a replica (AWS copies the existing history into it)".
  // AWS copies the table into a new replica: "Adding a replica might take a few minutes for an empty
  // table, or up to several hours for large tables" (CloudFormation AWS::DynamoDB::GlobalTable, Replicas,
  // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-dynamodb-globaltable.html).
  it("gives a region added to the config the history already stored, as a new global table replica gets it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "globalws-review-"));
    dirs.push(dir);
    const two = await start({ regions: ["us-west-2", "eu-west-1"], stateDir: dir });
    const before = await publish(two, "us-west-2", "before ap-southeast-2 was added");
    await eventually(async () => (await ids(two, "eu-west-1")).length === 1);
    await two.stop();

    const three = await start({ regions: ["us-west-2", "eu-west-1", "ap-southeast-2"], stateDir: dir });
    expect(await ids(three, "us-west-2")).to.deep.equal([before.id]);
    expect(await ids(three, "ap-southeast-2"), "the new region's replica").to.deep.equal([before.id]);
  });

  // Removing a region deletes its replica on AWS; adding it back creates a fresh one, filled from the table.
  it("gives a region removed and added back the history published while it was away", async () => {
    const dir = mkdtempSync(join(tmpdir(), "globalws-review-"));
    dirs.push(dir);
    const both = await start({ regions: ["us-west-2", "eu-west-1"], stateDir: dir });
    const first = await publish(both, "us-west-2", "while both were configured");
    await eventually(async () => (await ids(both, "eu-west-1")).length === 1);
    await both.stop();

    const alone = await start({ regions: ["us-west-2"], stateDir: dir });
    const second = await publish(alone, "us-west-2", "while eu-west-1 was removed");
    await alone.stop();

    const again = await start({ regions: ["us-west-2", "eu-west-1"], stateDir: dir });
    expect(await ids(again, "us-west-2")).to.deep.equal([first.id, second.id]);
    expect(await ids(again, "eu-west-1"), "the re-added region's replica").to.deep.equal([first.id, second.id]);
  });
});
