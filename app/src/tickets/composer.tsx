import { type FormEvent, useEffect, useState } from "react";
import { errorMessage } from "../api/client.ts";
import type { Ticket } from "../api/types.ts";
import { Button } from "../ui/button.tsx";
import { TextArea } from "../ui/fields.tsx";
import { useAddMessage } from "./queries.ts";

interface ComposerProps {
  ticket: Ticket;
  lastMessageId: number;
  onTypingChange: (typing: boolean) => void;
}

export function Composer({ ticket, lastMessageId, onTypingChange }: ComposerProps) {
  const [kind, setKind] = useState<"reply" | "note">("reply");
  const [body, setBody] = useState("");
  const add = useAddMessage(ticket.id);
  const typing = body.trim().length > 0;
  useEffect(() => onTypingChange(typing), [typing, onTypingChange]);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!body.trim()) return;
    add.mutate({ body, kind }, { onSuccess: () => setBody("") });
  }

  return (
    <form
      className={`composer composer-${kind}`}
      onSubmit={submit}
      aria-label="Reply to the ticket"
      data-last-message={lastMessageId}
    >
      <div className="composer-tabs" role="radiogroup" aria-label="Message kind">
        <label>
          <input type="radio" name="kind" checked={kind === "reply"} onChange={() => setKind("reply")} />{" "}
          Public reply
        </label>
        <label>
          <input type="radio" name="kind" checked={kind === "note"} onChange={() => setKind("note")} />{" "}
          Internal note
        </label>
      </div>
      <TextArea
        label={kind === "reply" ? "Reply" : "Internal note"}
        hideLabel
        rows={5}
        value={body}
        placeholder={kind === "reply" ? "Write a reply to the customer…" : "Write a note only agents see…"}
        onChange={(event) => setBody(event.target.value)}
      />
      {add.error && (
        <p className="form-error" role="alert">
          {errorMessage(add.error)}
        </p>
      )}
      <div className="composer-actions">
        <Button type="submit" variant="primary" disabled={add.isPending || !typing}>
          {kind === "reply" ? "Send reply" : "Add note"}
        </Button>
      </div>
    </form>
  );
}
