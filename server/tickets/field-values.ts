import type { Db } from "../db/connection.ts";
import type { FieldError } from "../http/errors.ts";

interface FieldDefinition {
  key: string;
  label: string;
  kind: string;
  options: string[];
  required_on_solve: boolean;
}

export async function activeFieldDefinitions(db: Db, workspaceId: number): Promise<FieldDefinition[]> {
  return db
    .selectFrom("custom_fields")
    .select(["key", "label", "kind", "options", "required_on_solve"])
    .where("workspace_id", "=", workspaceId)
    .where("active", "=", true)
    .execute();
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function checkValue(def: FieldDefinition, value: unknown): string | null {
  if (value === null) return null;
  switch (def.kind) {
    case "text":
      return typeof value === "string" && value.length <= 10_000
        ? null
        : "must be text up to 10,000 characters";
    case "number":
      return typeof value === "number" && Number.isFinite(value) ? null : "must be a number";
    case "date":
      return typeof value === "string" && DATE.test(value) && !Number.isNaN(Date.parse(value))
        ? null
        : "must be a date (YYYY-MM-DD)";
    case "dropdown":
      return typeof value === "string" && def.options.includes(value)
        ? null
        : `must be one of: ${def.options.join(", ")}`;
    case "multi_select":
      return Array.isArray(value) && value.every((v) => typeof v === "string" && def.options.includes(v))
        ? null
        : `must be a list of: ${def.options.join(", ")}`;
    case "checkbox":
      return typeof value === "boolean" ? null : "must be true or false";
    default:
      return "has an unknown field type";
  }
}

// Merges new values over current ones; null removes a value. Unknown keys are errors, so a
// typo in an integration does not silently drop data.
export function mergeFieldValues(
  defs: FieldDefinition[],
  current: Record<string, unknown>,
  incoming: Record<string, unknown>,
): { values: Record<string, unknown>; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const values = { ...current };
  for (const [key, value] of Object.entries(incoming)) {
    const def = defs.find((d) => d.key === key);
    if (!def) {
      errors.push({
        path: `customFields.${key}`,
        message: `There is no custom field with the key ${key} in this workspace.`,
      });
      continue;
    }
    const problem = checkValue(def, value);
    if (problem) errors.push({ path: `customFields.${key}`, message: `${def.label} ${problem}.` });
    else if (value === null) delete values[key];
    else values[key] = value;
  }
  return { values, errors };
}

export function missingOnSolve(defs: FieldDefinition[], values: Record<string, unknown>): FieldError[] {
  return defs
    .filter((d) => d.required_on_solve)
    .filter((d) => {
      const v = values[d.key];
      return v === undefined || v === null || v === "" || (Array.isArray(v) && v.length === 0);
    })
    .map((d) => ({ path: `customFields.${d.key}`, message: `${d.label} is required to solve the ticket.` }));
}

export function normalizeTags(tags: string[]): string[] {
  return [...new Set(tags.map((t) => t.trim().toLowerCase().replace(/\s+/g, "_")).filter(Boolean))].sort();
}
