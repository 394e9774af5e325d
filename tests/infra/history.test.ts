import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { expect } from "chai";
import { mkdtempSync, rmSync } from "fs";
import * as os from "os";
import * as path from "path";
import { startReplica } from "../../local/dynamodb/replica";
import { named, ofType, programFor, ProgramRun, STANDARD_CONFIG } from "./harness";

const SEVEN = ["us-east-1", "eu-west-1", "ap-southeast-2", "sa-east-1", "ca-central-1", "ap-northeast-1", "eu-central-1"];

describe("infra: History", () => {
  for (const size of [1, 2, 3, 7]) {
    const regions = SEVEN.slice(0, size);

    describe(`${size} region${size === 1 ? "" : "s"}`, () => {
      let run: ProgramRun;
      before(async () => {
        run = await programFor({ regions, channels: ["cars"] });
      });

      it("is one global table in the first region with a replica in every other region", () => {
        const tables = ofType(run, "aws:dynamodb/table:Table");
        expect(tables).to.have.length(1);
        const { inputs } = tables[0];
        expect(inputs.region).to.equal(regions[0]);
        expect((inputs.replicas ?? []).map((replica: { regionName: string }) => replica.regionName)).to.deep.equal(regions.slice(1));
      });

      it("gives every region's history data source its own region's replica", () => {
        const table = named(run, "history-table").state.name;
        for (const region of regions) {
          expect(named(run, `${region}-history-ds`).inputs, region).to.deep.include({ region, type: "AMAZON_DYNAMODB", dynamodbConfig: { tableName: table, region } });
        }
      });
    });
  }

  describe("the table", () => {
    let run: ProgramRun;
    before(async () => {
      run = await programFor(STANDARD_CONFIG);
    });

    it("is keyed by channel and message id, with a time index by channel", () => {
      const { inputs } = named(run, "history-table");
      expect(inputs).to.include({ hashKey: "name", rangeKey: "id" });
      expect(inputs.attributes).to.have.deep.members([{ name: "name", type: "S" }, { name: "id", type: "S" }, { name: "ts", type: "S" }]);
      expect(inputs.globalSecondaryIndexes).to.deep.equal([{
        name: "byTime",
        keySchemas: [{ attributeName: "name", keyType: "HASH" }, { attributeName: "ts", keyType: "RANGE" }],
        projectionType: "ALL",
      }]);
    });

    it("bills on demand, expires items with TTL on expiresAt, encrypts with the AWS-owned key and streams both images, as global tables need", () => {
      const { inputs } = named(run, "history-table");
      expect(inputs).to.include({ billingMode: "PAY_PER_REQUEST", streamEnabled: true, streamViewType: "NEW_AND_OLD_IMAGES" });
      expect(inputs.ttl).to.deep.equal({ attributeName: "expiresAt", enabled: true });
      expect(inputs.serverSideEncryption).to.deep.equal({ enabled: false });
    });

    it("has the same keys, attributes and index as the local runtime's table, so local runs test what deploys", async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), "globalws-table-"));
      const replica = await startReplica("us-west-2", dir, () => {});
      try {
        const { Table: local } = await replica.send(new DescribeTableCommand({ TableName: replica.tableName }));
        const { inputs } = named(run, "history-table");
        const keys = (schema: { AttributeName?: string; KeyType?: string }[] = []) => schema.map((key) => ({ attributeName: key.AttributeName, keyType: key.KeyType }));
        expect(keys(local?.KeySchema)).to.deep.equal([{ attributeName: inputs.hashKey, keyType: "HASH" }, { attributeName: inputs.rangeKey, keyType: "RANGE" }]);
        expect(local?.AttributeDefinitions?.map((a) => ({ name: a.AttributeName, type: a.AttributeType }))).to.have.deep.members(inputs.attributes);
        expect(local?.GlobalSecondaryIndexes?.map((index) => ({ name: index.IndexName, keySchemas: keys(index.KeySchema), projectionType: index.Projection?.ProjectionType })))
          .to.deep.equal(inputs.globalSecondaryIndexes);
      } finally {
        await replica.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  it("creates no table and no history data source when historyRetentionHours is 0", async () => {
    const off = await programFor({ ...STANDARD_CONFIG, historyRetentionHours: 0 });
    expect(ofType(off, "aws:dynamodb/table:Table")).to.deep.equal([]);
    expect(ofType(off, "aws:appsync/dataSource:DataSource").map((ds) => ds.inputs.type)).not.to.include("AMAZON_DYNAMODB");
    // publish still runs as a pipeline, with the event function alone.
    for (const region of STANDARD_CONFIG.regions) {
      expect(named(off, `${region}-Mutation-publish`).inputs.pipelineConfig.functions).to.have.length(1);
      expect(named(off, `${region}-Query-history`).inputs.dataSource).to.equal("none");
    }
  });
});
