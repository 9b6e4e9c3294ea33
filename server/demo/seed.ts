import { systemActor, type UserActor } from "../auth/actor.ts";
import { createContact } from "../contacts/service.ts";
import { type Db, inTransaction } from "../db/connection.ts";
import type { TicketPriority, TicketStatus } from "../db/types.ts";
import { addMessage } from "../tickets/messages.ts";
import { createTicket, updateTicket } from "../tickets/service.ts";
import { createGroup, createUser, createWorkspace } from "../workspaces/service.ts";

// A demo workspace that looks like a real team's week: a few groups, agents, B2B customers
// and their people, and tickets across channels with back-and-forth threads.
const GROUPS = ["Support", "Billing", "Technical"];
const AGENTS = ["Ada Byrne", "Tomás Ortega", "Mei Lin", "Kwame Mensah", "Sofia Rossi", "Jonas Berg"];
const ORGS = [
  ["Acme Corp", "acme.example"],
  ["Globex", "globex.example"],
  ["Initech", "initech.example"],
  ["Umbrella Health", "umbrella.example"],
  ["Hooli", "hooli.example"],
  ["Stark Logistics", "stark.example"],
] as const;
const FIRST = [
  "Alex",
  "Sam",
  "Jordan",
  "Priya",
  "Lena",
  "Omar",
  "Grace",
  "Luis",
  "Hana",
  "Noah",
  "Zoe",
  "Ivan",
];
const LAST = ["Smith", "Garcia", "Kim", "Novak", "Okafor", "Dubois", "Silva", "Nakamura", "Müller", "Haddad"];
const SUBJECTS = [
  "Cannot log in after password reset",
  "Invoice shows the wrong VAT number",
  "Export to CSV times out",
  "Refund for duplicate charge",
  "How do I add a second admin?",
  "App crashes when uploading a photo",
  "Webhook deliveries failing with 401",
  "Change billing email address",
  "Feature request: dark mode",
  "Two-factor codes not arriving by SMS",
  "Order #4411 arrived damaged",
  "API rate limit too low for our sync",
  "Cancel my subscription",
  "Data import stuck at 95%",
  "SSO with Okta fails for new users",
];
const CUSTOMER_LINES = [
  "Hi, this started this morning and the whole team is blocked.",
  "Thanks for the quick answer. I tried that, and it still happens.",
  "Attached is a screenshot of the error we see.",
  "That worked! Thank you so much.",
  "Any update on this? We need it fixed before Friday.",
];
const AGENT_LINES = [
  "Thanks for reaching out! Could you tell me which browser and version you are using?",
  "I have reproduced the problem and passed it to our engineers. I will update you as soon as I hear back.",
  "This is fixed now: please try again and let me know how it goes.",
  "I have issued the refund; it should reach your account in 3-5 business days.",
];
const NOTES = [
  "Customer is on the Enterprise plan: handle with priority.",
  "Looks related to last week's deploy.",
];
const CHANNELS = ["email", "email", "email", "chat", "web", "api", "phone"];
const STATUSES: TicketStatus[] = ["new", "open", "open", "pending", "on_hold", "solved", "solved", "closed"];
const PRIORITIES: TicketPriority[] = ["low", "normal", "normal", "normal", "high", "urgent"];

// Deterministic, so two runs of the demo look the same.
function random(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1664525 + 1013904223) % 2 ** 32;
    return s / 2 ** 32;
  };
}

export async function seedDemo(db: Db, options: { tickets: number; workspaceId?: number }) {
  const rnd = random(42);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rnd() * list.length)];
  const workspaceId = options.workspaceId ?? (await createWorkspace(db, "Demo")).id;
  const suffix = Date.now().toString(36);
  const groups = [];
  for (const name of GROUPS) groups.push(await createGroup(db, workspaceId, `${name} ${suffix}`));
  const agents: UserActor[] = [];
  for (const [i, name] of AGENTS.entries()) {
    const group = groups[i % groups.length];
    const user = await createUser(db, workspaceId, {
      name,
      email: `${name.split(" ")[0].toLowerCase()}.${suffix}@demo.parley.test`,
      role: "agent",
      groupIds: [group.id],
    });
    agents.push({
      type: "user",
      workspaceId,
      userId: user.id,
      role: "agent",
      ticketAccess: "all",
      groupIds: [group.id],
      scopes: null,
    });
  }
  const orgIds: number[] = [];
  for (const [name, domain] of ORGS) {
    const org = await db
      .insertInto("organizations")
      .values({
        workspace_id: workspaceId,
        name: `${name} ${suffix}`,
        domains: [`${suffix}.${domain}`],
        attributes: "{}",
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    orgIds.push(org.id);
  }
  const contacts: number[] = [];
  for (let i = 0; i < Math.max(20, Math.ceil(options.tickets / 5)); i++) {
    const first = pick(FIRST);
    const last = pick(LAST);
    const orgIndex = Math.floor(rnd() * (ORGS.length + 2));
    const org = orgIndex < ORGS.length ? orgIds[orgIndex] : null;
    const domain = org ? `${suffix}.${ORGS[orgIndex][1]}` : "mail.example";
    const c = await createContact(db, workspaceId, {
      name: `${first} ${last}`,
      emails: [`${first}.${last}.${i}@${domain}`.toLowerCase()],
      organizationId: org,
    });
    contacts.push(c.id);
  }
  const system = systemActor(workspaceId);
  for (let i = 0; i < options.tickets; i++) {
    await inTransaction(db, async (trx) => {
      const requesterId = pick(contacts);
      const agent = pick(agents);
      const ticket = await createTicket(trx, system, {
        subject: pick(SUBJECTS),
        requester: { id: requesterId },
        priority: pick(PRIORITIES),
        channel: pick(CHANNELS),
        groupId: agent.groupIds[0],
        tags: rnd() < 0.3 ? ["vip"] : [],
        comment: { body: pick(CUSTOMER_LINES) },
      });
      const status = pick(STATUSES);
      if (status === "new") return;
      await updateTicket(trx, system, ticket.id, { assigneeId: agent.userId });
      const customer = {
        type: "contact" as const,
        workspaceId,
        contactId: requesterId,
        organizationId: null,
        seesOrganizationTickets: false,
      };
      const turns = 1 + Math.floor(rnd() * 4);
      for (let t = 0; t < turns; t++) {
        await addMessage(trx, agent, ticket.id, { body: pick(AGENT_LINES) });
        if (rnd() < 0.2) await addMessage(trx, agent, ticket.id, { body: pick(NOTES), kind: "note" });
        if (t < turns - 1) await addMessage(trx, customer, ticket.id, { body: pick(CUSTOMER_LINES) });
      }
      if (status !== "open")
        await updateTicket(trx, system, ticket.id, { status: status === "closed" ? "solved" : status });
      if (status === "closed") await updateTicket(trx, system, ticket.id, { status: "closed" });
    });
  }
  return {
    workspaceId,
    groups: groups.length,
    agents: agents.length,
    organizations: orgIds.length,
    contacts: contacts.length,
    tickets: options.tickets,
  };
}
