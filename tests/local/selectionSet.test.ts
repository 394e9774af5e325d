import { expect } from "chai";
import { Kind, parse, type FieldNode, type FragmentDefinitionNode, type OperationDefinitionNode } from "graphql";
import { selectionSetList } from "../../local/appsync/regionalApi";

describe("local runtime: ctx.info.selectionSetList", () => {
  it("lists each selected path as AppSync does: an aliased field by its alias only, fragments' fields in place, nested fields after a /", () => {
    const document = parse(`query {
      history(name: "a") { items { name second: name ...Origin ... on Channel { inline: id } } nextToken }
    } fragment Origin on Channel { fromFragment: origin }`);
    const operation = document.definitions[0] as OperationDefinitionNode;
    const fragments = Object.fromEntries(
      document.definitions.flatMap((definition) => (definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition as FragmentDefinitionNode]] : [])),
    );
    const history = operation.selectionSet.selections[0] as FieldNode;
    expect(selectionSetList(history.selectionSet, fragments)).to.deep.equal(["items", "items/name", "items/second", "items/fromFragment", "items/inline", "nextToken"]);
  });
});
