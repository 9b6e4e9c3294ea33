import { useEffect, useRef } from "react";
import type { Message } from "../api/types.ts";
import { Button } from "../ui/button.tsx";

interface CollisionWarningProps {
  newer: Message[];
  onReview: () => void;
  onSendAnyway: () => void;
}

// Shown instead of sending when someone else wrote on the ticket after this agent started: the
// customer may already have their answer, or have added to the question.
export function CollisionWarning({ newer, onReview, onSendAnyway }: CollisionWarningProps) {
  const first = useRef<HTMLButtonElement>(null);
  useEffect(() => first.current?.focus(), []);
  const replies = newer.filter((m) => m.kind !== "note").length;
  const text =
    replies > 0
      ? `A new reply arrived while you were writing${newer.length > 1 ? ` (${newer.length} new messages)` : ""}.`
      : `A new note was added while you were writing${newer.length > 1 ? ` (${newer.length} new notes)` : ""}.`;
  return (
    <div
      className="collision-warning"
      role="alertdialog"
      aria-label="New activity on this ticket"
      aria-describedby="collision-text"
    >
      <p id="collision-text">{text}</p>
      <div className="collision-actions">
        <button ref={first} type="button" className="btn btn-secondary" onClick={onReview}>
          Review it
        </button>
        <Button variant="primary" onClick={onSendAnyway}>
          Send anyway
        </Button>
      </div>
    </div>
  );
}
