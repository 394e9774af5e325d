import { expect } from "chai";
import { parseCommandLine } from "../../client/cli/args";
import { ClientError } from "../../client/lib/errors";

/** The usage error `argv` gets, with its exit code. */
function misuse(argv: string[]): [string, number] {
  try {
    parseCommandLine(argv);
  } catch (error) {
    expect(error).to.be.instanceOf(ClientError);
    return [(error as ClientError).message, (error as ClientError).exitCode];
  }
  throw new Error(`${argv.join(" ")} parsed`);
}

describe("command line: arguments", () => {
  it("takes smoke's --count as a whole number of messages", () => {
    expect(parseCommandLine(["smoke", "--count", "5"])).to.include({ command: "smoke", count: 5 });
    expect(misuse(["smoke", "--count", "2.5"])).to.deep.equal(['--count must be a whole number, not "2.5".', 2]);
    expect(misuse(["smoke", "--count", "0"])).to.deep.equal(['--count must be a positive number, not "0".', 2]);
  });
});
