import { useQuery, useSuspenseQuery } from "@tanstack/react-query";
import { useParams } from "@tanstack/react-router";
import { useState } from "react";
import { errorMessage } from "../api/client.ts";
import { meQuery } from "../auth/queries.ts";
import { useTicketPresence } from "../shell/realtime-context.tsx";
import { Composer } from "./composer.tsx";
import { CustomerPanel } from "./customer-panel.tsx";
import { PropertiesPanel } from "./properties-panel.tsx";
import { messagesQuery, ticketQuery } from "./queries.ts";
import { Thread } from "./thread.tsx";

export function TicketPage() {
  const { ticketId } = useParams({ from: "/signed-in/tickets/$ticketId" });
  const { data: me } = useSuspenseQuery(meQuery());
  const ticket = useQuery(ticketQuery(ticketId));
  const messages = useQuery(messagesQuery(ticketId));
  const [typing, setTyping] = useState(false);
  const others = useTicketPresence(ticketId, typing, me.id);

  if (ticket.error) return <p role="alert">{errorMessage(ticket.error)}</p>;
  if (!ticket.data) return <p role="status">Loading ticket…</p>;
  const current = ticket.data;
  return (
    <div className="ticket-page">
      <section className="ticket-main" aria-labelledby="ticket-title">
        <header className="ticket-header">
          <h1 id="ticket-title">
            <span className="ticket-number">#{current.number}</span> {current.subject}
          </h1>
          <div className="presence" aria-live="polite">
            {others.map((user) => (
              <span key={user.id} className={`presence-chip presence-${user.state}`}>
                {user.name} is {user.state}
              </span>
            ))}
          </div>
        </header>
        <Thread messages={messages.data ?? []} loading={messages.isPending} />
        <Composer
          ticket={current}
          onTypingChange={setTyping}
          lastMessageId={messages.data?.at(-1)?.id ?? 0}
        />
      </section>
      <aside className="ticket-side" aria-label="Ticket details">
        <PropertiesPanel ticket={current} />
        <CustomerPanel ticket={current} />
      </aside>
    </div>
  );
}
