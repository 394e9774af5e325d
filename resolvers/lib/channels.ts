import { util } from "@aws-appsync/utils";
import { CHANNEL_NAME_PATTERN, CHANNEL_NAME_RULE, isOnAllowlist } from "./rules";
import { allowedChannels } from "./settings";

/** Fails the request unless `name` is a well-formed channel name. */
export function requireValidChannelName(name: string): void {
  if (!util.matches(CHANNEL_NAME_PATTERN, name)) {
    util.error(
      `Channel name "${name.slice(0, 80)}" is not valid: use ${CHANNEL_NAME_RULE}.`,
      "InvalidChannelName",
    );
  }
}

/** Fails the request unless `name` is well formed and on this API's allowlist. */
export function requireAllowedChannel(name: string): void {
  requireValidChannelName(name);
  if (!isOnAllowlist(name, allowedChannels)) {
    util.error(
      `Channel "${name}" is not allowed. Allowed channels: ${allowedChannels.join(", ")}.`,
      "ChannelNotAllowed",
    );
  }
}
