import type { Selectable } from "kysely";
import { type Db, inTransaction } from "../db/connection.ts";
import type { CustomFieldKind, CustomFieldTable } from "../db/types.ts";
import { type FieldError, invalid, notFound } from "../http/errors.ts";

export const FIELD_KINDS = ["text", "number", "date", "dropdown", "multi_select", "checkbox"] as const;
const KINDS_WITH_OPTIONS: CustomFieldKind[] = ["dropdown", "multi_select"];

export type FieldRow = Omit<Selectable<CustomFieldTable>, "workspace_id">;
export const FIELD_COLUMNS = [
  "id",
  "key",
  "label",
  "kind",
  "options",
  "required_on_solve",
  "active",
  "position",
  "visible_to_customers",
  "created_at",
] as const;

export interface NewField {
  key: string;
  label: string;
  kind: CustomFieldKind;
  options?: string[];
  requiredOnSolve?: boolean;
  active?: boolean;
  position?: number;
  visibleToCustomers?: boolean;
}

export interface FieldChanges {
  key?: string;
  kind?: CustomFieldKind;
  label?: string;
  options?: string[];
  requiredOnSolve?: boolean;
  active?: boolean;
  position?: number;
  visibleToCustomers?: boolean;
}

// Dropdowns and multi-selects are defined by their options; other kinds must not carry any,
// or a later change of mind would leave a text field silently restricted.
function checkOptions(kind: CustomFieldKind, options: string[] | undefined): FieldError[] {
  if (!KINDS_WITH_OPTIONS.includes(kind)) {
    return options?.length ? [{ path: "options", message: `A ${kind} field takes no options.` }] : [];
  }
  if (!options || options.length === 0) {
    return [{ path: "options", message: `A ${kind} field needs at least one option.` }];
  }
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  options.forEach((option, i) => {
    if (option.trim() !== option || option === "") {
      errors.push({
        path: `options.${i}`,
        message: `Option ${i + 1} must not be blank or start or end with spaces.`,
      });
    } else if (seen.has(option)) {
      errors.push({ path: `options.${i}`, message: `The option "${option}" is listed twice.` });
    }
    seen.add(option);
  });
  return errors;
}

export async function createField(db: Db, workspaceId: number, input: NewField): Promise<FieldRow> {
  const errors = checkOptions(input.kind, input.options);
  if (errors.length) throw invalid(errors);
  return db
    .insertInto("custom_fields")
    .values({
      workspace_id: workspaceId,
      key: input.key,
      label: input.label.trim(),
      kind: input.kind,
      options: JSON.stringify(input.options ?? []),
      required_on_solve: input.requiredOnSolve ?? false,
      active: input.active ?? true,
      position: input.position ?? 0,
      visible_to_customers: input.visibleToCustomers ?? false,
    })
    .returning(FIELD_COLUMNS)
    .executeTakeFirstOrThrow();
}

// Key and kind are fixed at creation: tickets store values under the key, shaped by the kind,
// so changing either would strand every value already saved.
export async function updateField(db: Db, workspaceId: number, id: number, input: FieldChanges) {
  return inTransaction(db, async (trx) => {
    const field = await trx
      .selectFrom("custom_fields")
      .select(FIELD_COLUMNS)
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", id)
      .forUpdate()
      .executeTakeFirst();
    if (!field) throw notFound("custom field");
    const errors: FieldError[] = [];
    if (input.key !== undefined && input.key !== field.key) {
      errors.push({ path: "key", message: "The key cannot be changed after the field is created." });
    }
    if (input.kind !== undefined && input.kind !== field.kind) {
      errors.push({ path: "kind", message: "The kind cannot be changed after the field is created." });
    }
    if (input.options !== undefined) errors.push(...checkOptions(field.kind, input.options));
    if (errors.length) throw invalid(errors);
    const { key: _key, kind: _kind, ...changes } = input;
    if (Object.values(changes).every((v) => v === undefined)) return field;
    return trx
      .updateTable("custom_fields")
      .set({
        label: input.label?.trim(),
        options: input.options ? JSON.stringify(input.options) : undefined,
        required_on_solve: input.requiredOnSolve,
        active: input.active,
        position: input.position,
        visible_to_customers: input.visibleToCustomers,
      })
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", id)
      .returning(FIELD_COLUMNS)
      .executeTakeFirstOrThrow();
  });
}

// The keys of the fields a customer may see on their tickets. An inactive field stays visible:
// deactivating stops new values, it does not make old ones secret.
export async function customerVisibleFieldKeys(db: Db, workspaceId: number): Promise<Set<string>> {
  const rows = await db
    .selectFrom("custom_fields")
    .select("key")
    .where("workspace_id", "=", workspaceId)
    .where("visible_to_customers", "=", true)
    .execute();
  return new Set(rows.map((r) => r.key));
}
