import { ApiError, fieldErrorText } from "../api/client.ts";

// The API names each bad field by its path ("body.emails.1", "customFields.plan", "timeZone");
// a form wants one message per control. Keys are the path without the "body." prefix, cut
// after `depth` segments ("emails.1" -> "emails" at depth 1).
export function errorsByField(error: unknown, depth = 1): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  const out: Record<string, string> = {};
  for (const e of error.errors) {
    const key = fieldKey(e.path, depth);
    out[key] = out[key] ? `${out[key]}${/[.!?]$/.test(out[key]) ? " " : "; "}${e.message}` : e.message;
  }
  return out;
}

// The message for the form as a whole: the problem's detail plus any field message that has no
// control of its own on the form (`placed` lists the keys that do), so none is lost or repeated.
export function formError(error: unknown, placed: string[] = [], depth = 1): string | null {
  if (!error) return null;
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  const unplaced = error.errors.filter((e) => !placed.includes(fieldKey(e.path, depth))).map(fieldErrorText);
  return [error.message, ...unplaced].join(" ");
}

const fieldKey = (path: string, depth: number) =>
  path
    .replace(/^(body|querystring|params)\./, "")
    .split(".")
    .slice(0, depth)
    .join(".");
