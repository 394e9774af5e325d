import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { parseValue, validateConfig, type GlobalWsConfig, type RawConfig } from "../infra/config";

const PREFIX = "globalws:";

/**
 * Reads `Pulumi.<stack>.yaml` from `projectRoot` and validates its `globalws:*` keys with the same
 * function `pulumi up` uses, so a bad config fails locally with the same messages.
 * @throws Error naming the file when it is missing or not YAML; ConfigError for bad values.
 */
export function readStackConfig(stack: string, projectRoot: string): GlobalWsConfig {
  const file = path.join(projectRoot, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) {
    throw new Error(`Stack config ${file} not found: create it or pick another stack with --stack NAME`);
  }
  let document: unknown;
  try {
    document = parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    throw new Error(`${file} is not valid YAML: ${(error as Error).message}`);
  }
  const config = (document as { config?: Record<string, unknown> } | null)?.config ?? {};
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    // As `pulumi up` reads them: `pulumi config set` stores top-level values as strings.
    if (key.startsWith(PREFIX)) raw[key.slice(PREFIX.length)] = typeof value === "string" ? parseValue(value) : value;
  }
  return validateConfig(raw as RawConfig);
}
