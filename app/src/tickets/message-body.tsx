import DOMPurify from "dompurify";
import { useMemo } from "react";

// The server already sanitizes inbound HTML; the browser sanitizes again before rendering, so a
// gap in either layer alone cannot run script in an agent's session.
export function MessageBody({ html, text }: { html: string | null; text: string }) {
  const clean = useMemo(
    () =>
      html
        ? DOMPurify.sanitize(html, {
            FORBID_TAGS: ["style", "form", "input", "button"],
            FORBID_ATTR: ["style"],
          })
        : null,
    [html],
  );
  // biome-ignore lint/security/noDangerouslySetInnerHtml: sanitized twice (server and DOMPurify above)
  if (clean) return <div className="message-html" dangerouslySetInnerHTML={{ __html: clean }} />;
  return <div className="message-text">{text}</div>;
}
