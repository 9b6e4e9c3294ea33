import DOMPurify from "dompurify";
import { useMemo } from "react";

// The server already sanitizes inbound HTML; the browser sanitizes again before rendering, so a
// gap in either layer alone cannot run script in an agent's session.
export function MessageBody({
  html,
  text,
  hideQuotes = false,
}: {
  html: string | null;
  text: string;
  hideQuotes?: boolean;
}) {
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
  if (clean) {
    const className = `message-html${hideQuotes ? " hide-quotes" : ""}`;
    // biome-ignore lint/security/noDangerouslySetInnerHtml: sanitized twice (server and DOMPurify above)
    return <div className={className} dangerouslySetInnerHTML={{ __html: clean }} />;
  }
  return <div className="message-text">{text}</div>;
}
