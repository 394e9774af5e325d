import { expect } from "chai";
import { mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { DataSourceError } from "../../local/appsync/dataSourceError";
import type { DataSource } from "../../local/appsync/resolverRuntime";
import { dynamoDbDataSource } from "../../local/dynamodb/dataSource";
import { PaginationTokens } from "../../local/dynamodb/paginationToken";
import { startReplica } from "../../local/dynamodb/replica";
import { HISTORY_SETTINGS, run } from "./harness";

// Review findings (branch revC): Query.history against the errors AppSync really reports.

describe("review: Query.history and the error AppSync reports for a nextToken DynamoDB refuses", () => {
  // A nextToken of this resolver, but of another channel's query (or one whose key DynamoDB refuses),
  // decrypts fine on AppSync and reaches DynamoDB as an ExclusiveStartKey outside the key condition:
  // DynamoDB answers ValidationException ("The provided starting key is invalid"). ValidationException is
  // not a modelled exception of the AWS SDK AppSync uses, so AppSync reports it under the SDK's generic
  // name, never as `DynamoDB:ValidationException`: reported as `DynamoDB:AmazonDynamoDBException` with
  // "... Error Code: ValidationException ..." in the message
  // (https://github.com/dabit3/react-appsync-graphql-recipe-app/issues/5); with the v2 SDK whose message
  // format AppSync shows today ("(Service: DynamoDb, Status Code: 400, ...)",
  // https://github.com/aws/aws-appsync-community/issues/343) the generic name is `DynamoDbException`.
  // The contract (issue 8): "A bad token is BadRequest".
  const appSyncValidationErrors: [string, string][] = [
    ["DynamoDB:AmazonDynamoDBException", "The provided starting key is invalid (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ValidationException; Request ID: X)"],
    ["DynamoDB:DynamoDbException", "The provided starting key is invalid (Service: DynamoDb, Status Code: 400, Request ID: X)"],
  ];
  for (const [type, message] of appSyncValidationErrors) {
    it(`answers BadRequest when DynamoDB refuses the nextToken's start key (${type})`, async () => {
      const refusing: DataSource = async () => {
        throw new DataSourceError(message, type);
      };
      const outcome = await run("Query", "history", { name: "cars", nextToken: "a-token-of-another-channel" }, { settings: HISTORY_SETTINGS, history: refusing });
      expect(outcome.errors.map((error) => error.errorType)).to.deep.equal(["BadRequest"]);
    });
  }
});

describe("review: the local DynamoDB data source names DynamoDB's errors as AppSync does", function () {
  this.timeout(30_000);
  // Local fidelity: dynalite's ValidationException reaches the resolver as `DynamoDB:ValidationException`,
  // a type AppSync never reports (see above), so the local runtime hides the difference.
  it("reports a start key DynamoDB refuses under AppSync's generic type, not DynamoDB:ValidationException", async () => {
    const dir = mkdtempSync(join(tmpdir(), "globalws-review-"));
    const replica = await startReplica("us-west-2", dir, () => {});
    try {
      const tokens = new PaginationTokens();
      const source = dynamoDbDataSource({ replica, tokens, onWrite: () => {} });
      // A token this resolver issued, for a page of channel "cars", sent with a query of channel "boats".
      const carsToken = tokens.encode({ name: { S: "cars" }, id: { S: "m1" }, ts: { S: "0000000000001#m1" } }, "us-west-2/Query.history");
      let failure: DataSourceError | undefined;
      await source(
        {
          operation: "Query",
          index: "byTime",
          query: { expression: "#n = :n AND #ts >= :s", expressionNames: { "#n": "name", "#ts": "ts" }, expressionValues: { ":n": { S: "boats" }, ":s": { S: "0000000000000" } } },
          limit: 10,
          nextToken: carsToken,
        },
        "Query.history",
      ).catch((error: DataSourceError) => (failure = error));
      expect(failure, "DynamoDB refuses the start key").not.to.equal(undefined);
      expect(failure?.type).not.to.equal("DynamoDB:ValidationException");
    } finally {
      await replica.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
