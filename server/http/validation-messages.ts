import type { FastifySchemaValidationError } from "fastify";
import { patternMessage } from "./pattern-messages.ts";

// Ajv words a failed schema check for programmers ("must NOT have fewer than 1 characters",
// "must be equal to one of the allowed values"). These are the same checks in plain words: a
// predicate that follows the field's name ("subject must not be empty").
export interface FieldError {
  path: string;
  message: string;
}

type AjvError = FastifySchemaValidationError & { schemaPath?: string };

const FORMAT_MESSAGES: Record<string, string> = {
  "date-time": "is not a date and time from year 0001 to 9999, such as 2026-12-07T09:30:00Z",
  email: "is not an email address",
};

const TYPE_WORDS: Record<string, string> = {
  string: "text",
  integer: "a whole number",
  number: "a number",
  boolean: "true or false",
  array: "a list",
  object: "an object",
  null: "null",
};

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;
const list = (words: string[]) =>
  words.length <= 1 ? (words[0] ?? "") : `${words.slice(0, -1).join(", ")} or ${words.at(-1)}`;
const shown = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));

function typeWords(type: unknown): string[] {
  const types = Array.isArray(type) ? type : String(type).split(",");
  return types.map((t) => TYPE_WORDS[t] ?? String(t));
}

function phrase(v: AjvError): string {
  const p = (v.params ?? {}) as Record<string, any>;
  const limit = p.limit as number;
  switch (v.keyword) {
    case "required":
      return "is required";
    case "additionalProperties":
      return "is not a known field";
    case "pattern":
      return patternMessage(p.pattern) ?? "is not in the expected form";
    case "format":
      return FORMAT_MESSAGES[p.format as string] ?? `is not a valid ${p.format}`;
    case "minLength":
      return limit === 1 ? "must not be empty" : `is shorter than ${plural(limit, "character")}`;
    case "maxLength":
      return `is longer than ${plural(limit, "character")}`;
    case "minimum":
      return `must be ${limit} or more`;
    case "maximum":
      return `must be ${limit} or less`;
    case "exclusiveMinimum":
      return `must be more than ${limit}`;
    case "exclusiveMaximum":
      return `must be less than ${limit}`;
    case "minItems":
      return limit === 1 ? "must list at least one item" : `must list at least ${limit} items`;
    case "maxItems":
      return `must not list more than ${plural(limit, "item")}`;
    case "minProperties":
      return limit === 1 ? "must not be empty" : `must have at least ${limit} fields`;
    case "maxProperties":
      return `must not have more than ${plural(limit, "field")}`;
    case "uniqueItems":
      return "must not list the same item twice";
    case "multipleOf":
      return `must be a multiple of ${p.multipleOf}`;
    case "type":
      return `must be ${list(typeWords(p.type))}`;
    case "const":
      return `must be ${shown(p.allowedValue)}`;
    case "enum":
      return `must be one of: ${(p.allowedValues as unknown[]).map(shown).join(", ")}`;
    default:
      return "is invalid";
  }
}

// One failed check, still carrying what a surrounding anyOf needs to sum its branches up.
interface Failure {
  error: AjvError;
  message: string;
  // The value is of another kind than the branch wants (wrong type or not an allowed value);
  // the allowed values and types are kept to word the whole union as one list.
  kind?: { values: unknown[]; types: string[] };
}

const kindOf = (v: AjvError): Failure["kind"] => {
  const p = (v.params ?? {}) as Record<string, any>;
  if (v.keyword === "const") return { values: [p.allowedValue], types: [] };
  if (v.keyword === "enum") return { values: p.allowedValues, types: [] };
  if (v.keyword === "type") return { values: [], types: String(p.type).split(",") };
  return undefined;
};

const valueType = (value: unknown) =>
  value === null ? "null" : typeof value === "number" ? "number" : typeof value;

// A union (TypeBox's Union, Enum or Optional-with-Null) fails with one error per branch and then
// "must match a schema in anyOf". When the value has a branch's kind but breaks a rule inside it,
// that branch's errors say what to fix; when it fits no branch, the union is worded as one list.
function foldAnyOf(any: AjvError, branches: Failure[]): Failure[] {
  const at = any.instancePath;
  const byBranch = new Map<string, Failure[]>();
  for (const f of branches) {
    const branch = (f.error.schemaPath ?? "").slice((any.schemaPath ?? "").length + 1).split("/")[0];
    byBranch.set(branch, [...(byBranch.get(branch) ?? []), f]);
  }
  for (const failures of byBranch.values()) {
    if (!failures.some((f) => f.kind && f.error.instancePath === at)) return failures;
  }
  const values: unknown[] = [];
  const types: string[] = [];
  for (const f of branches) {
    if (f.error.instancePath !== at || !f.kind) continue;
    values.push(...f.kind.values);
    types.push(...f.kind.types);
  }
  // Literal("open") fails as both "must be string" and "must be equal to constant": the value
  // list says it all.
  const valueTypes = new Set<string>(values.map(valueType));
  const otherTypes = [...new Set(types)].filter(
    (t) => !valueTypes.has(t === "integer" ? "number" : t) && !(t === "null" && values.includes(null)),
  );
  const unique = [...new Set(values)];
  const message =
    unique.length === 0
      ? `must be ${list(typeWords(otherTypes))}`
      : `must be one of: ${[...unique.map(shown), ...otherTypes.map((t) => TYPE_WORDS[t] ?? t)].join(", ")}`;
  return [{ error: any, message, kind: { values: unique, types: otherTypes } }];
}

export function validationMessages(errors: AjvError[], context: string | undefined): FieldError[] {
  let failures: Failure[] = [];
  for (const error of errors) {
    if (error.keyword === "anyOf" || error.keyword === "oneOf") {
      const prefix = `${error.schemaPath}/`;
      const inside = failures.filter((f) => f.error.schemaPath?.startsWith(prefix));
      failures = failures.filter((f) => !f.error.schemaPath?.startsWith(prefix));
      failures.push(...foldAnyOf(error, inside));
      continue;
    }
    failures.push({ error, message: phrase(error), kind: kindOf(error) });
  }
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const { error, message } of failures) {
    const base = (error.instancePath ?? "").replace(/^\//, "").replaceAll("/", ".");
    const p = (error.params ?? {}) as { missingProperty?: string; additionalProperty?: string };
    const path = [context, base, p.missingProperty ?? p.additionalProperty].filter(Boolean).join(".");
    const key = `${path}\n${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path, message });
  }
  return out;
}

const WHOLE: Record<string, string> = {
  body: "The request body",
  querystring: "The query string",
  params: "The URL path",
  headers: "The request headers",
};

// The problem's detail: the errors as one sentence, short enough to read at a glance; the
// `errors` array keeps every detail.
export function validationDetail(errors: FieldError[]): string {
  const fields = new Map<string, string[]>();
  for (const e of errors) fields.set(e.path, [...(fields.get(e.path) ?? []), e.message]);
  const parts = [...fields].map(([path, messages]) => {
    const name = path.replace(/^(body|querystring|params|headers)(\.|$)/, "") || WHOLE[path] || path;
    return `${name} ${messages.join(" and ")}`;
  });
  if (parts.length === 0) return "The request has invalid fields.";
  if (parts.length === 1) return `${parts[0]}.`;
  const shownParts = parts.slice(0, 3).join("; ");
  const more = parts.length > 3 ? `; and ${parts.length - 3} more` : "";
  return `${parts.length} fields are invalid: ${shownParts}${more}.`;
}
