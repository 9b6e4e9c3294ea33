import { useQuery, useSuspenseQuery } from "@tanstack/react-query";
import { useParams } from "@tanstack/react-router";
import { useCallback, useRef, useState } from "react";
import { errorMessage } from "../api/client.ts";
import type { Message } from "../api/types.ts";
import { meQuery } from "../auth/queries.ts";
import { useTicketPresence } from "../shell/realtime-context.tsx";
import { Composer, type ComposerHandle } from "./composer.tsx";
import { CustomerPanel } from "./customer-panel.tsx";
import { PresenceChips } from "./presence-chips.tsx";
import { ProblemPanel } from "./problem-panel.tsx";
import { PropertiesPanel } from "./properties-panel.tsx";
import { messagesQuery, ticketQuery } from "./queries.ts";
import { SplitDialog } from "./split-dialog.tsx";
import { Thread } from "./thread.tsx";
import { TicketBanners } from "./ticket-banners.tsx";
import { useTicketShortcuts } from "./ticket-shortcuts.ts";
import "./ticket-page.css";

export function TicketPage() {
  const { ticketId } = useParams({ from: "/signed-in/tickets/$ticketId" });
  // A fresh page per ticket: j/k must not carry one ticket's draft or markers to the next.
  return <TicketScreen key={ticketId} ticketId={ticketId} />;
}

function TicketScreen({ ticketId }: { ticketId: number }) {
  const { data: me } = useSuspenseQuery(meQuery());
  const ticket = useQuery(ticketQuery(ticketId));
  const messages = useQuery(messagesQuery(ticketId));
  const [typing, setTyping] = useState(false);
  const [newAfterId, setNewAfterId] = useState<number | null>(null);
  const [splitting, setSplitting] = useState<Message | null>(null);
  const others = useTicketPresence(ticketId, typing, me.id);
  const composer = useRef<ComposerHandle>(null);
  const shortcuts = useTicketShortcuts(ticket.data, me, composer);

  const showMessage = useCallback((messageId: number) => {
    const element = document.querySelector<HTMLElement>(`[data-message-id="${messageId}"]`);
    element?.scrollIntoView({ block: "start" });
    element?.focus({ preventScroll: true });
  }, []);
  const review = useCallback(
    (afterId: number, messageId: number) => {
      setNewAfterId(afterId);
      // The new message may render a moment later, once the refetched thread is on screen.
      requestAnimationFrame(() => showMessage(messageId));
    },
    [showMessage],
  );

  if (ticket.error) return <p role="alert">{errorMessage(ticket.error)}</p>;
  if (!ticket.data) return <p role="status">Loading ticket…</p>;
  const current = ticket.data;
  const readOnly = current.status === "closed" || current.mergedIntoId !== null;
  // Splitting makes a ticket and changes this one: light agents may do neither.
  const canSplit = !readOnly && me.role !== "light_agent";
  const newest = messages.data?.at(-1);
  return (
    <div className="ticket-page">
      <section className="ticket-main" aria-labelledby="ticket-title">
        <header className="ticket-header">
          <h1 id="ticket-title">
            <span className="ticket-number">#{current.number}</span> {current.subject}
          </h1>
          <PresenceChips others={others} />
        </header>
        <TicketBanners ticket={current} />
        {shortcuts.error && (
          <p className="form-error" role="alert">
            {shortcuts.error}
          </p>
        )}
        <Thread
          ticketId={ticketId}
          messages={messages.data ?? []}
          loading={messages.isPending}
          newAfterId={newAfterId}
          onSplit={canSplit ? setSplitting : undefined}
        />
        {splitting && <SplitDialog ticket={current} message={splitting} onClose={() => setSplitting(null)} />}
        {newest && (messages.data?.length ?? 0) > 1 && (
          <button type="button" className="btn btn-ghost jump-newest" onClick={() => showMessage(newest.id)}>
            Jump to the newest message
          </button>
        )}
        {!readOnly && (
          <Composer
            ticket={current}
            me={me}
            onTypingChange={setTyping}
            onReview={review}
            composerRef={composer}
          />
        )}
      </section>
      <aside className="ticket-side" aria-label="Ticket details">
        <PropertiesPanel ticket={current} />
        <ProblemPanel ticket={current} />
        <CustomerPanel ticket={current} />
      </aside>
    </div>
  );
}
