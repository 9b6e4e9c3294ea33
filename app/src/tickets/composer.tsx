import { useQueryClient } from "@tanstack/react-query";
import DOMPurify from "dompurify";
import {
  type DragEvent,
  type FormEvent,
  lazy,
  type Ref,
  Suspense,
  useEffect,
  useImperativeHandle,
  useRef,
  useState,
} from "react";
import { errorMessage } from "../api/client.ts";
import type { Message, Ticket, TicketStatus, User } from "../api/types.ts";
import { useContactsById, useUsers } from "../shell/directory.ts";
import { useShortcuts } from "../shell/shortcuts.tsx";
import { CannedPicker } from "./canned-picker.tsx";
import { CollisionWarning } from "./collision-warning.tsx";
import { AttachButton, PendingFileList, useComposerFiles } from "./composer-attachments.tsx";
import { renderPlaceholders } from "./placeholders.ts";
import { messagesQuery, ticketKeys, useAddMessage } from "./queries.ts";
import type { RichEditorHandle } from "./rich-editor.tsx";
import { SendButton } from "./send-button.tsx";

const RichEditor = lazy(() => import("./rich-editor.tsx"));

export type ComposerKind = "reply" | "note";
export interface ComposerHandle {
  start(kind: ComposerKind): void;
}

interface ComposerProps {
  ticket: Ticket;
  me: User;
  onTypingChange: (typing: boolean) => void;
  // The agent chose to read what arrived: mark messages after `afterId` new, show `messageId`.
  onReview: (afterId: number, messageId: number) => void;
  composerRef: Ref<ComposerHandle>;
}

const newestId = (messages: Message[] | undefined) => Math.max(0, ...(messages ?? []).map((m) => m.id));

// Unsent drafts by ticket, for this tab: stepping to another ticket (j/k) and back keeps the
// words, the kind and when the agent began (for the collision check).
interface Draft {
  kind: ComposerKind;
  html: string;
  baseline: number | null;
}
const drafts = new Map<number, Draft>();

export function Composer({ ticket, me, onTypingChange, onReview, composerRef }: ComposerProps) {
  const queryClient = useQueryClient();
  // Light agents write internal notes only (the API refuses their replies).
  const canReply = me.role !== "light_agent";
  const [draft] = useState(() => drafts.get(ticket.id));
  const [kind, setKind] = useState<ComposerKind>(canReply ? (draft?.kind ?? "reply") : "note");
  const [empty, setEmpty] = useState(!draft);
  const [checking, setChecking] = useState(false);
  const [warning, setWarning] = useState<{ newer: Message[]; status?: TicketStatus } | null>(null);
  const [dragging, setDragging] = useState(false);
  const editor = useRef<RichEditorHandle>(null);
  const focusWhenReady = useRef(false);
  const form = useRef<HTMLFormElement>(null);
  // The newest message id when the agent began writing: anything later by someone else is news.
  const baseline = useRef<number | null>(draft?.baseline ?? null);
  const draftHtml = useRef<string | null>(draft?.html ?? null);
  const kindRef = useRef(kind);
  kindRef.current = kind;
  const saveDraft = () => {
    if (draftHtml.current === null) drafts.delete(ticket.id);
    else
      drafts.set(ticket.id, { kind: kindRef.current, html: draftHtml.current, baseline: baseline.current });
  };
  const files = useComposerFiles();
  const add = useAddMessage(ticket.id);
  const agents = useUsers().filter((user) => user.active);
  const requester = useContactsById([ticket.requesterId]).get(ticket.requesterId);
  const composing = !empty || files.files.length > 0;

  useEffect(() => onTypingChange(!empty), [empty, onTypingChange]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: saveDraft reads refs only
  useEffect(() => {
    const shown = queryClient.getQueryData<Message[]>(ticketKeys.messages(ticket.id));
    if (!composing) baseline.current = null;
    // Before the thread has loaded there is nothing to compare with: no baseline, no warning.
    else if (baseline.current === null && shown) baseline.current = newestId(shown);
    saveDraft();
  }, [composing, kind, queryClient, ticket.id]);

  useImperativeHandle(composerRef, () => ({
    start(next) {
      setKind(canReply ? next : "note");
      if (editor.current) editor.current.focus();
      else focusWhenReady.current = true;
    },
  }));

  useShortcuts([
    {
      keys: "$mod+Enter",
      label: "Send the reply or note",
      group: "Ticket",
      inInputs: true,
      run: () => {
        if (form.current?.contains(document.activeElement)) void send();
      },
    },
  ]);

  async function send(status?: TicketStatus, anyway = false) {
    const content = editor.current?.content();
    if (!content?.text || add.isPending || files.uploading) return;
    if (!anyway && baseline.current !== null) {
      setChecking(true);
      try {
        // Fresh from the server, not the cache: the warning must not depend on the websocket.
        const latest = await queryClient.fetchQuery({ ...messagesQuery(ticket.id), staleTime: 0 });
        const since = baseline.current;
        const newer = latest.filter(
          (m) => m.id > since && !(m.author.type === "user" && m.author.id === me.id),
        );
        if (newer.length > 0) {
          setWarning({ newer, status });
          return;
        }
      } catch {
        // Could not look: sending is still better than losing the agent's words.
      } finally {
        setChecking(false);
      }
    }
    setWarning(null);
    add.mutate(
      {
        body: content.text,
        html: DOMPurify.sanitize(content.html),
        kind,
        status,
        attachmentIds: files.attachmentIds.length ? files.attachmentIds : undefined,
      },
      {
        onSuccess: () => {
          editor.current?.clear();
          files.clear();
          baseline.current = null;
          draftHtml.current = null;
          drafts.delete(ticket.id);
        },
      },
    );
  }

  function review() {
    if (!warning || baseline.current === null) return;
    onReview(baseline.current, warning.newer[0].id);
    baseline.current = newestId(warning.newer);
    saveDraft();
    setWarning(null);
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    void send();
  }

  function onDrop(event: DragEvent) {
    if (!event.dataTransfer.types.includes("Files")) return;
    event.preventDefault();
    setDragging(false);
    files.add(event.dataTransfer.files);
  }

  const busy = add.isPending || checking;
  const sendLabel = kind === "reply" ? "Send reply" : "Add note";
  return (
    <form
      ref={form}
      className={`composer composer-${kind}${dragging ? " is-dragging" : ""}`}
      onSubmit={submit}
      aria-label={kind === "reply" ? "Reply to the customer" : "Internal note"}
      onDragOver={(event) => {
        if (!event.dataTransfer.types.includes("Files")) return;
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      <div className="composer-tabs">
        <div className="segmented" role="radiogroup" aria-label="Message kind">
          {(canReply ? (["reply", "note"] as const) : (["note"] as const)).map((value) => (
            <label key={value} className={kind === value ? "is-selected" : undefined}>
              <input type="radio" name="kind" checked={kind === value} onChange={() => setKind(value)} />
              {value === "reply" ? "Public reply" : "Internal note"}
            </label>
          ))}
        </div>
        {kind === "note" && (
          <span className="composer-hint">Only agents see notes. Type @ to mention one.</span>
        )}
      </div>
      <Suspense
        fallback={
          <p role="status" className="editor-loading">
            Loading editor…
          </p>
        }
      >
        <RichEditor
          editorRef={(handle: RichEditorHandle | null) => {
            editor.current = handle;
            if (handle && focusWhenReady.current) {
              focusWhenReady.current = false;
              handle.focus();
            }
          }}
          label={kind === "reply" ? "Reply" : "Internal note"}
          placeholder={kind === "reply" ? "Write a reply to the customer…" : "Write a note only agents see…"}
          mentions={kind === "note"}
          candidates={agents.map((a) => ({ id: a.id, name: a.name }))}
          initialHtml={draft?.html}
          onFiles={files.add}
          onChange={({ empty: nowEmpty, html }) => {
            setEmpty(nowEmpty);
            draftHtml.current = nowEmpty ? null : html;
            saveDraft();
          }}
        />
      </Suspense>
      <PendingFileList files={files.files} onRemove={files.remove} />
      {dragging && <p className="drop-hint">Drop files to attach them</p>}
      {warning && (
        <CollisionWarning
          newer={warning.newer}
          onReview={review}
          onSendAnyway={() => void send(warning.status, true)}
        />
      )}
      {add.error && (
        <p className="form-error" role="alert">
          {errorMessage(add.error)}
        </p>
      )}
      <div className="composer-actions">
        <AttachButton onFiles={files.add} />
        <CannedPicker
          canManage={me.role === "admin"}
          onPick={(response) =>
            editor.current?.insertText(renderPlaceholders(response.body, { ticket, requester, agent: me }))
          }
        />
        <span className="composer-spacer" />
        <SendButton
          label={sendLabel}
          disabled={busy || empty || files.uploading}
          canSetStatus={canReply}
          onSend={(status) => void send(status)}
        />
      </div>
    </form>
  );
}
