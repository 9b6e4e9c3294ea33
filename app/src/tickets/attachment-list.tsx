import type { Attachment } from "../api/types.ts";

// The types the server serves inline (server/files/file-types.ts); anything else is a download.
const PREVIEWABLE = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export function AttachmentList({ attachments }: { attachments: Attachment[] }) {
  if (attachments.length === 0) return null;
  const images = attachments.filter((a) => PREVIEWABLE.has(a.contentType));
  const files = attachments.filter((a) => !PREVIEWABLE.has(a.contentType));
  return (
    <div className="attachments">
      {images.length > 0 && (
        <ul className="attachment-images" aria-label="Images">
          {images.map((image) => (
            <li key={image.id}>
              <a
                href={image.url}
                target="_blank"
                rel="noreferrer"
                title={`${image.filename}, ${formatSize(image.size)}`}
              >
                <img src={image.url} alt={image.filename} loading="lazy" />
              </a>
            </li>
          ))}
        </ul>
      )}
      {files.length > 0 && (
        <ul className="attachment-files" aria-label="Attachments">
          {files.map((file) => (
            <li key={file.id}>
              <a href={file.url} download={file.filename}>
                {file.filename}
              </a>{" "}
              <span className="attachment-size">({formatSize(file.size)})</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
