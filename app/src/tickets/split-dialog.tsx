import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { ApiError, api } from "../api/client.ts";
import type { Message, Ticket } from "../api/types.ts";
import { Button } from "../ui/button.tsx";
import { Dialog } from "../ui/dialog.tsx";
import { TextField } from "../ui/fields.tsx";
import { ticketKeys } from "./queries.ts";

// POST /api/v1/tickets/:id/split, once per opened dialog: a double click or a retried request
// gives back the ticket the first one made instead of a second one.
function useSplitTicket(ticketId: number, idempotencyKey: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { messageId: number; subject: string }) =>
      api<{ original: Ticket; ticket: Ticket }>(`/api/v1/tickets/${ticketId}/split`, {
        body: input,
        headers: { "idempotency-key": idempotencyKey },
      }),
    onSuccess: ({ original, ticket }) => {
      queryClient.setQueryData(ticketKeys.detail(ticketId), original);
      queryClient.setQueryData(ticketKeys.detail(ticket.id), ticket);
      void queryClient.invalidateQueries({ queryKey: ticketKeys.messages(ticketId) });
      void queryClient.invalidateQueries({ queryKey: ticketKeys.events(ticketId) });
      void queryClient.invalidateQueries({ queryKey: ["tickets", "list"] });
      void queryClient.invalidateQueries({ queryKey: ["views"] });
    },
  });
}

// The API's refusals, each as a sentence an agent can act on.
export function splitErrorMessage(error: unknown): string {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  const reason = error.errors.find((e) => e.path.endsWith("messageId"))?.message;
  // The server words these as sentences; an older one answered with a phrase about the field.
  if (reason) return /[.!?]$/.test(reason) ? reason : `This message cannot be split off: ${reason}.`;
  const subject = error.errors.find((e) => e.path.endsWith("subject"))?.message;
  if (subject) return /[.!?]$/.test(subject) ? subject : `The subject ${subject}.`;
  if (error.status === 403) return "Your role cannot split tickets.";
  if (error.status === 404) return "This ticket is gone, or you can no longer see it.";
  return /[.!?]$/.test(error.message) ? error.message : `${error.message}.`;
}

// Mounted only while open, so each opening has a fresh idempotency key and starts from the
// ticket's subject.
export function SplitDialog({
  ticket,
  message,
  onClose,
}: {
  ticket: Ticket;
  message: Message;
  onClose: () => void;
}) {
  const [key] = useState(() => crypto.randomUUID());
  const [subject, setSubject] = useState(ticket.subject);
  const split = useSplitTicket(ticket.id, key);
  const navigate = useNavigate();
  function submit(event: FormEvent) {
    event.preventDefault();
    split.mutate(
      { messageId: message.id, subject: subject.trim() },
      {
        onSuccess: ({ ticket: created }) =>
          void navigate({ to: "/tickets/$ticketId", params: { ticketId: created.id } }),
      },
    );
  }
  return (
    <Dialog
      title="Split into a new ticket"
      description={`This message moves to a new ticket for the same customer, with this ticket's organization, group, priority and channel. The new ticket starts as New and unassigned. The message leaves ticket #${ticket.number}, which keeps a note linking to the new ticket, and you go to the new ticket.`}
      open
      onOpenChange={(open) => !open && onClose()}
    >
      <form onSubmit={submit} aria-label="Split into a new ticket">
        {split.error && (
          <p className="form-error" role="alert">
            {splitErrorMessage(split.error)}
          </p>
        )}
        <TextField
          label="Subject of the new ticket"
          required
          maxLength={500}
          value={subject}
          onChange={(e) => setSubject(e.target.value)}
        />
        <div className="form-actions">
          <Button type="submit" variant="primary" disabled={split.isPending}>
            {split.isPending ? "Splitting…" : "Split into new ticket"}
          </Button>
          <Button onClick={onClose}>Cancel</Button>
        </div>
      </form>
    </Dialog>
  );
}
