import { util, Context } from "@aws-appsync/utils";
import { EVENT_SOURCE } from "./rules";

/** The EventBridge data source request that puts one globalws event on this region's bus. */
export function putEvent(detailType: string, detail: Record<string, string | undefined>) {
  return {
    operation: "PutEvents" as const,
    events: [{ source: EVENT_SOURCE, detailType, detail }],
  };
}

type PutEventsResult = {
  FailedEntryCount?: number;
  Entries?: { EventId?: string; ErrorCode?: string; ErrorMessage?: string }[];
};

/** Fails the request when the data source or EventBridge refused the event: a failed entry is not a success. */
export function requireEventAccepted(ctx: Context): void {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
  const result = ctx.result as PutEventsResult;
  if (result.FailedEntryCount) {
    const entry = (result.Entries ?? []).find((e) => e.ErrorCode) ?? {};
    util.error(
      `EventBridge did not accept the event: ${entry.ErrorCode ?? "unknown error"}: ${entry.ErrorMessage ?? ""}`,
      "EventNotAccepted",
    );
  }
}
