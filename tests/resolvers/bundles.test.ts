import { expect } from "chai";
import { Linter } from "eslint";
import appsync from "@aws-appsync/eslint-plugin";
import * as esbuild from "esbuild";
import { APPSYNC_CODE_MAX_CHARACTERS, bundleResolvers, resolverFields } from "../../infra/resolverBundle";
import { HISTORY_SETTINGS } from "./harness";

describe("resolver bundles", () => {
  const resolvers = bundleResolvers(HISTORY_SETTINGS);
  const bundles = [
    ...resolvers.map((b) => ({ name: `${b.typeName}.${b.fieldName}`, code: b.code })),
    ...resolvers.flatMap((b) => b.functionCode.map((fn) => ({ name: `function ${fn.name}`, code: fn.code }))),
  ];

  it("bundles one file per resolver field, and one per pipeline function", () => {
    expect(resolvers.map((b) => `${b.typeName}.${b.fieldName}`)).to.deep.equal(resolverFields(HISTORY_SETTINGS).map((f) => `${f.typeName}.${f.fieldName}`));
    expect(bundles.filter((b) => b.name.startsWith("function")).map((b) => b.name)).to.deep.equal(["function storeMessage", "function putMessageEvent"]);
  });

  for (const bundle of bundles) {
    describe(bundle.name, () => {
      it("is ESM that imports nothing but @aws-appsync/utils and exports request and response", () => {
        // esbuild re-reads the bundle; its metafile lists the imports and named exports (CommonJS would have none).
        const { metafile } = esbuild.buildSync({
          stdin: { contents: bundle.code, loader: "js" },
          bundle: true, write: false, format: "esm", metafile: true, outfile: "out.js",
          external: ["*"], logLevel: "silent",
        });
        const imports = metafile.inputs["<stdin>"].imports.map((i) => i.path);
        expect(imports.filter((path) => path !== "@aws-appsync/utils")).to.deep.equal([]);
        expect(metafile.outputs["out.js"].exports.sort()).to.deep.equal(["request", "response"]);
      });

      it("passes AppSync's APPSYNC_JS lint rules as bundled", () => {
        const messages = new Linter({ configType: "flat" }).verify(bundle.code, [
          { languageOptions: { ecmaVersion: "latest", sourceType: "module" } },
          appsync.configs!.base as Linter.Config,
        ]);
        expect(messages.map((m) => `${m.line}: ${m.message}`)).to.deep.equal([]);
      });

      it("stays within AppSync's code limit", () => {
        expect(bundle.code.length).to.be.at.most(APPSYNC_CODE_MAX_CHARACTERS);
      });

      it("calls no built-in missing from APPSYNC_JS's documented list (Array.isArray, Array.prototype.includes)", () => {
        // https://docs.aws.amazon.com/appsync/latest/devguide/supported-features.html lists neither;
        // indexOf and typeof checks do the same job. The inline source map is base64, so it holds neither text.
        for (const call of ["Array.isArray(", ".includes("]) expect(bundle.code, call).not.to.contain(call);
      });
    });
  }
});
