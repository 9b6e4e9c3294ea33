// What an uploaded file is called and what it is. Both come from the client, so both are
// cleaned before they are stored and again shaped when the file is served.

// Image types a browser may show inline: they cannot carry script. SVG can, so it is not here.
const INLINE_IMAGES: Record<string, (head: Buffer) => boolean> = {
  "image/png": (h) => h.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  "image/jpeg": (h) => h[0] === 0xff && h[1] === 0xd8 && h[2] === 0xff,
  "image/gif": (h) => ["GIF87a", "GIF89a"].includes(h.subarray(0, 6).toString("latin1")),
  "image/webp": (h) =>
    h.subarray(0, 4).toString("latin1") === "RIFF" && h.subarray(8, 12).toString("latin1") === "WEBP",
};

export const HEAD_BYTES = 16;
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

export function isInlineImage(contentType: string): boolean {
  return contentType in INLINE_IMAGES;
}

// The stored type: an image type only when the bytes are that image, so a file that claims
// image/png cannot be shown inline unless it is one; anything unparseable is octet-stream.
export function storedContentType(declared: string | undefined, head: Buffer): string {
  for (const [type, matches] of Object.entries(INLINE_IMAGES)) {
    if (matches(head)) return type;
  }
  const type = (declared ?? "").split(";")[0].trim().toLowerCase();
  if (!MEDIA_TYPE.test(type) || isInlineImage(type)) return "application/octet-stream";
  return type;
}

export function cleanFilename(raw: string | undefined): string {
  const base = (raw ?? "").split(/[/\\]/).pop() ?? "";
  const printable = [...base.normalize("NFC")].filter((c) => c >= " " && c !== "\u007f");
  return [...printable.join("").trim()].slice(0, 255).join("") || "attachment";
}

// RFC 6266: an ASCII fallback for old clients and the exact UTF-8 name for the rest.
export function contentDisposition(kind: "inline" | "attachment", filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  const encoded = encodeURIComponent(filename).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
