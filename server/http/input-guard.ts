import type { FastifyRequest } from "fastify";
import { AppError } from "./errors.ts";

// How deep a JSON body may nest. Parley's own shapes go four or five levels down (a view's
// filters, a ticket's custom fields); 32 leaves room for any client without letting a body of
// 5,000 nested objects reach code that walks it recursively (JSON.stringify in a service, the
// database's jsonb parser), where it overflowed the stack and answered 500.
export const MAX_JSON_DEPTH = 32;

const NUL = "\u0000";

export const nulText = (path: string) =>
  new AppError(400, "invalid_text", "Text may not contain the NUL character (U+0000).", {
    errors: [{ path, message: "must not contain the NUL character (U+0000)" }],
  });

const tooDeep = (path: string) =>
  new AppError(400, "too_deeply_nested", `JSON may nest at most ${MAX_JSON_DEPTH} levels deep.`, {
    errors: [{ path, message: `is nested more than ${MAX_JSON_DEPTH} levels deep` }],
  });

// A NUL shown in a path would cut it short in many terminals and logs.
const visibleKey = (key: string) => key.replaceAll(NUL, "\\u0000");

// PostgreSQL's text and jsonb cannot hold U+0000, so a NUL anywhere in a request (a search
// term, a subject, a name, an attribute key) used to fail in the database as a 500. It is refused
// here, for every route at once, with the path of the first bad field. Iterative, not recursive:
// the walk must survive the very nesting it is looking for.
export function checkRequestInput(req: FastifyRequest) {
  const parts: [string, unknown][] = [
    ["params", req.params],
    ["querystring", req.query],
    ["body", req.body],
  ];
  for (const [name, value] of parts) {
    const problem = findBadValue(value, name);
    if (problem) throw problem;
  }
}

export function findBadValue(root: unknown, rootPath: string): AppError | null {
  const pending: [unknown, string, number][] = [[root, rootPath, 0]];
  while (pending.length > 0) {
    const [value, path, depth] = pending.pop()!;
    if (typeof value === "string") {
      if (value.includes(NUL)) return nulText(path);
      continue;
    }
    // Raw uploads (message/rfc822) are bytes, not text; they are not stored as text either.
    if (value === null || typeof value !== "object" || Buffer.isBuffer(value)) continue;
    if (depth >= MAX_JSON_DEPTH) return tooDeep(path);
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) pending.push([value[i], `${path}.${i}`, depth + 1]);
      continue;
    }
    const keys = Object.keys(value);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i];
      const childPath = `${path}.${visibleKey(key)}`;
      if (key.includes(NUL)) return nulText(childPath);
      pending.push([(value as Record<string, unknown>)[key], childPath, depth + 1]);
    }
  }
  return null;
}
