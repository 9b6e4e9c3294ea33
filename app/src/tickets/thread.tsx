import type { Message } from "../api/types.ts";
import { useContactsById, useUserNames } from "../shell/directory.ts";
import { formatDateTime } from "../ui/format.ts";
import { MessageBody } from "./message-body.tsx";

export function Thread({ messages, loading }: { messages: Message[]; loading: boolean }) {
  const users = useUserNames();
  const contacts = useContactsById(
    messages.filter((m) => m.author.type === "contact").map((m) => m.author.id ?? 0),
  );
  if (loading) return <p role="status">Loading conversation…</p>;
  return (
    <ol className="thread" aria-label="Conversation">
      {messages.map((message) => {
        const author =
          message.author.type === "user"
            ? (users.get(message.author.id ?? 0) ?? "Agent")
            : message.author.type === "contact"
              ? (contacts.get(message.author.id ?? 0)?.name ?? "Customer")
              : "Parley";
        return (
          <li key={message.id} className={`message message-${message.kind} message-${message.author.type}`}>
            <div className="message-meta">
              <strong>{author}</strong>
              {message.kind === "note" && <span className="badge">Internal note</span>}
              <time dateTime={message.createdAt}>{formatDateTime(message.createdAt)}</time>
            </div>
            <MessageBody html={message.html} text={message.body} />
          </li>
        );
      })}
    </ol>
  );
}
