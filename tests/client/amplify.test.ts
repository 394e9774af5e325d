import { expect } from "chai";
import { readFileSync } from "node:fs";
import WebSocket from "ws";
import { PUBLISH, SUBSCRIBE, type ChannelMessage } from "../../client/lib/operations";
import { startLocalStack, type LocalStack } from "../../local";

/**
 * The web app and the command line now speak AppSync's protocol through the globalws client
 * library; this keeps proving that the local runtime also serves Amplify JS v6, the client most
 * AppSync apps use, as AppSync does.
 */
describe("Amplify JS v6 against the local runtime (compatibility)", function () {
  this.timeout(30_000);
  let stack: LocalStack;
  const nativeWebSocket = globalThis.WebSocket;

  before(async () => {
    stack = await startLocalStack({ regions: ["us-west-2"], channels: [], basePort: 0, outputsFile: null, log: () => {} });
    const ca = readFileSync(stack.outputs.certificateFile, "utf8");
    // Amplify opens `new WebSocket(url, protocol)`: Node's has no way to trust the local certificate, ws has.
    class LocalCaWebSocket extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, { ca });
      }
    }
    globalThis.WebSocket = LocalCaWebSocket as unknown as typeof globalThis.WebSocket;
  });
  after(async () => {
    globalThis.WebSocket = nativeWebSocket;
    await stack?.stop();
  });

  it("subscribes and publishes with aws-amplify's generateClient (API key)", async () => {
    const { Amplify } = await import("aws-amplify");
    const { generateClient } = await import("aws-amplify/api");
    const { Hub } = await import("aws-amplify/utils");
    const region = stack.outputs.regions["us-west-2"];
    // Plain http for queries (Node's fetch would refuse the self-signed certificate); Amplify derives wss:// for real time.
    Amplify.configure({ API: { GraphQL: { endpoint: region.graphqlUrl.replace("https:", "http:"), region: "us-west-2", defaultAuthMode: "apiKey", apiKey: region.apiKey } } });
    const client = generateClient();

    const acknowledged = new Promise<void>((resolve) => {
      const stop = Hub.listen("api", ({ payload }) => {
        if (payload.event !== "Subscription ack") return;
        stop();
        resolve();
      });
    });
    let subscription: { unsubscribe(): void } | undefined;
    const received = new Promise<ChannelMessage>((resolve, reject) => {
      const observable = client.graphql({ query: SUBSCRIBE, variables: { name: "amplify" } }) as unknown as {
        subscribe(observer: { next(event: { data: { subscribe: ChannelMessage } }): void; error(error: unknown): void }): { unsubscribe(): void };
      };
      subscription = observable.subscribe({ next: (event) => resolve(event.data.subscribe), error: reject });
    });
    await acknowledged;
    const published = (await client.graphql({ query: PUBLISH, variables: { name: "amplify", data: JSON.stringify({ text: "from Amplify" }) } })) as { data: { publish: ChannelMessage } };
    expect(await received).to.deep.equal(published.data.publish);
    expect(JSON.parse(published.data.publish.data)).to.deep.equal({ text: "from Amplify" });
    subscription?.unsubscribe();
  });
});
