import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** The web app's sources. */
const WEB_ROOT = __dirname;

/** Where the built app goes (gitignored). */
export const WEB_DIST = join(WEB_ROOT, "dist");

/** Everything the bundle is made from: a change to any of these makes `dist` stale. */
const SOURCES = [join(WEB_ROOT, "index.html"), join(WEB_ROOT, "src"), join(WEB_ROOT, "..", "lib")];

function newestChange(path: string): number {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(stats.mtimeMs, ...readdirSync(path).map((entry) => newestChange(join(path, entry))));
}

/** True when `dist` is missing or older than a source file. */
function webAppIsStale(): boolean {
  const builtIndex = join(WEB_DIST, "index.html");
  if (!existsSync(builtIndex)) return true;
  return Math.max(...SOURCES.map(newestChange)) > statSync(builtIndex).mtimeMs;
}

/** Builds the app with Vite into `dist` unless it is up to date. */
export async function ensureWebAppBuilt(log: (line: string) => void = () => {}): Promise<void> {
  if (!webAppIsStale()) return;
  log("globalws: building the web app with Vite…");
  const { build, react } = await loadVite();
  await build({
    root: WEB_ROOT,
    configFile: false,
    logLevel: "warn",
    plugins: [react()],
    build: { outDir: WEB_DIST, emptyOutDir: true, chunkSizeWarningLimit: 2048 },
  });
}

/**
 * Vite and its React plugin publish types for ESM resolution only, which this CommonJS project
 * (`moduleResolution: node10`) cannot see: their types are named by path, and the modules are
 * loaded through specifiers TypeScript leaves alone.
 */
async function loadVite() {
  const specifiers = { vite: "vite", react: "@vitejs/plugin-react" };
  const vite = (await import(specifiers.vite)) as typeof import("vite/dist/node/index");
  const plugin = (await import(specifiers.react)) as typeof import("@vitejs/plugin-react/dist/index");
  return { build: vite.build, react: plugin.default };
}
