import { randomBytes } from "node:crypto";

// The ticket token Parley puts in the subject of every mail it sends ("[#123]") and in every
// Message-ID it generates, so a reply finds its ticket even when a mail client drops the
// In-Reply-To and References headers.
const SUBJECT_TOKEN = /\[#(\d{1,15})\]/;
const MESSAGE_ID_TOKEN = /^<?parley\.(\d{1,15})\.(\d{1,15})\.[a-z0-9]+@[^>\s]+>?$/i;

export function subjectWithToken(subject: string, ticketNumber: number): string {
  const clean = subject
    .replace(SUBJECT_TOKEN, "")
    .replace(/\s{2,}/g, " ")
    .trim();
  return `${clean} [#${ticketNumber}]`;
}

export function ticketNumberFromSubject(subject: string): number | null {
  const match = SUBJECT_TOKEN.exec(subject);
  return match ? Number(match[1]) : null;
}

export function generateMessageId(domain: string, workspaceId: number, ticketNumber: number): string {
  return `<parley.${workspaceId}.${ticketNumber}.${randomBytes(9).toString("hex")}@${domain}>`;
}

export function ticketFromMessageId(messageId: string): { workspaceId: number; ticketNumber: number } | null {
  const match = MESSAGE_ID_TOKEN.exec(messageId.trim());
  return match ? { workspaceId: Number(match[1]), ticketNumber: Number(match[2]) } : null;
}

// "Re: Fwd: AW: [#12] Printer" and "Printer" are the same conversation.
export function normalizedSubject(subject: string): string {
  let s = subject.replace(SUBJECT_TOKEN, " ");
  for (;;) {
    const next = s.replace(/^\s*(re|fw|fwd|aw|wg|sv|vs|antw|réf|rif|tr)\s*(\[\d+\])?\s*:\s*/i, "");
    if (next === s) break;
    s = next;
  }
  return s.replace(/\s+/g, " ").trim().toLowerCase();
}
