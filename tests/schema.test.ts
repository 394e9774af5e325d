import { expect } from "chai";
import { getDirectiveValues, GraphQLObjectType, parse, validate, validateSchema } from "graphql";
import { buildAppSyncSchema } from "../schema";

const schema = buildAppSyncSchema();

function field(typeName: string, fieldName: string) {
  const type = schema.getType(typeName) as GraphQLObjectType;
  return type.getFields()[fieldName];
}

function authModes(typeName: string, fieldName: string): string[] {
  const directives = field(typeName, fieldName).astNode?.directives ?? [];
  return directives.map((d) => d.name.value).filter((name) => name === "aws_api_key" || name === "aws_iam");
}

describe("schema", () => {
  it("is valid GraphQL once AppSync's scalars and directives are declared", () => {
    expect(validateSchema(schema)).to.deep.equal([]);
  });

  it("has the contract's Channel type", () => {
    const channel = schema.getType("Channel") as GraphQLObjectType;
    const types = Object.fromEntries(Object.values(channel.getFields()).map((f) => [f.name, String(f.type)]));
    expect(types).to.deep.equal({ name: "String!", data: "AWSJSON!", id: "ID!", origin: "String!", publishedAt: "AWSDateTime!" });
  });

  it("lets API key and IAM publish, subscribe and list channels; only IAM the rest", () => {
    expect(authModes("Mutation", "publish")).to.deep.equal(["aws_api_key", "aws_iam"]);
    expect(authModes("Subscription", "subscribe")).to.deep.equal(["aws_api_key", "aws_iam"]);
    expect(authModes("Query", "channels")).to.deep.equal(["aws_api_key", "aws_iam"]);
    expect(authModes("Mutation", "publishFromBus")).to.deep.equal(["aws_iam"]);
    expect(authModes("Mutation", "unsubscribe")).to.deep.equal(["aws_iam"]);
    expect(authModes("Mutation", "unsubscribeFromBus")).to.deep.equal(["aws_iam"]);
  });

  it("fires subscribe on publish and publishFromBus", () => {
    const subscribe = field("Subscription", "subscribe");
    const directive = schema.getDirective("aws_subscribe")!;
    expect(getDirectiveValues(directive, subscribe.astNode!)).to.deep.equal({ mutations: ["publish", "publishFromBus"] });
  });

  it("keeps the seed's operations working", () => {
    for (const operation of [
      'mutation { publish(name: "cars", data: "{\\"a\\":1}") { name data } }',
      'subscription { subscribe(name: "cars") { name data } }',
      'mutation { unsubscribe(name: "cars") { name } }',
      "query { channels }",
    ]) {
      expect(validate(schema, parse(operation)).map(String), operation).to.deep.equal([]);
    }
  });
});
