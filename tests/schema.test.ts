import { expect } from "chai";
import { getDirectiveValues, GraphQLObjectType, parse, validate, validateSchema, type GraphQLSchema } from "graphql";
import { loadSchema } from "../local/appsync/schema";
import { API_KEY_ACCESS_MODES, CHANNEL_FIELDS } from "../resolvers/lib/rules";
import { authModesFor, buildAppSyncSchema, readSchemaText, schemaTextFor, type SchemaAccess } from "../schema";

const schema = buildAppSyncSchema();

function field(typeName: string, fieldName: string, from: GraphQLSchema = schema) {
  const type = from.getType(typeName) as GraphQLObjectType;
  return type.getFields()[fieldName];
}

const AUTH_DIRECTIVES = ["aws_api_key", "aws_oidc", "aws_iam"];

function authModes(typeName: string, fieldName: string, from: GraphQLSchema = schema): string[] {
  const directives = field(typeName, fieldName, from).astNode?.directives ?? [];
  return directives.map((d) => d.name.value).filter((name) => AUTH_DIRECTIVES.includes(name));
}

function typeModes(typeName: string, from: GraphQLSchema): string[] {
  return ((from.getType(typeName) as GraphQLObjectType).astNode?.directives ?? []).map((d) => d.name.value).filter((name) => AUTH_DIRECTIVES.includes(name));
}

const STACKS: SchemaAccess[] = [false, true].flatMap((oidc) => API_KEY_ACCESS_MODES.map((apiKeyAccess) => ({ oidc, apiKeyAccess })));
const USER_FIELDS: [string, string][] = [["Mutation", "publish"], ["Subscription", "subscribe"], ["Query", "history"], ["Query", "channels"]];
const IAM_ONLY_FIELDS: [string, string][] = [["Mutation", "publishFromBus"], ["Mutation", "unsubscribe"], ["Mutation", "unsubscribeFromBus"]];

describe("schema", () => {
  it("is valid GraphQL once AppSync's scalars and directives are declared", () => {
    expect(validateSchema(schema)).to.deep.equal([]);
  });

  it("has the contract's Channel type, with the server-set sender", () => {
    const channel = schema.getType("Channel") as GraphQLObjectType;
    const types = Object.fromEntries(Object.values(channel.getFields()).map((f) => [f.name, String(f.type)]));
    expect(types).to.deep.equal({ name: "String!", data: "AWSJSON!", id: "ID!", origin: "String!", publishedAt: "AWSDateTime!", sender: "String" });
  });

  it("lists every Channel field in CHANNEL_FIELDS, the one list publish checks and publishFromBus selects", () => {
    expect([...CHANNEL_FIELDS].sort()).to.deep.equal(Object.keys((schema.getType("Channel") as GraphQLObjectType).getFields()).sort());
  });

  it("gives a client no way to set sender; only the bus delivery carries it", () => {
    expect(field("Mutation", "publish").args.map((a) => a.name)).to.deep.equal(["name", "data", "id"]);
    expect(field("Mutation", "publishFromBus").args.map((a) => `${a.name}: ${a.type}`)).to.include("sender: String");
  });

  it("in its source, lets API key, signed-in users and IAM publish, subscribe, read history and list channels; only IAM the rest", () => {
    for (const [type, name] of USER_FIELDS) expect(authModes(type, name), name).to.deep.equal(["aws_api_key", "aws_oidc", "aws_iam"]);
    for (const [type, name] of IAM_ONLY_FIELDS) expect(authModes(type, name), name).to.deep.equal(["aws_iam"]);
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

  describe("per stack", () => {
    it("gives the API key as default mode while there is a key, else OIDC, else IAM alone", () => {
      expect(authModesFor({ oidc: false, apiKeyAccess: "publish-and-subscribe" })).to.deep.equal({ defaultMode: "API_KEY", additionalModes: ["AWS_IAM"] });
      expect(authModesFor({ oidc: true, apiKeyAccess: "subscribe" })).to.deep.equal({ defaultMode: "API_KEY", additionalModes: ["AWS_IAM", "OPENID_CONNECT"] });
      expect(authModesFor({ oidc: true, apiKeyAccess: "none" })).to.deep.equal({ defaultMode: "OPENID_CONNECT", additionalModes: ["AWS_IAM"] });
      expect(authModesFor({ oidc: false, apiKeyAccess: "none" })).to.deep.equal({ defaultMode: "AWS_IAM", additionalModes: [] });
    });

    it("is today's schema, untouched, for a stack without users and with the default API key access", () => {
      const today = schemaTextFor({ oidc: false, apiKeyAccess: "publish-and-subscribe" });
      expect(today).to.equal(readSchemaText().replace(/\n {4}@aws_oidc/g, "").replace(/ @aws_oidc/g, ""));
      expect(today).not.to.contain("@aws_oidc");
    });

    for (const access of STACKS) {
      describe(`${access.oidc ? "with" : "without"} OIDC, apiKeyAccess ${access.apiKeyAccess}`, () => {
        const derived = buildAppSyncSchema(schemaTextFor(access));
        const { defaultMode, additionalModes } = authModesFor(access);
        const apiModes = [defaultMode, ...additionalModes];

        it("is valid, and names only the auth modes its API has", () => {
          expect(validateSchema(derived)).to.deep.equal([]);
          const text = schemaTextFor(access);
          expect(text.includes("@aws_oidc")).to.equal(apiModes.includes("OPENID_CONNECT"));
          expect(text.includes("@aws_api_key")).to.equal(apiModes.includes("API_KEY"));
        });

        it("opens each user field to the modes apiKeyAccess and OIDC say, IAM always", () => {
          for (const [type, name] of USER_FIELDS) {
            const keyAllowed = access.apiKeyAccess === "publish-and-subscribe" || (access.apiKeyAccess === "subscribe" && type !== "Mutation");
            const expected = [...(keyAllowed ? ["aws_api_key"] : []), ...(access.oidc ? ["aws_oidc"] : []), "aws_iam"];
            expect(authModes(type, name, derived), `${type}.${name}`).to.deep.equal(expected);
          }
          for (const [type, name] of IAM_ONLY_FIELDS) expect(authModes(type, name, derived), name).to.deep.equal(["aws_iam"]);
          // The types a user field returns let every mode that reads them through.
          const readers = [...(access.apiKeyAccess !== "none" ? ["aws_api_key"] : []), ...(access.oidc ? ["aws_oidc"] : []), "aws_iam"];
          for (const type of ["Channel", "ChannelHistory"]) expect(typeModes(type, derived), type).to.deep.equal(readers);
        });

        it("gives every field explicit modes, so AppSync's default-mode rule changes nothing", () => {
          const local = loadSchema(access);
          for (const [type, name] of [...USER_FIELDS, ...IAM_ONLY_FIELDS]) {
            const written = authModes(type, name, derived).map((directive) => ({ aws_api_key: "API_KEY", aws_oidc: "OPENID_CONNECT", aws_iam: "AWS_IAM" })[directive]);
            expect(local.fieldAuth.get(`${type}.${name}`), `${type}.${name}`).to.deep.equal(written);
            for (const mode of written) expect(apiModes, `${type}.${name}`).to.include(mode);
          }
        });
      });
    }
  });
});
