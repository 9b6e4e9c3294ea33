import { Dialog } from "radix-ui";
import { type FormEvent, useState } from "react";
import { errorMessage } from "../api/client.ts";
import type { Ticket } from "../api/types.ts";
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
  const target = tickets.find((t) => t.id === targetId) ?? oldest;

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
          onMerged(target, sources);
        },
      },
    );
  };

  return (
    <Dialog.Root
      open={open}
      onOpenChange={(next) => {
        if (!next) merge.reset();
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
                  #{ticket.number} {ticket.subject}
                </label>
              ))}
            </fieldset>
            <TextArea
              label="Message to the requesters (optional)"
              hint="Replaces the standard notice that names the merged ticket numbers."
              rows={3}
              value={comment}
              onChange={(event) => setComment(event.target.value)}
            />
            {merge.error && <p role="alert">{errorMessage(merge.error)}</p>}
            <div className="dialog-actions">
              <Dialog.Close asChild>
                <Button>Cancel</Button>
              </Dialog.Close>
              <Button type="submit" variant="primary" disabled={merge.isPending || tickets.length < 2}>
                {merge.isPending ? "Merging…" : `Merge into #${target?.number ?? ""}`}
              </Button>
            </div>
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
