import { Dialog } from "radix-ui";
import { type FormEvent, useState } from "react";
import { errorMessage } from "../api/client.ts";
import type { Contact, Ticket } from "../api/types.ts";
import { useContactsById } from "../shell/directory.ts";
import { Button } from "../ui/button.tsx";
import { TextArea } from "../ui/fields.tsx";
import { useMergeTickets } from "./queries.ts";

interface MergeDialogProps {
  tickets: Ticket[];
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onMerged: (target: Ticket, sources: Ticket[]) => void;
}

// Merges the selected tickets into the one the agent picks (POST /api/v1/tickets/:id/merge-from).
// All or nothing: when one ticket cannot be merged the server says which, and nothing moved.
export function MergeDialog({ tickets, open, onOpenChange, onMerged }: MergeDialogProps) {
  const merge = useMergeTickets();
  // The oldest ticket is the usual keeper: it has the longest history.
  const oldest = [...tickets].sort((a, b) => a.number - b.number)[0];
  const [targetId, setTargetId] = useState<number | null>(null);
  const [comment, setComment] = useState("");
  const [confirmed, setConfirmed] = useState(false);
  const target = tickets.find((t) => t.id === targetId) ?? oldest;
  const requesters = useContactsById(tickets.map((t) => t.requesterId));
  // Tickets of different customers: what one wrote must not reach the other, so the agent says
  // they mean it, and the server keeps each one's messages and notice to themselves.
  const others = target ? tickets.filter((t) => t.requesterId !== target.requesterId) : [];
  const mixed = others.length > 0;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!target) return;
    const sources = tickets.filter((t) => t.id !== target.id);
    merge.mutate(
      { targetId: target.id, sourceIds: sources.map((t) => t.id), comment: comment.trim() },
      {
        onSuccess: () => {
          setComment("");
          setTargetId(null);
          setConfirmed(false);
          onMerged(target, sources);
        },
      },
    );
  };

  return (
    <Dialog.Root
      open={open}
      onOpenChange={(next) => {
        if (!next) {
          merge.reset();
          setConfirmed(false);
        }
        onOpenChange(next);
      }}
    >
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog">
          <Dialog.Title>Merge {tickets.length} tickets</Dialog.Title>
          <Dialog.Description>
            The other tickets are closed and their messages move into the one you keep. The requesters are
            told.
          </Dialog.Description>
          <form onSubmit={submit}>
            <fieldset className="merge-targets">
              <legend>Keep this ticket</legend>
              {tickets.map((ticket) => (
                <label key={ticket.id} className="radio-row">
                  <input
                    type="radio"
                    name="merge-target"
                    value={ticket.id}
                    checked={target?.id === ticket.id}
                    onChange={() => setTargetId(ticket.id)}
                  />
                  <span>
                    #{ticket.number} {ticket.subject}
                    <span className="merge-requester">
                      {" "}
                      from {requesterLabel(requesters.get(ticket.requesterId), ticket.requesterId)}
                    </span>
                  </span>
                </label>
              ))}
            </fieldset>
            {mixed && target && (
              <div className="merge-warning" role="alert">
                <p>
                  <strong>These tickets are from different customers.</strong>{" "}
                  {others
                    .map(
                      (t) =>
                        `#${t.number} is from ${requesterLabel(requesters.get(t.requesterId), t.requesterId)}`,
                    )
                    .join("; ")}
                  , while #{target.number} is from{" "}
                  {requesterLabel(requesters.get(target.requesterId), target.requesterId)}. Merge only if they
                  are about the same matter. Their messages move into #{target.number} as internal notes, and
                  each customer is told only about their own request.
                </p>
                <label className="checkbox-inline">
                  <input
                    type="checkbox"
                    checked={confirmed}
                    onChange={(event) => setConfirmed(event.target.checked)}
                  />
                  Merge tickets of different customers
                </label>
              </div>
            )}
            <TextArea
              label="Message to the requesters (optional)"
              hint={
                mixed
                  ? "Replaces the standard notices, and goes to every customer told: do not name the other's request."
                  : "Replaces the standard notice that names the merged ticket numbers."
              }
              rows={3}
              value={comment}
              onChange={(event) => setComment(event.target.value)}
            />
            {merge.error && <p role="alert">{errorMessage(merge.error)}</p>}
            <div className="dialog-actions">
              <Dialog.Close asChild>
                <Button>Cancel</Button>
              </Dialog.Close>
              <Button
                type="submit"
                variant="primary"
                disabled={merge.isPending || tickets.length < 2 || (mixed && !confirmed)}
              >
                {merge.isPending ? "Merging…" : `Merge into #${target?.number ?? ""}`}
              </Button>
            </div>
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

function requesterLabel(contact: Contact | undefined, id: number): string {
  if (!contact) return `contact ${id}`;
  const email = contact.emails[0];
  return email && contact.name ? `${contact.name} (${email})` : contact.name || email || `contact ${id}`;
}
