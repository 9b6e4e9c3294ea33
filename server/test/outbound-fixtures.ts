import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { systemActor } from "../auth/actor.ts";
import { inTransaction } from "../db/connection.ts";
import { addCustomerMessage } from "../tickets/messages.ts";
import { createTicket, lockTicket } from "../tickets/service.ts";
import type { TestWorkspace } from "./harness.ts";
import type { SinkMta } from "./sink-mta.ts";

// Fixtures for outbound email tests: tickets on the email channel whose mailbox sends to a test
// sink MTA, built the way inbound processing builds them.

const rand = () => randomBytes(6).toString("hex");
export const messageIdAt = (what: string) => `<${what}-${rand()}@customer.test>`;

export async function sendingMailbox(
  ws: TestWorkspace,
  mta: SinkMta,
  settings: Record<string, unknown> = {},
) {
  const res = await ws.as(ws.admin).post("/api/v1/mailboxes", {
    name: "Acme Support",
    address: `support-${rand()}@help.test`,
    inbound: "upload",
    smtp: { host: "127.0.0.1", port: mta.port, secure: false },
    settings: { sendReceipt: false, ...settings },
  });
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as { id: number; address: string };
}

// A customer's first mail and their follow-up: a ticket on the email channel, each message keyed
// by its Message-ID and remembering the mailbox it came through.
export async function emailTicket(ws: TestWorkspace, mta: SinkMta, settings: Record<string, unknown> = {}) {
  const mailbox = await sendingMailbox(ws, mta, settings);
  const requester = await ws.contact({ name: "Robin Requester" });
  const first = messageIdAt("first");
  const second = messageIdAt("second");
  const actor = systemActor(ws.id);
  const ticket = await createTicket(ws.db, actor, {
    subject: "Printer on fire",
    requester: { id: requester.id },
    channel: "email",
    comment: { body: "It is on fire." },
    channelMessage: { externalId: first, channelMeta: { mailboxId: mailbox.id } },
  });
  await inTransaction(ws.db, async (trx) => {
    const locked = await lockTicket(trx, actor, ticket.id);
    await addCustomerMessage(trx, actor, locked, {
      contactId: requester.id,
      body: "Still burning.",
      channel: "email",
      externalId: second,
      channelMeta: { mailboxId: mailbox.id },
    });
  });
  return { mailbox, requester, ticket, first, second };
}

export async function outboundRows(ws: TestWorkspace) {
  return ws.db
    .selectFrom("outbound_emails")
    .selectAll()
    .where("workspace_id", "=", ws.id)
    .orderBy("id")
    .execute();
}

export async function deliveryShown(ws: TestWorkspace, ticketId: number, messageId: number) {
  const res = await ws.as(ws.admin).get(`/api/v1/tickets/${ticketId}/messages`);
  assert.equal(res.statusCode, 200, res.body);
  const found = (res.json().data as { id: number; delivery: Record<string, unknown> | null }[]).find(
    (m) => m.id === messageId,
  );
  assert.ok(found, `message ${messageId} is on the ticket`);
  return found.delivery;
}
