import type { MultipartFile } from "@fastify/multipart";
import type { FastifyRequest } from "fastify";
import { AppError } from "./errors.ts";
import { findBadValue, nulText } from "./input-guard.ts";

export const invalidMultipart = (detail: string) =>
  new AppError(400, "invalid_multipart", `The multipart/form-data body is malformed: ${detail}`);

export interface FilePart {
  fieldname: string;
  filename: string;
  mimetype: string;
  // The file's bytes; a body that ends before the part does is an invalid_multipart error.
  bytes: AsyncIterable<Buffer>;
  // True when the parser stopped at the size limit.
  truncated: () => boolean;
}

// Busboy reports a malformed body (no boundary, a part cut off before its closing boundary, a
// broken part header) as a plain Error, which answered 500. @fastify/multipart's own errors (too
// large, too many parts) carry an HTTP status and pass through as they are.
function asClientError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  if (error instanceof Error && !(error as { statusCode?: number }).statusCode) {
    return invalidMultipart(error.message.replace(/^Multipart: /, ""));
  }
  return error;
}

// The first file part of a multipart/form-data request, and the fields sent before it, held to
// the same rule as JSON text (server/http/input-guard.ts): no NUL in a name or value.
export async function readFilePart(req: FastifyRequest): Promise<FilePart | null> {
  let part: MultipartFile | undefined;
  try {
    part = await req.file();
  } catch (error) {
    throw asClientError(error);
  }
  if (!part) return null;
  const fields: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(part.fields)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v?.type === "field") fields[name] = v.value;
    }
  }
  const problem =
    findBadValue(fields, "body") ??
    findBadValue({ [part.fieldname]: part.filename }, "body") ??
    (part.mimetype.includes("\u0000") ? nulText(`body.${part.fieldname}`) : null);
  if (problem) {
    part.file.resume();
    throw problem;
  }
  const stream = part.file;
  async function* bytes() {
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) yield chunk;
    } catch (error) {
      throw asClientError(error);
    }
  }
  return {
    fieldname: part.fieldname,
    filename: part.filename,
    mimetype: part.mimetype,
    bytes: bytes(),
    truncated: () => stream.truncated,
  };
}
