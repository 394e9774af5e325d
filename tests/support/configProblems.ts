import { expect } from "chai";
import { ConfigError, RawConfig, validateConfig } from "../../infra/config";

/** The problems validateConfig reports for a config it must refuse. */
export function problemsOf(raw: RawConfig): string[] {
  try {
    validateConfig(raw);
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error("expected a ConfigError");
}
