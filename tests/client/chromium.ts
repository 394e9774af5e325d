import { execFileSync } from "node:child_process";
import { chromium, type Browser } from "playwright-core";

/** Flags for a quiet, offline, throwaway headless Chromium. */
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-quic",
  "--no-first-run",
  "--disable-sync",
];

/** Debian's Chromium, as installed by `npm install` (scripts/install-chromium.sh). */
function chromiumPath(): string {
  try {
    return execFileSync("which", ["chromium"], { encoding: "utf8" }).trim();
  } catch {
    throw new Error("chromium is not installed: run `bash scripts/install-chromium.sh` (or apt-get install chromium).");
  }
}

/** Launches Debian's Chromium headless with a fresh profile. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS, headless: true });
}
