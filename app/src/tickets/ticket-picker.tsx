import { useQuery } from "@tanstack/react-query";
import { useDeferredValue, useState } from "react";
import { errorMessage } from "../api/client.ts";
import type { Ticket } from "../api/types.ts";
import { Button } from "../ui/button.tsx";
import { Dialog } from "../ui/dialog.tsx";
import { TextField } from "../ui/fields.tsx";
import { humanize } from "../ui/format.ts";
import { ticketSearchQuery } from "./problem-queries.ts";

interface TicketPickerDialogProps {
  title: string;
  description: string;
  // Which found tickets may be picked; the others are not offered.
  accepts: (ticket: Ticket) => boolean;
  // Said when the search found tickets but none that may be picked.
  noneAccepted: string;
  pickLabel: string;
  pending: boolean;
  error: string | null;
  onPick: (ticket: Ticket) => void;
  onClose: () => void;
}

// Finds a ticket by number ("#12" or "12") or by words of its subject, and offers the ones that fit.
export function TicketPickerDialog(props: TicketPickerDialogProps) {
  const [q, setQ] = useState("");
  const query = useDeferredValue(q.trim());
  const found = useQuery(ticketSearchQuery(query));
  const offered = (found.data ?? []).filter(props.accepts);
  return (
    <Dialog
      title={props.title}
      description={props.description}
      open
      onOpenChange={(open) => !open && props.onClose()}
    >
      <TextField
        label="Ticket number or subject"
        type="search"
        autoComplete="off"
        value={q}
        onChange={(e) => setQ(e.target.value)}
      />
      {found.error && (
        <p className="form-error" role="alert">
          {errorMessage(found.error)}
        </p>
      )}
      {props.error && (
        <p className="form-error" role="alert">
          {props.error}
        </p>
      )}
      {query && found.data && (
        <>
          <p role="status" className="muted">
            {offered.length > 0
              ? `${offered.length} ${offered.length === 1 ? "ticket" : "tickets"} found.`
              : found.data.length > 0
                ? props.noneAccepted
                : "No ticket matches."}
          </p>
          {offered.length > 0 && (
            <ul className="ticket-picker-results" aria-label="Tickets found">
              {offered.map((t) => (
                <li key={t.id}>
                  <span>
                    #{t.number} {t.subject}{" "}
                    <span className={`status status-${t.status}`}>{humanize(t.status)}</span>
                  </span>
                  <Button
                    variant="ghost"
                    className="btn-small"
                    aria-label={`${props.pickLabel} #${t.number} ${t.subject}`}
                    disabled={props.pending}
                    onClick={() => props.onPick(t)}
                  >
                    {props.pickLabel}
                  </Button>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      <div className="form-actions">
        <Button onClick={props.onClose}>Cancel</Button>
      </div>
    </Dialog>
  );
}
