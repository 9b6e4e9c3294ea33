import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { systemActor, type UserActor } from "../auth/actor.ts";
import { findOrCreateContactByEmail } from "../contacts/service.ts";
import { type Db, inTransaction } from "../db/connection.ts";
import type { TicketStatus } from "../db/types.ts";
import { addCustomerMessage, addMessage } from "../tickets/messages.ts";
import { createTicket, lockTicket, updateTicket } from "../tickets/service.ts";
import { createGroup, createUser, createWorkspace, setUserPassword } from "../workspaces/service.ts";
import {
  AGENTS,
  CONVERSATIONS,
  type Conversation,
  FIRST_NAMES,
  GROUPS,
  LAST_NAMES,
  ORGANIZATIONS,
  PERSONAL_DOMAIN,
} from "./conversations.ts";

// `parley seed-demo`: a team's last six weeks in the workspace the admin signs into, so the inbox
// has something to work. Names are plain (a second run reuses the same groups, agents and
// customers and adds tickets), and each ticket is a conversation that happened over time: opened
// at some point in the past weeks, answered minutes or hours later, and so on, the younger ones
// still waiting for an answer.

const SPAN_DAYS = 42;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const AGENT_DOMAIN = "demo.example";

export interface SeedResult {
  workspaceId: number;
  workspaceName: string;
  createdWorkspace: boolean;
  groups: number;
  agents: { name: string; email: string }[];
  agentPassword: string;
  organizations: number;
  contacts: number;
  tickets: number;
  messages: number;
  byStatus: Partial<Record<TicketStatus, number>>;
}

// Deterministic, so two runs of the demo tell the same stories.
function random(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1664525 + 1013904223) % 2 ** 32;
    return s / 2 ** 32;
  };
}

const ascii = (name: string) =>
  name
    .normalize("NFD")
    .replace(/[^A-Za-z]/g, "")
    .toLowerCase();

export async function seedDemo(
  db: Db,
  options: { tickets: number; workspaceId?: number },
): Promise<SeedResult> {
  const rnd = random(42);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rnd() * list.length)];
  const workspace = await targetWorkspace(db, options.workspaceId);
  const workspaceId = workspace.id;

  const groupIds = new Map<string, number>();
  for (const name of GROUPS) groupIds.set(name, await findOrCreateGroup(db, workspaceId, name));
  const agentPassword = randomBytes(9).toString("base64url");
  const domain = await agentDomain(db, workspaceId);
  const agents = [];
  for (const agent of AGENTS) {
    const email = `${agent.name.split(" ").map(ascii).join(".")}@${domain}`;
    const groupId = groupIds.get(agent.group)!;
    const userId = await findOrCreateAgent(db, workspaceId, agent.name, email, groupId, agentPassword);
    const actor: UserActor = {
      type: "user",
      workspaceId,
      userId,
      role: "agent",
      ticketAccess: "all",
      groupIds: [groupId],
      scopes: null,
    };
    agents.push({ name: agent.name, email, group: agent.group, actor });
  }
  for (const org of ORGANIZATIONS) await findOrCreateOrganization(db, workspaceId, org.name, org.domain);

  // Contacts take their organization from their address's domain.
  const contacts: { id: number; first: string }[] = [];
  const emails = new Set<string>();
  for (let i = 0; i < Math.max(20, Math.ceil(options.tickets / 5)); i++) {
    const first = pick(FIRST_NAMES);
    const last = pick(LAST_NAMES);
    const domain = rnd() < 0.7 ? pick(ORGANIZATIONS).domain : PERSONAL_DOMAIN;
    const local = `${ascii(first)}.${ascii(last)}`;
    let email = `${local}@${domain}`;
    for (let n = 2; emails.has(email); n++) email = `${local}${n}@${domain}`;
    emails.add(email);
    const contact = await findOrCreateContactByEmail(db, workspaceId, email, `${first} ${last}`);
    contacts.push({ id: contact.id, first });
  }

  // Oldest first, so ticket numbers rise with time as they would have; more of them recently.
  const now = Date.now();
  const opened = Array.from({ length: options.tickets }, (_, i) => {
    const age = (1 - (i + rnd()) / options.tickets) ** 1.4 * SPAN_DAYS * DAY;
    return now - Math.max(age, 10 * 60_000);
  }).sort((a, b) => a - b);

  const byStatus: Partial<Record<TicketStatus, number>> = {};
  let messages = 0;
  for (const openedAt of opened) {
    const conversation = pick(CONVERSATIONS);
    const requester = pick(contacts);
    const agent = pick(agents.filter((a) => a.group === conversation.group));
    const story = await tellStory(db, {
      workspaceId,
      conversation,
      requester,
      agent,
      groupId: groupIds.get(conversation.group)!,
      openedAt,
      now,
      rnd,
    });
    byStatus[story.status] = (byStatus[story.status] ?? 0) + 1;
    messages += story.messages;
  }
  return {
    workspaceId,
    workspaceName: workspace.name,
    createdWorkspace: workspace.created,
    groups: GROUPS.length,
    agents: agents.map(({ name, email }) => ({ name, email })),
    agentPassword,
    organizations: ORGANIZATIONS.length,
    contacts: contacts.length,
    tickets: options.tickets,
    messages,
    byStatus,
  };
}

interface Story {
  workspaceId: number;
  conversation: Conversation;
  requester: { id: number; first: string };
  agent: { name: string; actor: UserActor };
  groupId: number;
  openedAt: number;
  now: number;
  rnd: () => number;
}

// One ticket, step by step through the services, then dated: each step's message and events get
// the time the step happened. The services stamp "now", and demo data that all happened this
// second would make every list and report look wrong.
async function tellStory(db: Db, s: Story) {
  const { conversation: c, rnd } = s;
  const fill = (text: string) =>
    text.replaceAll("{first}", s.requester.first).replaceAll("{agent}", s.agent.name.split(" ")[0]);
  // When each turn would come: the team answers within minutes to hours, customers within hours to days.
  const gaps = [
    0,
    10 * 60_000 + rnd() ** 2 * 6 * HOUR,
    30 * 60_000 + rnd() ** 2 * 2 * DAY,
    15 * 60_000 + rnd() ** 2 * DAY,
  ];
  const times: number[] = [];
  for (const gap of gaps) {
    const at = (times.at(-1) ?? s.openedAt) + gap;
    if (at > s.now - 60_000) break;
    times.push(at);
  }
  const ageDays = (s.now - s.openedAt) / DAY;
  const wanted =
    ageDays < 0.3
      ? 1 + Math.floor(rnd() * 2)
      : ageDays < 3
        ? 1 + Math.floor(rnd() * 4)
        : 2 + Math.floor(rnd() * 4);
  const turns = Math.min(times.length, wanted, 4);
  const system = systemActor(s.workspaceId);
  return inTransaction(db, async (trx) => {
    const ticket = await createTicket(trx, system, {
      subject: c.subject,
      requester: { id: s.requester.id },
      priority: c.priority,
      channel: c.channel,
      groupId: s.groupId,
      comment: { body: fill(c.turns[0]) },
    });
    const seen = { message: 0, event: 0 };
    await dateStep(trx, s.workspaceId, ticket.id, times[0], seen);
    let status: TicketStatus = "new";
    let solvedAt: number | null = null;
    let closedAt: number | null = null;
    if (turns >= 2) {
      await updateTicket(trx, system, ticket.id, { assigneeId: s.agent.actor.userId });
      await addMessage(trx, s.agent.actor, ticket.id, { body: fill(c.turns[1]), status: "pending" });
      await dateStep(trx, s.workspaceId, ticket.id, times[1], seen);
      status = "pending";
    }
    if (turns >= 3) {
      // As a channel delivers it: on the ticket's own channel, not through the portal.
      const current = await lockTicket(trx, system, ticket.id);
      await addCustomerMessage(trx, system, current, {
        contactId: s.requester.id,
        body: fill(c.turns[2]),
        channel: c.channel,
      });
      await dateStep(trx, s.workspaceId, ticket.id, times[2], seen);
      status = "open";
      if (c.note && rnd() < 0.6) {
        await addMessage(trx, s.agent.actor, ticket.id, { body: c.note, kind: "note" });
        const before = times[3] ?? s.now;
        await dateStep(trx, s.workspaceId, ticket.id, times[2] + (before - times[2]) / 2, seen);
      }
    }
    if (turns >= 4) {
      await addMessage(trx, s.agent.actor, ticket.id, { body: fill(c.turns[3]), status: "solved" });
      await dateStep(trx, s.workspaceId, ticket.id, times[3], seen);
      status = "solved";
      solvedAt = times[3];
      // Solved tickets close after a few quiet days.
      if (solvedAt + 4 * DAY < s.now) {
        await updateTicket(trx, system, ticket.id, { status: "closed" });
        closedAt = solvedAt + 4 * DAY;
        await dateStep(trx, s.workspaceId, ticket.id, closedAt, seen);
        status = "closed";
      }
    }
    const last = closedAt ?? times[turns - 1] ?? times[0];
    const date = (t: number | null) => (t === null ? null : new Date(t));
    // created_at is never updated anywhere else (its column type says so): only the demo backdates.
    await sql`
      update tickets set created_at = ${date(times[0])}, updated_at = ${date(last)},
        first_responded_at = ${turns >= 2 ? date(times[1]) : null},
        solved_at = ${date(solvedAt)}, closed_at = ${date(closedAt)}
      where workspace_id = ${s.workspaceId} and id = ${ticket.id}`.execute(trx);
    return { status, messages: Math.max(turns, 1) };
  });
}

// Dates what the last step wrote: the messages and events after the ones already dated.
async function dateStep(
  trx: Db,
  workspaceId: number,
  ticketId: number,
  at: number,
  seen: { message: number; event: number },
) {
  const when = new Date(at);
  const messages = await sql<{ id: number }>`
    update messages set created_at = ${when}
    where workspace_id = ${workspaceId} and ticket_id = ${ticketId} and id > ${seen.message}
    returning id`.execute(trx);
  const events = await sql<{ id: number }>`
    update ticket_events set created_at = ${when}
    where workspace_id = ${workspaceId} and ticket_id = ${ticketId} and id > ${seen.event}
    returning id`.execute(trx);
  seen.message = Math.max(seen.message, ...messages.rows.map((m) => m.id));
  seen.event = Math.max(seen.event, ...events.rows.map((e) => e.id));
}

// The admin's workspace by default (the first one, made at first start); a new "Demo" workspace
// only when there is none yet.
async function targetWorkspace(db: Db, id: number | undefined) {
  const ws = await db
    .selectFrom("workspaces")
    .select(["id", "name"])
    .$if(id !== undefined, (q) => q.where("id", "=", id!))
    .orderBy("id")
    .limit(1)
    .executeTakeFirst();
  if (!ws && id !== undefined) throw new Error(`workspace ${id} does not exist`);
  if (!ws) return { ...(await createWorkspace(db, "Demo")), created: true };
  // Demo customers have made-up addresses: through a connected mailbox the demo would mail them.
  const mailbox = await db
    .selectFrom("mailboxes")
    .select("address")
    .where("workspace_id", "=", ws.id)
    .where("active", "=", true)
    .executeTakeFirst();
  if (mailbox) {
    throw new Error(
      `workspace ${ws.id} receives mail at ${mailbox.address}: demo tickets would send mail to made-up customers through it. ` +
        "Seed another workspace (--workspace <id>), or deactivate the mailbox first.",
    );
  }
  return { ...ws, created: false };
}

// Sign-in goes by email, and an email in two workspaces needs the workspace picked: agents of a
// second demo workspace get addresses of their own.
async function agentDomain(db: Db, workspaceId: number) {
  const elsewhere = await db
    .selectFrom("users")
    .select("id")
    .where("workspace_id", "!=", workspaceId)
    .where(sql`lower(email)`, "like", `%@${AGENT_DOMAIN}`)
    .limit(1)
    .executeTakeFirst();
  return elsewhere ? `w${workspaceId}.${AGENT_DOMAIN}` : AGENT_DOMAIN;
}

async function findOrCreateGroup(db: Db, workspaceId: number, name: string) {
  const existing = await db
    .selectFrom("groups")
    .select("id")
    .where("workspace_id", "=", workspaceId)
    .where("name", "=", name)
    .executeTakeFirst();
  return existing?.id ?? (await createGroup(db, workspaceId, name)).id;
}

async function findOrCreateAgent(
  db: Db,
  workspaceId: number,
  name: string,
  email: string,
  groupId: number,
  password: string,
) {
  const existing = await db
    .selectFrom("users")
    .select("id")
    .where("workspace_id", "=", workspaceId)
    .where(sql`lower(email)`, "=", email)
    .executeTakeFirst();
  if (!existing)
    return (await createUser(db, workspaceId, { name, email, role: "agent", password, groupIds: [groupId] }))
      .id;
  await setUserPassword(db, workspaceId, existing.id, password);
  return existing.id;
}

async function findOrCreateOrganization(db: Db, workspaceId: number, name: string, domain: string) {
  const existing = await db
    .selectFrom("organizations")
    .select("id")
    .where("workspace_id", "=", workspaceId)
    .where("name", "=", name)
    .executeTakeFirst();
  if (existing) return existing.id;
  const org = await db
    .insertInto("organizations")
    .values({ workspace_id: workspaceId, name, domains: [domain], attributes: "{}" })
    .returning("id")
    .executeTakeFirstOrThrow();
  return org.id;
}

const STATUS_ORDER: TicketStatus[] = ["new", "open", "pending", "on_hold", "solved", "closed"];

// What the user reads after seeding: what was made, and how to sign in as one of the agents.
export function describeSeed(r: SeedResult) {
  const statuses = STATUS_ORDER.filter((s) => r.byStatus[s])
    .map((s) => `${r.byStatus[s]} ${s.replace("_", " ")}`)
    .join(", ");
  const [first, ...others] = r.agents;
  const text = [
    `Seeded workspace ${r.workspaceId} "${r.workspaceName}"${r.createdWorkspace ? " (new: there was no workspace yet)" : ""}:`,
    `  ${r.tickets} tickets (${statuses}) with ${r.messages} customer and agent messages over the past ${SPAN_DAYS / 7} weeks`,
    `  ${r.contacts} customers, ${r.organizations} organizations, ${r.groups} groups, ${r.agents.length} agents`,
    "",
    "Sign in as a demo agent:",
    `  email:    ${first.email}`,
    `  password: ${r.agentPassword}`,
    `  (the same password works for ${others.map((a) => a.email).join(", ")})`,
    r.createdWorkspace
      ? "\nThis workspace has no admin yet: add one with parley create-admin --email <you>."
      : "",
  ]
    .join("\n")
    .trimEnd();
  return `${text}\n`;
}
