import multipart from "@fastify/multipart";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { Actor } from "../auth/actor.ts";
import { can } from "../auth/permissions.ts";
import { AppError, forbidden, notFound } from "../http/errors.ts";
import { readFilePart } from "../http/multipart.ts";
import { AttachmentView } from "../tickets/schemas.ts";
import { visibleTicket } from "../tickets/service.ts";
import {
  cleanFilename,
  contentDisposition,
  HEAD_BYTES,
  isInlineImage,
  storedContentType,
} from "./file-types.ts";
import { FileMissingError, type FileStore, LocalFileStore } from "./store.ts";

const AttachmentParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2 ** 52 }) });

// Room for the multipart envelope and a few small fields around the file itself.
const ENVELOPE_BYTES = 64 * 1024;

const fileRequired = () =>
  new AppError(400, "validation_failed", "The upload must carry the file in a part named file.", {
    errors: [{ path: "body.file", message: "The upload must carry the file in a part named file." }],
  });

const present = (a: { id: number; filename: string; content_type: string; size: number }) => ({
  id: a.id,
  filename: a.filename,
  contentType: a.content_type,
  size: a.size,
  url: `/api/v1/attachments/${a.id}`,
});

// Attachments are uploaded first, then named by attachmentIds when a message is posted
// (tickets/messages.ts attaches them). Until then only the uploader can see an upload; after,
// whoever can see the message's ticket can, except that customers see only the files of public
// replies (never a note's, nor a system entry's).
export const attachmentRoutes: FastifyPluginAsyncTypebox<{ store?: FileStore }> = async (app, options) => {
  const store = options.store ?? new LocalFileStore(app.config.fileStoreDir);
  const maxBytes = app.config.maxAttachmentMb * 1024 * 1024;
  const tooLarge = () =>
    new AppError(413, "payload_too_large", `An attachment may be at most ${app.config.maxAttachmentMb} MB.`);
  await app.register(multipart, { limits: { fileSize: maxBytes, files: 1, fields: 10, fieldSize: 1024 } });

  app.post(
    "/api/v1/attachments",
    {
      config: { customers: true },
      schema: { tags: ["attachments"], consumes: ["multipart/form-data"], response: { 201: AttachmentView } },
    },
    async (req, reply) => {
      const actor = req.actor;
      if (actor.type === "system" || !(can(actor, "ticket.reply") || can(actor, "ticket.note"))) {
        throw forbidden();
      }
      if (!req.isMultipart()) {
        throw new AppError(415, "unsupported_media_type", "Send the file as multipart/form-data.");
      }
      // Refuse a declared oversize body before reading it, rather than after receiving it all.
      if (Number(req.headers["content-length"] ?? 0) > maxBytes + ENVELOPE_BYTES) throw tooLarge();
      const part = await readFilePart(req);
      if (!part) throw fileRequired();

      let head = Buffer.alloc(0);
      async function* bytes() {
        for await (const chunk of part!.bytes) {
          if (head.length < HEAD_BYTES)
            head = Buffer.concat([head, chunk.subarray(0, HEAD_BYTES - head.length)]);
          yield chunk;
        }
        // Past the limit the parser stops the stream early and marks it truncated.
        if (part!.truncated()) throw tooLarge();
      }
      const stored = await store.put(bytes());
      try {
        const row = await app.db
          .insertInto("attachments")
          .values({
            workspace_id: actor.workspaceId,
            message_id: null,
            filename: cleanFilename(part.filename),
            content_type: storedContentType(part.mimetype, head),
            size: stored.size,
            sha256: stored.sha256,
            storage_key: stored.key,
            uploaded_by_user_id: actor.type === "user" ? actor.userId : null,
            uploaded_by_contact_id: actor.type === "contact" ? actor.contactId : null,
          })
          .returning(["id", "filename", "content_type", "size"])
          .executeTakeFirstOrThrow();
        req.log.info(
          { attachmentId: row.id, workspaceId: actor.workspaceId, size: row.size },
          "file uploaded",
        );
        reply.status(201);
        return present(row);
      } catch (error) {
        await store.delete(stored.key);
        throw error;
      }
    },
  );

  app.get(
    "/api/v1/attachments/:id",
    { config: { customers: true }, schema: { tags: ["attachments"], params: AttachmentParams } },
    async (req, reply) => {
      const attachment = await readableAttachment(app.db, req.actor, req.params.id);
      let stream: Awaited<ReturnType<FileStore["get"]>>;
      try {
        stream = await store.get(attachment.storage_key);
      } catch (error) {
        if (!(error instanceof FileMissingError)) throw error;
        req.log.error(
          { attachmentId: attachment.id, workspaceId: req.actor.workspaceId },
          "attachment file missing",
        );
        throw notFound("attachment");
      }
      const inline = isInlineImage(attachment.content_type);
      return (
        reply
          .header("content-type", attachment.content_type)
          .header("content-length", attachment.size)
          .header(
            "content-disposition",
            contentDisposition(inline ? "inline" : "attachment", attachment.filename),
          )
          .header("x-content-type-options", "nosniff")
          // Even if a browser renders the file, it runs nothing and loads nothing.
          .header("content-security-policy", "default-src 'none'; img-src 'self'; sandbox")
          .header("cache-control", "private, no-cache")
          .header("etag", `"${attachment.sha256}"`)
          .send(stream)
      );
    },
  );
};

async function readableAttachment(db: import("../db/connection.ts").Db, actor: Actor, id: number) {
  const row = await db
    .selectFrom("attachments as a")
    .leftJoin("messages as m", (j) =>
      j.onRef("m.workspace_id", "=", "a.workspace_id").onRef("m.id", "=", "a.message_id"),
    )
    .select([
      "a.id",
      "a.message_id",
      "a.filename",
      "a.content_type",
      "a.size",
      "a.sha256",
      "a.storage_key",
      "a.uploaded_by_user_id",
      "a.uploaded_by_contact_id",
      "m.ticket_id",
      "m.kind as message_kind",
    ])
    .where("a.workspace_id", "=", actor.workspaceId)
    .where("a.id", "=", id)
    .executeTakeFirst();
  if (!row) throw notFound("attachment");
  if (row.message_id === null || row.ticket_id === null) {
    const uploader =
      (actor.type === "user" && row.uploaded_by_user_id === actor.userId) ||
      (actor.type === "contact" && row.uploaded_by_contact_id === actor.contactId);
    if (!uploader) throw notFound("attachment");
    return row;
  }
  if (actor.type === "contact" && row.message_kind !== "reply") throw notFound("attachment");
  try {
    await visibleTicket(db, actor, row.ticket_id);
  } catch (error) {
    // The ticket's 404 would say which kind of record the id belongs to.
    if (error instanceof AppError && error.status === 404) throw notFound("attachment");
    throw error;
  }
  return row;
}
