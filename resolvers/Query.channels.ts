import { Context } from "@aws-appsync/utils";
import { allowedChannels } from "./lib/settings";

/** The allowlist, so a client can offer it. */
export function request() {
  return { payload: allowedChannels };
}

export function response(ctx: Context) {
  return ctx.result;
}
