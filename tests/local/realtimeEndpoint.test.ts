import { expect } from "chai";
import * as http from "http";
import type { AddressInfo } from "net";
import type { RegionalApi } from "../../local/appsync/regionalApi";
import { RealtimeEndpoint } from "../../local/appsync/realtimeEndpoint";
import { RealtimeClient, SUBSCRIBE_ALL } from "./realtimeClient";

describe("local runtime: real-time endpoint on its own", () => {
  it("answers a start that fails unexpectedly with an error, and the connection and server live on", async () => {
    // An API whose subscribe throws stands for any bug on the start path: unhandled, it would stop the process.
    let starts = 0;
    const api = {
      subscribe: async () => {
        starts += 1;
        throw new Error(`boom ${starts}`);
      },
      subscriptions: { remove: () => {} },
    } as unknown as RegionalApi;
    const endpoint = new RealtimeEndpoint(api, { region: "us-west-2", apiKey: "da2-test", credentials: { accessKeyId: "AKIATEST", secretAccessKey: "secret" }, tokens: null });
    const server = http.createServer().on("upgrade", (request, socket, head) => endpoint.upgrade(request, socket, head));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const origin = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const endpoints = { graphqlUrl: `http://${origin}/graphql`, realtimeUrl: `ws://${origin}/graphql/realtime`, apiId: "", apiKey: "da2-test", eventBusArn: "", deadLetterQueueUrl: "" };
    const client = await RealtimeClient.connect(endpoints, { apiKey: "da2-test" });
    for (const [index, id] of ["first", "second"].entries()) {
      client.send(await client.startMessage(id, SUBSCRIBE_ALL, { name: "a" }));
      const errors = () => client.received.filter((message) => message.type === "error");
      const answer = await client.next((message) => message.type === "error" && errors().indexOf(message) === index);
      expect(answer.payload?.errors).to.deep.equal([{ errorType: "InternalFailure", message: `boom ${index + 1}` }]);
    }
    client.close();
    endpoint.close();
    server.close();
  });
});
