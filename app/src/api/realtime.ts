// One websocket per tab to /api/v1/realtime (protocol in docs/operations.md). It reconnects with
// backoff, re-sends the presence it holds after a reconnect, and hands events to subscribers.
export interface PresenceUser {
  id: number;
  name: string;
  state: "viewing" | "typing";
}

export interface TicketEventMessage {
  type: "ticket.event";
  event: {
    id: number;
    type: string;
    ticketId: number;
    actor?: { type: string; id: number | null };
    changes: Record<string, unknown>;
    createdAt: string;
  };
}

export type ServerMessage =
  | { type: "ready"; actor: { type: string; id: number } }
  | TicketEventMessage
  | { type: "presence"; ticketId: number; users: PresenceUser[] }
  | { type: "resync" }
  | { type: "notification"; reason: "created" | "read" }
  | { type: "pong" }
  | { type: "error"; code: string; message: string };

type Listener = (message: ServerMessage) => void;
export type ConnectionState = "connecting" | "open" | "closed";

export class RealtimeConnection {
  private socket: WebSocket | null = null;
  private listeners = new Set<Listener>();
  private stateListeners = new Set<() => void>();
  private presence = new Map<number, "viewing" | "typing">();
  private retries = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private stopped = false;
  state: ConnectionState = "connecting";

  constructor(private readonly onSignedOut: () => void) {}

  start() {
    this.stopped = false;
    this.connect();
    // Presence expires after 30 s without news; repeat it while a ticket stays open.
    this.heartbeat = setInterval(() => {
      for (const [ticketId, state] of this.presence) this.send({ type: "presence", ticketId, state });
    }, 15_000);
  }

  stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.socket?.close(1000);
    this.socket = null;
  }

  subscribe(listener: Listener) {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  subscribeState(listener: () => void) {
    this.stateListeners.add(listener);
    return () => {
      this.stateListeners.delete(listener);
    };
  }

  setPresence(ticketId: number, state: "viewing" | "typing" | "left") {
    if (state === "left") this.presence.delete(ticketId);
    else if (this.presence.get(ticketId) === state) return;
    else this.presence.set(ticketId, state);
    this.send({ type: "presence", ticketId, state });
  }

  private send(message: unknown) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  private setState(state: ConnectionState) {
    this.state = state;
    for (const listener of this.stateListeners) listener();
  }

  private connect() {
    const url = new URL("/api/v1/realtime", window.location.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(url);
    this.socket = socket;
    this.setState("connecting");
    socket.onmessage = (message) => {
      let parsed: ServerMessage;
      try {
        parsed = JSON.parse(String(message.data));
      } catch {
        return;
      }
      if (parsed.type === "ready") {
        this.retries = 0;
        this.setState("open");
        for (const [ticketId, state] of this.presence) this.send({ type: "presence", ticketId, state });
      }
      for (const listener of this.listeners) listener(parsed);
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.setState("closed");
      if (this.stopped) return;
      if (event.code === 4401) {
        this.onSignedOut();
        return;
      }
      // Anything missed while away is refetched on reconnect (see the shell's resync handling).
      const delay = event.code === 1001 ? 200 : Math.min(30_000, 500 * 2 ** this.retries++);
      this.timer = setTimeout(() => this.connect(), delay + Math.random() * 250);
    };
  }
}
