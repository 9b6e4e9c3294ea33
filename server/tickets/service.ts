import { sql } from "kysely";
import type { Actor } from "../auth/actor.ts";
import { canSeeTicket, requireCan } from "../auth/permissions.ts";
import { findOrCreateContactByEmail, requireContact } from "../contacts/service.ts";
import { type Db, inTransaction } from "../db/connection.ts";
import type { TicketPriority, TicketStatus, TicketType } from "../db/types.ts";
import { queueSystemEmail } from "../email/outbox.ts";
import { AppError, conflict, forbidden, invalid, notFound } from "../http/errors.ts";
import { checkAssignment } from "./assignees.ts";
import { createdChanges, draftTicket, openingStatus, startsDone } from "./create-batch.ts";
import { appendEvent, diff } from "./events.ts";
import { activeFieldDefinitions, mergeFieldValues, missingOnSolve, normalizeTags } from "./field-values.ts";
import { insertMessage } from "./messages.ts";
import { TICKET_COLUMNS, type TicketRow } from "./present.ts";
import { hasIncidents, solveIncidents } from "./problems.ts";

export async function lockTicket(trx: Db, actor: Actor, id: number): Promise<TicketRow> {
  const ticket = await trx
    .selectFrom("tickets")
    .select(TICKET_COLUMNS)
    .where("workspace_id", "=", actor.workspaceId)
    .where("id", "=", id)
    .forUpdate()
    .executeTakeFirst();
  // Not found and not allowed look the same, so ids do not reveal tickets of other groups.
  if (!ticket || !canSeeTicket(actor, ticket)) throw notFound("ticket");
  return ticket;
}

export async function visibleTicket(db: Db, actor: Actor, id: number): Promise<TicketRow> {
  const ticket = await db
    .selectFrom("tickets")
    .select(TICKET_COLUMNS)
    .where("workspace_id", "=", actor.workspaceId)
    .where("id", "=", id)
    .executeTakeFirst();
  if (!ticket || !canSeeTicket(actor, ticket)) throw notFound("ticket");
  return ticket;
}

// The workspace's next ticket number, drawn inside the INSERT rather than by a query before it.
// With a group, it is drawn only if the group exists, else it is null and the insert fails on
// the NOT NULL of number: the group is checked without a round trip and without using up a number.
function ticketNumberDefault(workspaceId: number, groupId: number | null) {
  const next = sql<number>`nextval(${`ticket_numbers_${workspaceId}`}::regclass)`;
  if (groupId === null) return next;
  return sql<number>`(select ${next} from groups where workspace_id = ${workspaceId} and id = ${groupId})`;
}

function isMissingNumber(err: unknown) {
  const e = err as { code?: string; column?: string; message?: string } | null;
  return e?.code === "23502" && (e.column === "number" || !!e.message?.includes('"number"'));
}

export interface CreateTicketInput {
  subject: string;
  requester?: { id: number } | { email: string; name?: string };
  status?: TicketStatus;
  priority?: TicketPriority;
  type?: TicketType;
  assigneeId?: number | null;
  groupId?: number | null;
  tags?: string[];
  customFields?: Record<string, unknown>;
  channel?: string;
  comment: { body: string; html?: string; public?: boolean };
  // What a channel knows of the opening message (an email's Message-ID, headers, attachments it
  // stored); not settable through the API.
  channelMessage?: {
    channelMeta?: Record<string, unknown>;
    externalId?: string | null;
    externalDigest?: string | null;
    attachmentIds?: number[];
  };
}

async function resolveRequester(trx: Db, actor: Actor, input: CreateTicketInput) {
  if (actor.type === "contact") {
    if (input.requester)
      throw invalid([{ path: "requester", message: "Customers open tickets as themselves." }]);
    return requireContact(trx, actor.workspaceId, actor.contactId);
  }
  if (!input.requester) throw invalid([{ path: "requester", message: "A ticket needs a requester." }]);
  if ("id" in input.requester) {
    const contact = await trx
      .selectFrom("contacts")
      .select(["id", "organization_id"])
      .where("workspace_id", "=", actor.workspaceId)
      .where("id", "=", input.requester.id)
      .executeTakeFirst();
    if (!contact)
      throw invalid([
        {
          path: "requester.id",
          message: `There is no contact with id ${input.requester.id} in this workspace.`,
        },
      ]);
    return contact;
  }
  return findOrCreateContactByEmail(trx, actor.workspaceId, input.requester.email, input.requester.name);
}

export async function createTicket(db: Db, actor: Actor, input: CreateTicketInput) {
  requireCan(actor, "ticket.create");
  const byCustomer = actor.type === "contact";
  if (byCustomer && (input.assigneeId || input.groupId || input.status || input.tags || input.customFields)) {
    throw forbidden("Customers cannot set these ticket properties.");
  }
  return inTransaction(db, async (trx) => {
    const requester = await resolveRequester(trx, actor, input);
    const assigneeId = input.assigneeId ?? null;
    const groupId = input.groupId ?? null;
    // A group alone is checked inside the INSERT (see ticketNumberDefault), saving a round trip
    // on the common path; with an assignee, membership needs the query anyway.
    const groupInInsert = groupId !== null && assigneeId === null;
    if (!groupInInsert) await checkAssignment(trx, actor.workspaceId, assigneeId, groupId);
    // Definitions matter only for values given: none is required when a ticket opens.
    const fields = input.customFields
      ? mergeFieldValues(await activeFieldDefinitions(trx, actor.workspaceId), {}, input.customFields)
      : { values: {}, errors: [] };
    const done = startsDone(openingStatus(input));
    // The group's error comes first, as when it was checked before everything else.
    if (groupInInsert && (fields.errors.length || done)) {
      await checkAssignment(trx, actor.workspaceId, assigneeId, groupId);
    }
    if (fields.errors.length) throw invalid(fields.errors);
    if (done) throw invalid([{ path: "status", message: "A new ticket cannot start solved or closed." }]);
    const draft = draftTicket(actor, input, requester, fields.values);
    const now = new Date();
    const ticket = await trx
      .insertInto("tickets")
      .values({
        workspace_id: draft.workspaceId,
        number: ticketNumberDefault(actor.workspaceId, groupInInsert ? groupId : null),
        subject: draft.subject,
        status: draft.status,
        priority: draft.priority,
        type: draft.type,
        requester_id: draft.requesterId,
        organization_id: draft.organizationId,
        assignee_id: draft.assigneeId,
        group_id: draft.groupId,
        channel: draft.channel,
        tags: draft.tags,
        custom_fields: JSON.stringify(draft.customFields),
        created_at: now,
        updated_at: now,
      })
      .returning(TICKET_COLUMNS)
      .executeTakeFirstOrThrow()
      .catch((err: unknown) => {
        if (groupInInsert && isMissingNumber(err)) {
          throw invalid([
            { path: "groupId", message: `There is no group with id ${groupId} in this workspace.` },
          ]);
        }
        throw err;
      });
    // Written with the message's event, in one statement, ticket.created first.
    await insertMessage(
      trx,
      actor,
      ticket,
      {
        kind: draft.message.kind,
        direction: draft.message.direction,
        author: draft.message.author,
        body: draft.message.body,
        html: draft.message.html,
        channel: ticket.channel,
        channelMeta: input.channelMessage?.channelMeta,
        externalId: input.channelMessage?.externalId,
        externalDigest: input.channelMessage?.externalDigest,
        attachmentIds: input.channelMessage?.attachmentIds,
      },
      [{ type: "ticket.created", changes: createdChanges(ticket) }],
    );
    // A customer who wrote in by email hears that the request arrived (if the mailbox says so).
    if (actor.type !== "user") await queueSystemEmail(trx, actor, ticket, "ticket_received");
    return ticket;
  });
}

type EditableField =
  | "subject"
  | "priority"
  | "type"
  | "status"
  | "requester_id"
  | "organization_id"
  | "assignee_id"
  | "group_id"
  | "tags"
  | "custom_fields"
  | "problem_id";

export interface UpdateTicketInput {
  version?: number;
  subject?: string;
  status?: TicketStatus;
  priority?: TicketPriority;
  type?: TicketType;
  requesterId?: number;
  assigneeId?: number | null;
  groupId?: number | null;
  tags?: string[];
  addTags?: string[];
  removeTags?: string[];
  customFields?: Record<string, unknown>;
  problemId?: number | null;
}

export async function updateTicket(db: Db, actor: Actor, id: number, input: UpdateTicketInput) {
  requireCan(actor, "ticket.update");
  return inTransaction(db, async (trx) => {
    const ticket = await lockTicket(trx, actor, id);
    return applyTicketChanges(trx, actor, ticket, input);
  });
}

// The rules every property change obeys, whether it comes from one ticket's page, a bulk
// update or an automation: version check, closed is final, solving needs required fields.
export async function applyTicketChanges(trx: Db, actor: Actor, ticket: TicketRow, input: UpdateTicketInput) {
  if (input.version !== undefined && input.version !== ticket.version) {
    throw conflict("ticket_version_conflict", "Someone else changed this ticket. Reload and try again.", {
      current: ticket,
    });
  }
  if (ticket.status === "closed") throw conflict("ticket_closed", "Closed tickets cannot be changed.");
  const ws = actor.workspaceId;
  const next: Partial<Pick<TicketRow, EditableField>> = {};
  if (input.subject !== undefined) next.subject = input.subject.trim();
  if (input.priority !== undefined) next.priority = input.priority;
  if (input.type !== undefined) next.type = input.type;
  if (input.status !== undefined) next.status = input.status;
  if (input.requesterId !== undefined) {
    const requester = await requireContact(trx, ws, input.requesterId).catch(() => {
      throw invalid([
        {
          path: "requesterId",
          message: `There is no contact with id ${input.requesterId} in this workspace.`,
        },
      ]);
    });
    next.requester_id = requester.id;
    next.organization_id = requester.organization_id;
  }
  if (input.assigneeId !== undefined || input.groupId !== undefined) {
    const assigneeId = input.assigneeId !== undefined ? input.assigneeId : ticket.assignee_id;
    const groupId = input.groupId !== undefined ? input.groupId : ticket.group_id;
    await checkAssignment(trx, ws, assigneeId, groupId);
    next.assignee_id = assigneeId;
    next.group_id = groupId;
  }
  if (input.tags !== undefined || input.addTags !== undefined || input.removeTags !== undefined) {
    const removed = new Set(normalizeTags(input.removeTags ?? []));
    const base = input.tags !== undefined ? input.tags : ticket.tags;
    next.tags = normalizeTags([...base, ...(input.addTags ?? [])]).filter((t) => !removed.has(t));
  }
  const defs = await activeFieldDefinitions(trx, ws);
  if (input.customFields !== undefined) {
    const merged = mergeFieldValues(defs, ticket.custom_fields, input.customFields);
    if (merged.errors.length) throw invalid(merged.errors);
    next.custom_fields = merged.values;
  }
  if (input.problemId !== undefined)
    next.problem_id = await checkProblemLink(trx, ticket, next.type ?? ticket.type, input.problemId);
  else if (next.type !== undefined && next.type !== "incident" && ticket.problem_id !== null)
    // Only incidents hang off a problem: a ticket that stops being one lets go of its problem.
    next.problem_id = null;
  if (ticket.type === "problem" && next.type !== undefined && next.type !== "problem") {
    if (await hasIncidents(trx, ws, ticket.id)) {
      throw invalid([
        {
          path: "type",
          message: "A problem with linked incidents stays a problem; unlink the incidents first.",
        },
      ]);
    }
  }
  const status = next.status ?? ticket.status;
  if (status === "closed" && ticket.status !== "solved") {
    throw invalid([{ path: "status", message: "Only a solved ticket can be closed." }]);
  }
  // Checked on the way into solved and on every field edit while solved, so a required value
  // cannot be emptied after the fact.
  if (status === "solved" && (ticket.status !== "solved" || next.custom_fields !== undefined)) {
    const missing = missingOnSolve(defs, next.custom_fields ?? ticket.custom_fields);
    if (missing.length) throw invalid(missing, "Fill in the required fields before solving.");
  }
  // A ticket with an assignee is being worked: leave "new" when someone takes it.
  if (next.assignee_id && ticket.status === "new" && input.status === undefined) next.status = "open";
  const changes = diff(ticket as unknown as Record<string, unknown>, next as Record<string, unknown>);
  if (Object.keys(changes).length === 0) return ticket;
  const now = new Date();
  const finalStatus = next.status ?? ticket.status;
  const updated = await trx
    .updateTable("tickets")
    .set({
      ...next,
      custom_fields: next.custom_fields ? JSON.stringify(next.custom_fields) : undefined,
      solved_at: finalStatus === "solved" || finalStatus === "closed" ? (ticket.solved_at ?? now) : null,
      closed_at: finalStatus === "closed" ? now : null,
      version: ticket.version + 1,
      updated_at: now,
    })
    .where("workspace_id", "=", ws)
    .where("id", "=", ticket.id)
    .returning(TICKET_COLUMNS)
    .executeTakeFirstOrThrow();
  await appendEvent(trx, actor, updated, "ticket.updated", renameChanges(changes));
  if (updated.status === "solved" && ticket.status !== "solved") {
    await queueSystemEmail(trx, actor, updated, "ticket_solved");
  }
  if (updated.type === "problem" && updated.status === "solved" && ticket.status !== "solved") {
    await solveIncidents(trx, actor, updated);
  }
  return updated;
}

async function checkProblemLink(trx: Db, ticket: TicketRow, type: TicketType, problemId: number | null) {
  if (problemId === null) return null;
  if (problemId === ticket.id)
    throw invalid([{ path: "problemId", message: "A ticket cannot be its own problem." }]);
  const problem = await trx
    .selectFrom("tickets")
    .select(["id", "type", "merged_into_id"])
    .where("workspace_id", "=", ticket.workspace_id)
    .where("id", "=", problemId)
    .executeTakeFirst();
  if (problem?.type !== "problem" || problem.merged_into_id !== null) {
    throw invalid([{ path: "problemId", message: `Ticket ${problemId} is not a ticket of type problem.` }]);
  }
  if (type !== "incident") {
    throw new AppError(422, "validation_failed", "Only incidents link to a problem.", {
      errors: [{ path: "problemId", message: "Only tickets of type incident link to a problem." }],
    });
  }
  return problemId;
}

const API_NAMES: Record<string, string> = {
  requester_id: "requesterId",
  organization_id: "organizationId",
  assignee_id: "assigneeId",
  group_id: "groupId",
  custom_fields: "customFields",
  problem_id: "problemId",
};

function renameChanges(changes: Record<string, unknown>) {
  return Object.fromEntries(Object.entries(changes).map(([k, v]) => [API_NAMES[k] ?? k, v]));
}
