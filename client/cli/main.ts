import { ClientError } from "../lib/errors";
import { loadOutputs } from "../lib/outputs";
import { parseCommandLine } from "./args";
import { runCommand, type CommandIo } from "./commands";

const io: CommandIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** `globalws`: the command-line client of a globalws stack, local or deployed. */
async function main(argv: string[]): Promise<number> {
  const command = parseCommandLine(argv);
  if ("help" in command) {
    io.out(command.help);
    return 0;
  }
  const outputs = await loadOutputs({ outputsFile: command.outputsFile, stack: command.stack });
  return runCommand({ ...command, token: command.token ?? (process.env.GLOBALWS_TOKEN || undefined) }, outputs, io);
}

// `globalws subscribe … | head -1`: the reader left, so there is nobody to print for.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
  process.exit(0);
});

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: Error) => {
    io.err(`globalws: ${error.message}`);
    process.exitCode = error instanceof ClientError ? error.exitCode : 1;
  },
);
