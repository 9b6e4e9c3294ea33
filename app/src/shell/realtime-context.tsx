import { useQueryClient } from "@tanstack/react-query";
import { createContext, type ReactNode, useContext, useEffect, useState, useSyncExternalStore } from "react";
import { leaveForSignIn } from "../api/client.ts";
import { type PresenceUser, RealtimeConnection, type ServerMessage } from "../api/realtime.ts";

const RealtimeContext = createContext<RealtimeConnection | null>(null);

// Keys invalidated by a ticket event. Lists and counts are refetched only if on screen.
function invalidateForEvent(queryClient: ReturnType<typeof useQueryClient>, message: ServerMessage) {
  if (message.type === "resync") {
    void queryClient.invalidateQueries();
    return;
  }
  if (message.type !== "ticket.event") return;
  const ticketId = message.event.ticketId;
  void queryClient.invalidateQueries({ queryKey: ["tickets", "detail", ticketId] });
  void queryClient.invalidateQueries({ queryKey: ["tickets", "list"] });
  void queryClient.invalidateQueries({ queryKey: ["views"] });
  void queryClient.invalidateQueries({ queryKey: ["search"] });
}

export function RealtimeProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [connection] = useState(
    () =>
      new RealtimeConnection(() => leaveForSignIn(`/login?next=${encodeURIComponent(location.pathname)}`)),
  );
  useEffect(() => {
    connection.start();
    const unsubscribe = connection.subscribe((message) => {
      invalidateForEvent(queryClient, message);
      // After a reconnect the server may have pushed events we never saw.
      if (message.type === "ready") void queryClient.invalidateQueries({ queryKey: ["tickets"] });
    });
    return () => {
      unsubscribe();
      connection.stop();
    };
  }, [connection, queryClient]);
  return <RealtimeContext.Provider value={connection}>{children}</RealtimeContext.Provider>;
}

export function useRealtime(): RealtimeConnection {
  const connection = useContext(RealtimeContext);
  if (!connection) throw new Error("useRealtime outside RealtimeProvider");
  return connection;
}

export function useConnectionState() {
  const connection = useRealtime();
  return useSyncExternalStore(
    (listener) => connection.subscribeState(listener),
    () => connection.state,
  );
}

// Who else is on this ticket, live, and announce ourselves as viewing (or typing) while mounted.
export function useTicketPresence(ticketId: number, typing: boolean, myId: number): PresenceUser[] {
  const connection = useRealtime();
  const [users, setUsers] = useState<PresenceUser[]>([]);
  useEffect(() => {
    setUsers([]);
    return connection.subscribe((message) => {
      if (message.type === "presence" && message.ticketId === ticketId) setUsers(message.users);
    });
  }, [connection, ticketId]);
  useEffect(() => {
    connection.setPresence(ticketId, typing ? "typing" : "viewing");
  }, [connection, ticketId, typing]);
  useEffect(() => () => connection.setPresence(ticketId, "left"), [connection, ticketId]);
  return users.filter((user) => user.id !== myId);
}
