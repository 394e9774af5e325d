import { expect } from "chai";
import { GraphQLObjectType, parse, validate, type FieldNode, type OperationDefinitionNode } from "graphql";
import { decodeMessage, PUBLISH, SUBSCRIBE } from "../../client/lib/operations";
import { buildAppSyncSchema } from "../../schema";

const schema = buildAppSyncSchema();

/** The fields an operation selects on its root field's result. */
function selectedFields(operation: string): string[] {
  const document = parse(operation);
  expect(validate(schema, document)).to.deep.equal([]);
  const root = (document.definitions[0] as OperationDefinitionNode).selectionSet.selections[0] as FieldNode;
  return (root.selectionSet?.selections ?? []).map((selection) => (selection as FieldNode).name.value);
}

describe("client operations", () => {
  it("publish and subscribe select every Channel field (subscribers get only what the publisher selected)", () => {
    const channelFields = Object.keys((schema.getType("Channel") as GraphQLObjectType).getFields());
    expect(selectedFields(PUBLISH)).to.have.members(channelFields);
    expect(selectedFields(SUBSCRIBE)).to.have.members(channelFields);
  });

  it("decodes a message's JSON data, and names a message whose data is not JSON", () => {
    const message = { name: "general", data: '{"n":42}', id: "m1", origin: "us-west-2", publishedAt: "2026-01-01T00:00:00.000Z", sender: null };
    expect(decodeMessage(message).data).to.deep.equal({ n: 42 });
    expect(() => decodeMessage({ ...message, data: "{n:" })).to.throw(/^Message m1 on "general" has data that is not JSON \(/);
  });
});
