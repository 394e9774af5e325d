import { expect } from "chai";
import { graphqlEndpointArn } from "../../infra/graphqlEndpointArn";

describe("infra: graphqlEndpointArn", () => {
  it("names the endpoint by its URL's host label, not the API id", () => {
    expect(graphqlEndpointArn(
      "arn:aws:appsync:eu-west-1:123456789012:apis/abcdefghijklmnopqrstuvwxyz",
      "https://fc4lhm7c2vd2bkhx6wzazjxrpu.appsync-api.eu-west-1.amazonaws.com/graphql",
    )).to.equal("arn:aws:appsync:eu-west-1:123456789012:endpoints/graphql-api/fc4lhm7c2vd2bkhx6wzazjxrpu");
  });

  it("refuses a URL that is not the API's own AppSync endpoint in its region", () => {
    const arn = "arn:aws:appsync:eu-west-1:123456789012:apis/abc";
    for (const url of ["https://api.example.com/graphql", "https://x.appsync-api.us-east-1.amazonaws.com/graphql", "https://a.b.appsync-api.eu-west-1.amazonaws.com/graphql"]) {
      expect(() => graphqlEndpointArn(arn, url), url).to.throw(`The GraphQL URL ${url} of ${arn} is not AppSync's own endpoint`);
    }
  });
});
