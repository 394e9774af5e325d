import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { minVersion, subset } from "semver";

const ROOT = path.join(__dirname, "..");

interface PackageJson {
  engines?: { node?: string };
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const readPackage = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as PackageJson;

/** Pulumi's SDK: needed to deploy; the tests use only its mocks, which run on older Node too. */
const DEPLOY_ONLY = "@pulumi/pulumi";

describe("Node versions", () => {
  const project = readPackage(ROOT);
  const ours = project.engines?.node as string;
  const declared = Object.keys({ ...project.dependencies, ...project.devDependencies })
    .map((name) => ({ name, range: readPackage(path.join(ROOT, "node_modules", name)).engines?.node }))
    .filter((entry): entry is { name: string; range: string } => entry.range !== undefined);

  it("engines admits only Node versions every package of the tests and the local runtime supports", () => {
    for (const { name, range } of declared.filter((entry) => entry.name !== DEPLOY_ONLY)) {
      expect(subset(ours, range), `${name} declares node ${range}; package.json says ${ours}`).to.equal(true);
    }
  });

  it("the README says which Node the tests need and which deploying needs (@pulumi/pulumi's own range)", () => {
    const pulumi = declared.find((entry) => entry.name === DEPLOY_ONLY)?.range as string;
    expect(subset(ours, pulumi), "deploying needs more than the tests").to.equal(false);
    // A `|` inside a Markdown table cell is written `\|`.
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8").replace(/\\\|/g, "|");
    expect(readme).to.include(`\`${ours}\``);
    expect(readme).to.include(`\`@pulumi/pulumi\` declares \`node ${pulumi}\``);
    expect(readme).to.include(`Node ≥ ${minVersion(pulumi)?.major}`);
  });
});
