import { decodeWords } from "postal-mime";
import { headerOf } from "./charset-repair.ts";

// Names for the parts of a mail that came without one: a forwarded mail is named after its
// subject, an inline image after its Content-Location or Content-ID, each with the extension of
// its type, so an agent sees "Invoice March.eml" and "logo.png", not "message-1.eml" and
// "attachment-2.bin".

const EXTENSIONS: Record<string, string> = {
  "message/rfc822": ".eml",
  "message/global": ".eml",
  "message/delivery-status": ".txt",
  "text/rfc822-headers": ".txt",
  "text/plain": ".txt",
  "text/html": ".html",
  "text/csv": ".csv",
  "text/calendar": ".ics",
  "text/vcard": ".vcf",
  "application/pdf": ".pdf",
  "application/zip": ".zip",
  "application/json": ".json",
  "application/msword": ".doc",
  "application/vnd.ms-excel": ".xls",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
  "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
  "application/ics": ".ics",
  "image/png": ".png",
  "image/jpeg": ".jpg",
  "image/jpg": ".jpg",
  "image/pjpeg": ".jpg",
  "image/gif": ".gif",
  "image/webp": ".webp",
  "image/bmp": ".bmp",
  "image/svg+xml": ".svg",
  "image/tiff": ".tif",
  "image/heic": ".heic",
  "image/x-icon": ".ico",
  "image/vnd.microsoft.icon": ".ico",
};

export const extensionFor = (contentType: string) => EXTENSIONS[contentType.toLowerCase()] ?? ".bin";

const MAX_STEM = 200;

// Characters that no file system or browser download takes in a name, and control characters.
function fileStem(text: string): string {
  return [
    ...text
      .normalize("NFC")
      .replace(/[\p{Cc}\p{Cf}]/gu, "")
      .replace(/[<>:"/\\|?*]+/g, "_")
      .replace(/\s+/g, " ")
      .replace(/^[\s.]+|[\s.]+$/g, ""),
  ]
    .slice(0, MAX_STEM)
    .join("")
    .trim();
}

// A stem that already ends in a real extension keeps it ("image001.png"); otherwise the type's
// is added ("ii_18c1f3a2" becomes "ii_18c1f3a2.png").
function withExtension(stem: string, contentType: string): string {
  return /\.[A-Za-z][A-Za-z0-9]{1,4}$/.test(stem) ? stem : `${stem}${extensionFor(contentType)}`;
}

function lastPathSegment(location: string): string {
  const path = location.trim().replace(/[?#].*$/, "");
  const segment = path.split(/[/\\]/).pop() ?? "";
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export interface UnnamedPart {
  contentType: string;
  content: Uint8Array;
  contentId: string | null;
  contentLocation: string | null;
}

// The subject of a carried message, read from its own header block (legacy charsets mended).
export function carriedSubject(content: Uint8Array): string {
  const value = headerOf(content, "subject");
  return value === null ? "" : decodeWords(value).replace(/\s+/g, " ").trim();
}

// A name for a part that has none; `index` numbers the fallback ("attachment-3.bin").
export function nameForPart(part: UnnamedPart, index: number): string {
  const type = part.contentType.toLowerCase();
  if (type === "message/rfc822" || type === "message/global") {
    const stem = fileStem(carriedSubject(part.content));
    return `${stem || `message-${index + 1}`}.eml`;
  }
  const fromLocation = part.contentLocation ? fileStem(lastPathSegment(part.contentLocation)) : "";
  if (fromLocation) return withExtension(fromLocation, type);
  const fromId = part.contentId ? fileStem(part.contentId.replace(/^<|>$/g, "").split("@")[0]) : "";
  if (fromId) return withExtension(fromId, type);
  return `attachment-${index + 1}${extensionFor(type)}`;
}
