import assert from "node:assert/strict";
import { after, test } from "node:test";
import { pino } from "pino";
import PostalMime from "postal-mime";
import { systemActor } from "../auth/actor.ts";
import { SecretBox } from "../auth/secret-box.ts";
import { inTransaction } from "../db/connection.ts";
import { type OutboundDeps, sendOutbound } from "../email/outbound.ts";
import { LocalFileStore } from "../files/store.ts";
import { buildWorkspace, type TestWorkspace, useTestApp } from "../test/harness.ts";
import { messageIdAt, outboundRows, sendingMailbox } from "../test/outbound-fixtures.ts";
import { type SinkMta, startSinkMta } from "../test/sink-mta.ts";
import { addCustomerMessage } from "./messages.ts";
import { createTicket, lockTicket } from "./service.ts";

// Merging two different customers' tickets must never send one customer the other's words:
// checked on the real outbound path, each mail delivered over SMTP to a sink MTA and read back.
const ctx = useTestApp();

const sinks: SinkMta[] = [];
after(() => Promise.all(sinks.map((s) => s.close())));

const deps = (): OutboundDeps => ({
  db: ctx().database.db,
  box: SecretBox.fromConfig(ctx().app.config),
  fileStore: new LocalFileStore(ctx().app.config.fileStoreDir),
  relayUrl: null,
  log: pino({ level: "silent" }),
});

// Sends every queued mail of the workspace and returns them parsed, with their recipients.
async function sendAll(ws: TestWorkspace, mta: SinkMta, sent: Set<number>) {
  for (const row of await outboundRows(ws)) {
    if (sent.has(row.id)) continue;
    sent.add(row.id);
    assert.equal(
      await sendOutbound(deps(), { workspaceId: ws.id, outboundId: row.id }, { lastAttempt: false }),
      "sent",
    );
  }
  return Promise.all(
    mta
      .accepted()
      .map(async (d) => ({ to: d.rcptTo, raw: d.raw.toString("utf8"), mail: await PostalMime.parse(d.raw) })),
  );
}

// A customer's mail and their follow-up, as inbound processing makes them.
async function mailedTicket(
  ws: TestWorkspace,
  mailboxId: number,
  who: { name: string; email: string },
  subject: string,
  body: string,
  more: string,
) {
  const contact = await ws.contact(who);
  const actor = systemActor(ws.id);
  const second = messageIdAt(`${who.name}-second`);
  const ticket = await createTicket(ws.db, actor, {
    subject,
    requester: { id: contact.id },
    channel: "email",
    comment: { body },
    channelMessage: { externalId: messageIdAt(who.name), channelMeta: { mailboxId } },
  });
  await inTransaction(ws.db, async (trx) => {
    await addCustomerMessage(trx, actor, await lockTicket(trx, actor, ticket.id), {
      contactId: contact.id,
      body: more,
      channel: "email",
      externalId: second,
      channelMeta: { mailboxId },
    });
  });
  return { ticket, contact, second };
}

test("merging another customer's ticket mails nobody the other's words, before or after", async () => {
  const mta = await startSinkMta();
  sinks.push(mta);
  const ws = await buildWorkspace(ctx());
  const mailbox = await sendingMailbox(ws, mta);
  // Bob writes first, so his messages come first in the surviving ticket's history.
  const bob = await mailedTicket(
    ws,
    mailbox.id,
    { name: "Bob Stone", email: "bob@bob.test" },
    "Cannot log in to my account",
    "My password hint is tulip-1987.",
    "Still locked out, tulip-1987.",
  );
  const alice = await mailedTicket(
    ws,
    mailbox.id,
    { name: "Alice Park", email: "alice@alice.test" },
    "Invoice 4471 is wrong",
    "Card ending 4242 was charged twice.",
    "Card 4242 again.",
  );
  const bobsWords = /tulip|Cannot log in|Bob Stone/;
  const alicesWords = /4242|Invoice 4471|Alice Park/;

  // A solved-mail template that quotes the customer's request, as an admin may write it.
  await ws.as(ws.admin).request("PUT", "/api/v1/email-templates/ticket_solved", {
    subject: "{{ticket.subject}}",
    bodyText: "Solved. You wrote:\n{{message.text}}",
  });

  const merged = await ws
    .as(ws.admin)
    .post(`/api/v1/tickets/${bob.ticket.id}/merge`, { targetId: alice.ticket.id });
  assert.equal(merged.statusCode, 200, merged.body);

  // Bob hears about his own request only, under its own subject and number, threaded on his mail.
  const sent = new Set<number>();
  let mails = await sendAll(ws, mta, sent);
  assert.equal(mails.length, 1, "only Bob is told: nothing changed about Alice's request");
  const [notice] = mails;
  assert.deepEqual(notice.to, ["bob@bob.test"]);
  assert.equal(notice.mail.subject, `Re: Cannot log in to my account [#${bob.ticket.number}]`);
  assert.equal(notice.mail.inReplyTo, bob.second);
  assert.match(notice.mail.text ?? "", new RegExp(`#${bob.ticket.number}\\b`));
  assert.doesNotMatch(notice.raw, alicesWords);
  assert.doesNotMatch(notice.raw, new RegExp(`#${alice.ticket.number}\\b`));

  // On the surviving ticket Bob's messages are internal notes: Alice's own view does not show them.
  const onTarget = (await ws.as(ws.admin).get(`/api/v1/tickets/${alice.ticket.id}/messages`)).json().data as {
    body: string;
    kind: string;
  }[];
  const bobsOnTarget = onTarget.filter((m) => bobsWords.test(m.body));
  assert.equal(bobsOnTarget.length, 2);
  assert.ok(bobsOnTarget.every((m) => m.kind === "note"));
  const asAlice = await (await ws.customerSession(alice.contact.id)).get(
    `/api/v1/tickets/${alice.ticket.id}/messages`,
  );
  assert.equal(asAlice.statusCode, 200, asAlice.body);
  assert.doesNotMatch(asAlice.body, bobsWords);
  // Bob's notice stays on his own ticket.
  const onSource = (await ws.as(ws.admin).get(`/api/v1/tickets/${bob.ticket.id}/messages`)).json().data;
  assert.ok(
    onSource.some((m: { body: string }) => /Your request #\d+ is being handled together/.test(m.body)),
  );

  // The team answers Alice and solves her ticket: neither mail names Bob's mail or his words.
  const reply = await ws
    .as(ws.admin)
    .post(`/api/v1/tickets/${alice.ticket.id}/messages`, { body: "Refunded." });
  assert.equal(reply.statusCode, 201, reply.body);
  const current = (await ws.as(ws.admin).get(`/api/v1/tickets/${alice.ticket.id}`)).json();
  const solved = await ws.as(ws.admin).patch(`/api/v1/tickets/${alice.ticket.id}`, {
    status: "solved",
    version: current.version,
  });
  assert.equal(solved.statusCode, 200, solved.body);
  mails = await sendAll(ws, mta, sent);
  const toAlice = mails.filter((m) => m.to.includes("alice@alice.test"));
  assert.deepEqual(
    toAlice.map((m) => m.mail.text?.split("\n")[0]),
    ["Refunded.", "Solved. You wrote:"],
  );
  assert.match(toAlice[1].mail.text ?? "", /Card ending 4242 was charged twice\./);
  for (const { raw, mail } of toAlice) {
    assert.doesNotMatch(raw, bobsWords);
    assert.ok(!raw.includes(bob.second), "Bob's Message-ID is not in Alice's headers");
    assert.notEqual(mail.inReplyTo, bob.second);
  }
  assert.ok(mails.every((m) => m.to.includes("alice@alice.test") || !alicesWords.test(m.raw)));
});

test("merging a customer's own tickets still tells them on the surviving ticket", async () => {
  const mta = await startSinkMta();
  sinks.push(mta);
  const ws = await buildWorkspace(ctx());
  const mailbox = await sendingMailbox(ws, mta);
  const who = { name: "Cleo Reed", email: "cleo@cleo.test" };
  const first = await mailedTicket(ws, mailbox.id, who, "Printer jams", "It jams.", "Still jams.");
  const contact = first.contact;
  const actor = systemActor(ws.id);
  const again = await createTicket(ws.db, actor, {
    subject: "Printer jams again",
    requester: { id: contact.id },
    channel: "email",
    comment: { body: "Jammed again." },
    channelMessage: { externalId: messageIdAt("again"), channelMeta: { mailboxId: mailbox.id } },
  });
  const merged = await ws
    .as(ws.admin)
    .post(`/api/v1/tickets/${again.id}/merge`, { targetId: first.ticket.id });
  assert.equal(merged.statusCode, 200, merged.body);
  const mails = await sendAll(ws, mta, new Set());
  assert.equal(mails.length, 1);
  assert.deepEqual(mails[0].to, ["cleo@cleo.test"]);
  assert.match(
    mails[0].mail.text ?? "",
    new RegExp(`#${again.number} has been merged into request #${first.ticket.number}`),
  );
  const onTarget = (await ws.as(ws.admin).get(`/api/v1/tickets/${first.ticket.id}/messages`)).json().data;
  const moved = onTarget.find((m: { body: string }) => m.body === "Jammed again.");
  assert.equal(moved.kind, "reply", "one customer's own messages stay public");
});
