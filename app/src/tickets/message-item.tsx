import { useState } from "react";
import type { Message } from "../api/types.ts";
import { formatDateTime } from "../ui/format.ts";
import { AttachmentList } from "./attachment-list.tsx";
import { MessageAddresses } from "./message-addresses.tsx";
import { MessageBody } from "./message-body.tsx";
import { MessageDeliveryLine } from "./message-delivery.tsx";
import { messageEmail } from "./types.ts";

function kindLabel(message: Message) {
  if (message.kind === "note") return "Internal note";
  if (message.kind === "system") return "System message";
  return message.direction === "in" ? "Customer reply" : "Reply";
}

export function MessageItem({
  message,
  author,
  isNew,
}: {
  message: Message;
  author: string;
  isNew: boolean;
}) {
  const label = `${kindLabel(message)} by ${author}`;
  const automated = messageEmail(message)?.automated;
  return (
    <article
      className={`message message-${message.kind} message-${message.author.type}${isNew ? " message-new" : ""}`}
      aria-label={label}
      data-message-id={message.id}
      tabIndex={-1}
    >
      <div className="message-meta">
        <strong>{author}</strong>
        {message.kind === "note" && <span className="badge badge-note">Internal note</span>}
        {message.kind === "reply" && message.direction === "out" && (
          <span className="badge badge-reply">Public reply</span>
        )}
        {isNew && <span className="badge badge-new">New</span>}
        {automated && (
          // Monitoring alerts and notifications: Parley sends them nothing automatically.
          <span className="badge" title={`Written by a machine (${automated}); no automatic replies`}>
            Automated
          </span>
        )}
        <time dateTime={message.createdAt}>{formatDateTime(message.createdAt)}</time>
      </div>
      <MessageAddresses message={message} />
      <BodyWithQuotes message={message} />
      <AttachmentList attachments={message.attachments} />
      <MessageDeliveryLine message={message} />
    </article>
  );
}

// Quoted history and signatures repeat what the thread already shows: hidden until asked for.
// A mail's text arrives split (body, quotedText, signature). Its HTML keeps quotes in
// <blockquote>, either the sender's own or the container the server wraps around history it
// recognises (data-parley-quote, see docs/email.md), and those are hidden in place. HTML with
// no blockquote and no marked history gives way to the split text, since showing the HTML
// would show the history twice. A forward is marked but not a blockquote: it stays in view.
const MARKED_HISTORY = /<(?:blockquote|div)\b[^>]*\bdata-parley-quote=/i;

function BodyWithQuotes({ message }: { message: Message }) {
  const [open, setOpen] = useState(false);
  const email = messageEmail(message);
  const quoted = [email?.signature, email?.quotedText].filter((part) => part?.trim()).join("\n\n");
  const marked = message.html !== null && MARKED_HISTORY.test(message.html);
  if (!quoted && !marked) return <MessageBody html={message.html} text={message.body} />;
  const quotesInHtml = message.html !== null && /<blockquote/i.test(message.html);
  const showHtml = quotesInHtml || marked;
  return (
    <>
      {showHtml ? (
        <MessageBody html={message.html} text={message.body} hideQuotes={quotesInHtml && !open} />
      ) : (
        <MessageBody html={null} text={message.body} />
      )}
      {(quotesInHtml || !showHtml) && (
        <div className="message-quoted">
          <button
            type="button"
            className="btn btn-ghost btn-small"
            aria-expanded={open}
            onClick={() => setOpen(!open)}
          >
            {open ? "Hide quoted text" : "Show quoted text"}
          </button>
          {open && !showHtml && <div className="message-quoted-text">{quoted}</div>}
        </div>
      )}
    </>
  );
}
