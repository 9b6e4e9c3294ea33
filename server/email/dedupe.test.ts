import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { LocalFileStore } from "../files/store.ts";
import { buildWorkspace, type TestWorkspace, useTestApp } from "../test/harness.ts";
import { createMailbox, deliver, type Mailbox, upload } from "../test/mail.ts";
import { acceptInboundEmail } from "./accept.ts";
import { mailIdentity } from "./content-digest.ts";
import { MailboxDirectory } from "./mailbox-directory.ts";
import { processInboundBatch } from "./process.ts";

// Only a true redelivery is skipped: a mail is known by its Message-ID and a digest of its
// content (content-digest.ts). The fixtures are real-world shapes written byte for byte.

const storeDir = mkdtempSync(join(tmpdir(), "parley-dedupe-"));
after(() => rmSync(storeDir, { recursive: true, force: true }));
const ctx = useTestApp({ PARLEY_FILE_STORE_DIR: storeDir });

const fixture = (name: string) => readFileSync(join(import.meta.dirname, "fixtures", name));
const REUSED_ID = "<contact-form@localhost.localdomain>";

async function uploaded(ws: TestWorkspace, mailbox: Mailbox, raw: Buffer) {
  const res = await upload(ws.as(ws.admin), mailbox.id, raw);
  assert.equal(res.statusCode, 202, res.body);
  const body = res.json() as { id: number; duplicate: boolean; status: string };
  const row = await ws.db
    .selectFrom("inbound_emails")
    .select(["ticket_id", "message_id", "reason"])
    .where("workspace_id", "=", ws.id)
    .where("id", "=", body.id)
    .executeTakeFirstOrThrow();
  return { ...body, ticketId: row.ticket_id, messageId: row.message_id, reason: row.reason };
}

const emailMessages = (ws: TestWorkspace) =>
  ws.db
    .selectFrom("messages")
    .select(["id", "ticket_id", "external_id"])
    .where("workspace_id", "=", ws.id)
    .where("channel", "=", "email")
    .orderBy("id")
    .execute();

test("two different mails with one Message-ID are two tickets; each redelivered is a duplicate", async () => {
  const ws = await buildWorkspace(ctx());
  const mailbox = await createMailbox(ws);
  const marta = await uploaded(ws, mailbox, fixture("reused-message-id-1.eml"));
  const jonas = await uploaded(ws, mailbox, fixture("reused-message-id-2.eml"));
  assert.equal(marta.duplicate, false);
  assert.equal(jonas.duplicate, false, "a different mail is not a duplicate for sharing a Message-ID");
  assert.equal(jonas.status, "processed", jonas.reason ?? "");
  assert.notEqual(jonas.ticketId, marta.ticketId);

  const again = await uploaded(ws, mailbox, fixture("reused-message-id-1.eml"));
  const againJonas = await uploaded(ws, mailbox, fixture("reused-message-id-2.eml"));
  assert.deepEqual([again.id, again.duplicate], [marta.id, true]);
  assert.deepEqual([againJonas.id, againJonas.duplicate], [jonas.id, true]);

  const messages = await emailMessages(ws);
  assert.deepEqual(
    messages.map((m) => [m.ticket_id, m.external_id]),
    [
      [marta.ticketId, REUSED_ID],
      [jonas.ticketId, REUSED_ID],
    ],
  );
  const subjects = await ws.db
    .selectFrom("tickets")
    .select("subject")
    .where("workspace_id", "=", ws.id)
    .orderBy("id")
    .execute();
  assert.deepEqual(
    subjects.map((t) => t.subject),
    ["Contact form: order 10482 never arrived", "Contact form: wrong size delivered"],
  );
});

test("a reply to a reused Message-ID goes to the ticket of the first mail that carried it", async () => {
  const ws = await buildWorkspace(ctx());
  const mailbox = await createMailbox(ws);
  const first = await uploaded(ws, mailbox, fixture("reused-message-id-1.eml"));
  const second = await uploaded(ws, mailbox, fixture("reused-message-id-2.eml"));
  assert.notEqual(first.ticketId, second.ticketId);
  const reply = await deliver(ws, mailbox, {
    from: "Marta Ruiz <marta.ruiz@customer.example>",
    subject: "Re: Contact form: order 10482 never arrived",
    inReplyTo: REUSED_ID,
    references: REUSED_ID,
    text: "Any news from the carrier?",
  });
  assert.equal(reply.status, "processed", reply.reason ?? "");
  assert.equal(reply.ticket_id, first.ticketId);
});

test("the same mail through two relays, with other Received, DKIM and ARC headers, is one mail", async () => {
  const direct = fixture("two-relays-direct.eml");
  const forwarded = fixture("two-relays-forwarded.eml");
  assert.notDeepEqual(direct, forwarded);
  assert.equal(mailIdentity(direct).digest, mailIdentity(forwarded).digest);

  const ws = await buildWorkspace(ctx());
  const support = await createMailbox(ws);
  const first = await uploaded(ws, support, direct);
  assert.equal(first.status, "processed", first.reason ?? "");
  const second = await uploaded(ws, support, forwarded);
  assert.deepEqual([second.id, second.duplicate], [first.id, true]);

  // Through another mailbox (sales@ forwards to support@ and is a mailbox too): stored there,
  // and found to be the message the first copy became.
  const sales = await createMailbox(ws);
  const viaSales = await uploaded(ws, sales, forwarded);
  assert.equal(viaSales.duplicate, false);
  assert.equal(viaSales.status, "processed");
  assert.equal(viaSales.messageId, first.messageId);
  assert.equal((await emailMessages(ws)).length, 1);
});

test("a mail whose content differs by a header the author wrote is not the same mail", () => {
  const direct = fixture("two-relays-direct.eml");
  const edited = Buffer.from(
    direct.toString("latin1").replace("Subject: Wrong VAT", "Subject: Right VAT"),
    "latin1",
  );
  const body = Buffer.from(direct.toString("latin1").replace("old VAT=", "new VAT="), "latin1");
  const digest = mailIdentity(direct).digest;
  assert.notEqual(mailIdentity(edited).digest, digest);
  assert.notEqual(mailIdentity(body).digest, digest);
});

test("a message stored before digests were kept still takes every mail with its Message-ID", async () => {
  const ws = await buildWorkspace(ctx());
  const a = await createMailbox(ws);
  const b = await createMailbox(ws);
  const old = await uploaded(ws, a, fixture("reused-message-id-1.eml"));
  await ws.db
    .updateTable("messages")
    .set({ external_digest: null })
    .where("workspace_id", "=", ws.id)
    .where("id", "=", old.messageId!)
    .execute();
  const later = await uploaded(ws, b, fixture("reused-message-id-2.eml"));
  assert.equal(later.status, "processed");
  assert.equal(later.messageId, old.messageId);
  assert.equal((await emailMessages(ws)).length, 1);
});

test("processed at the same moment, one mail in two mailboxes is one message, and two mails are two", async () => {
  const ws = await buildWorkspace(ctx());
  const db = ctx().database.db;
  const deps = { fileStore: new LocalFileStore(storeDir), mailboxes: new MailboxDirectory(db) };
  const boxes = [await createMailbox(ws), await createMailbox(ws), await createMailbox(ws)];
  const raws = [
    fixture("two-relays-direct.eml"),
    fixture("two-relays-forwarded.eml"),
    // Another mail with the same Message-ID.
    Buffer.from(
      fixture("two-relays-direct.eml").toString("latin1").replace("month-end", "quarter-end"),
      "latin1",
    ),
  ];
  const items = [];
  for (const [i, raw] of raws.entries()) {
    const accepted = await acceptInboundEmail(db, {
      workspaceId: ws.id,
      mailboxId: boxes[i].id,
      source: "upload",
      raw,
    });
    items.push({ workspaceId: ws.id, inboundId: accepted.id, mailboxId: boxes[i].id, raw });
  }
  // Each in its own transaction, all at once: on PostgreSQL two of them insert the same message
  // and the unique index settles it.
  const results = await Promise.all(items.map((item) => processInboundBatch(db, deps, [item])));
  const outcomes = results.map(([r]) => {
    assert.ok("outcome" in r, `processing failed: ${"error" in r ? String(r.error) : ""}`);
    assert.equal(r.outcome.status, "processed");
    return r.outcome as { messageId: number };
  });
  assert.equal(outcomes[0].messageId, outcomes[1].messageId);
  assert.notEqual(outcomes[2].messageId, outcomes[0].messageId);
  assert.equal((await emailMessages(ws)).length, 2);
  const rows = await ws.db
    .selectFrom("inbound_emails")
    .select(["status", "message_id"])
    .where("workspace_id", "=", ws.id)
    .orderBy("id")
    .execute();
  assert.deepEqual(
    rows.map((r) => [r.status, r.message_id]),
    outcomes.map((o) => ["processed", o.messageId]),
  );
});
