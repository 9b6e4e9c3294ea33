import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useMemo } from "react";
import type { Message } from "../api/types.ts";
import { useContactsById, useGroupNames, useUserNames } from "../shell/directory.ts";
import { Button } from "../ui/button.tsx";
import { formatDateTime } from "../ui/format.ts";
import { MessageItem } from "./message-item.tsx";
import { eventsQuery, ticketQuery } from "./queries.ts";
import { buildTimeline, linkedTicketId } from "./timeline.ts";

interface ThreadProps {
  ticketId: number;
  messages: Message[];
  loading: boolean;
  // Messages newer than this id are marked new (they arrived while the agent was writing).
  newAfterId: number | null;
  // Given when the agent may split messages off this ticket.
  onSplit?: (message: Message) => void;
}

export function Thread({ ticketId, messages, loading, newAfterId, onSplit }: ThreadProps) {
  const users = useUserNames();
  const groups = useGroupNames();
  const events = useQuery(eventsQuery(ticketId));
  const contacts = useContactsById(
    messages.filter((m) => m.author.type === "contact").map((m) => m.author.id ?? 0),
  );
  const timeline = useMemo(
    () => buildTimeline(messages, events.data ?? [], { users, groups }),
    [messages, events.data, users, groups],
  );
  // The first message is the request the ticket exists for, and system entries are its history:
  // neither can be split off (the API refuses them too).
  const opening = messages.find((m) => m.kind !== "system")?.id;
  if (loading) return <p role="status">Loading conversation…</p>;
  return (
    <ol className="thread" aria-label="Conversation">
      {timeline.map((entry) =>
        entry.kind === "event" ? (
          <li key={`e${entry.event.id}`} className="thread-event">
            {entry.text} <LinkedTicket id={linkedTicketId(entry.event)} />{" "}
            <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>
          </li>
        ) : (
          <li key={`m${entry.message.id}`}>
            <MessageItem
              message={entry.message}
              author={authorName(entry.message, users, contacts)}
              isNew={newAfterId !== null && entry.message.id > newAfterId}
            />
            {onSplit && entry.message.kind !== "system" && entry.message.id !== opening && (
              <div className="message-actions">
                <Button variant="ghost" className="btn-small" onClick={() => onSplit(entry.message)}>
                  Split into new ticket
                </Button>
              </div>
            )}
          </li>
        ),
      )}
    </ol>
  );
}

function authorName(message: Message, users: Map<number, string>, contacts: Map<number, { name: string }>) {
  if (message.author.type === "user") return users.get(message.author.id ?? 0) ?? "Agent";
  if (message.author.type === "contact") return contacts.get(message.author.id ?? 0)?.name ?? "Customer";
  return "Parley";
}

// The other ticket of a split, by number and subject once loaded.
function LinkedTicket({ id }: { id: number | null }) {
  const ticket = useQuery({ ...ticketQuery(id ?? 0), enabled: id !== null });
  if (id === null) return null;
  return (
    <Link to="/tickets/$ticketId" params={{ ticketId: id }}>
      {ticket.data
        ? `#${ticket.data.number} ${ticket.data.subject}`
        : ticket.error
          ? "a ticket you cannot open"
          : "…"}
    </Link>
  );
}
