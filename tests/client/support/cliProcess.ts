import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";

const BIN = join(__dirname, "..", "..", "..", "bin", "globalws");
/** How a run of `globalws` ended. */
export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `globalws` with only the environment given (no AWS credentials unless passed). */
export function start(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...options.env },
  });
}

/** Runs `globalws` to the end. */
export function run(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}): Promise<Run> {
  const child = start(args, options);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => (stdout += chunk));
  child.stderr?.on("data", (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

/** Resolves with the next line `stream` prints that matches `pattern`; rejects if the stream ends first. */
export function nextLine(stream: NodeJS.ReadableStream, pattern: RegExp): Promise<string> {
  const lines = createInterface({ input: stream });
  return new Promise((resolve, reject) => {
    lines.on("line", (line) => {
      if (pattern.test(line)) {
        resolve(line);
        lines.close();
      }
    });
    lines.on("close", () => reject(new Error(`The output ended without a line matching ${pattern}.`)));
  });
}
