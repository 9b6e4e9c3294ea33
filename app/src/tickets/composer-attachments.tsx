import { type ChangeEvent, useId, useRef, useState } from "react";
import { errorMessage } from "../api/client.ts";
import type { Attachment } from "../api/types.ts";
import { IconButton } from "../ui/button.tsx";
import { formatSize } from "./attachment-list.tsx";
import { useUploadAttachment } from "./queries.ts";

export interface PendingFile {
  key: string;
  file: File;
  attachment: Attachment | null;
  error: string | null;
}

// Files picked or dropped for the next message: each uploads at once (POST /api/v1/attachments)
// and is attached by id when the message is sent.
export function useComposerFiles() {
  const [files, setFiles] = useState<PendingFile[]>([]);
  const upload = useUploadAttachment();
  const counter = useRef(0);

  function add(list: FileList | File[]) {
    for (const file of Array.from(list)) {
      const key = `f${++counter.current}`;
      setFiles((current) => [...current, { key, file, attachment: null, error: null }]);
      // mutateAsync, not mutate's callbacks: those fire only for the last of several calls.
      upload.mutateAsync(file).then(
        (attachment) => setFiles((current) => current.map((f) => (f.key === key ? { ...f, attachment } : f))),
        (error) =>
          setFiles((current) =>
            current.map((f) => (f.key === key ? { ...f, error: errorMessage(error) } : f)),
          ),
      );
    }
  }

  return {
    files,
    add,
    remove: (key: string) => setFiles((current) => current.filter((f) => f.key !== key)),
    clear: () => setFiles([]),
    uploading: files.some((f) => !f.attachment && !f.error),
    attachmentIds: files.flatMap((f) => (f.attachment ? [f.attachment.id] : [])),
  };
}

export function AttachButton({ onFiles }: { onFiles: (files: FileList) => void }) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <input
        id={id}
        ref={input}
        type="file"
        multiple
        className="sr-only"
        tabIndex={-1}
        aria-label="Attach files"
        onChange={(event: ChangeEvent<HTMLInputElement>) => {
          if (event.target.files?.length) onFiles(event.target.files);
          event.target.value = "";
        }}
      />
      <button type="button" className="btn btn-secondary" onClick={() => input.current?.click()}>
        Attach files
      </button>
    </>
  );
}

export function PendingFileList({
  files,
  onRemove,
}: {
  files: PendingFile[];
  onRemove: (key: string) => void;
}) {
  if (files.length === 0) return null;
  return (
    <ul className="pending-files" aria-label="Files to send">
      {files.map((f) => (
        <li key={f.key} className={f.error ? "pending-file has-error" : "pending-file"}>
          <span>{f.file.name}</span> <span className="attachment-size">({formatSize(f.file.size)})</span>{" "}
          {!f.attachment && !f.error && <span role="status">Uploading…</span>}
          {f.error && <span role="alert">{f.error}</span>}
          <IconButton label={`Remove ${f.file.name}`} onClick={() => onRemove(f.key)}>
            ×
          </IconButton>
        </li>
      ))}
    </ul>
  );
}
