import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import type { Message } from "../api/types.ts";
import { useContactsById, useGroupNames, useUserNames } from "../shell/directory.ts";
import { formatDateTime } from "../ui/format.ts";
import { MessageItem } from "./message-item.tsx";
import { eventsQuery } from "./queries.ts";
import { buildTimeline } from "./timeline.ts";

interface ThreadProps {
  ticketId: number;
  messages: Message[];
  loading: boolean;
  // Messages newer than this id are marked new (they arrived while the agent was writing).
  newAfterId: number | null;
}

export function Thread({ ticketId, messages, loading, newAfterId }: ThreadProps) {
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
  if (loading) return <p role="status">Loading conversation…</p>;
  return (
    <ol className="thread" aria-label="Conversation">
      {timeline.map((entry) =>
        entry.kind === "event" ? (
          <li key={`e${entry.event.id}`} className="thread-event">
            {entry.text} <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>
          </li>
        ) : (
          <li key={`m${entry.message.id}`}>
            <MessageItem
              message={entry.message}
              author={authorName(entry.message, users, contacts)}
              isNew={newAfterId !== null && entry.message.id > newAfterId}
            />
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
