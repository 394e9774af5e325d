import { CONNECTION_STATE_CHANGE, ConnectionState } from "aws-amplify/api";
import { Hub } from "aws-amplify/utils";
import { useEffect, useState } from "react";

/** The real-time connection's state as Amplify reports it on the `api` Hub channel. */
export function useConnectionState(): ConnectionState {
  const [state, setState] = useState<ConnectionState>(ConnectionState.Disconnected);
  useEffect(
    () =>
      Hub.listen("api", ({ payload }) => {
        if (payload.event === CONNECTION_STATE_CHANGE) {
          setState((payload.data as { connectionState: ConnectionState }).connectionState);
        }
      }),
    [],
  );
  return state;
}
