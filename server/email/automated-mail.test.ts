import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { buildWorkspace, type TestWorkspace, useTestApp } from "../test/harness.ts";
import { createMailbox, deliver, type Mailbox, messagesOf, ticketOf, upload } from "../test/mail.ts";

// Mail a machine wrote on its own (monitoring alerts, ITSM notifications, bulk mail) opens tickets
// marked automated that Parley never answers automatically, unless the mailbox drops it; bounces
// and auto-replies keep their loop-safe handling. Fixtures are real-world shapes, byte for byte.

const storeDir = mkdtempSync(join(tmpdir(), "parley-automated-"));
after(() => rmSync(storeDir, { recursive: true, force: true }));
const ctx = useTestApp({ PARLEY_FILE_STORE_DIR: storeDir });

const fixture = (name: string) => readFileSync(join(import.meta.dirname, "fixtures", name));

async function uploaded(ws: TestWorkspace, mailbox: Mailbox, raw: Buffer) {
  const res = await upload(ws.as(ws.admin), mailbox.id, raw);
  assert.equal(res.statusCode, 202, res.body);
  return ws.db
    .selectFrom("inbound_emails")
    .select(["id", "status", "reason", "ticket_id", "message_id"])
    .where("workspace_id", "=", ws.id)
    .where("id", "=", res.json().id)
    .executeTakeFirstOrThrow();
}

// Every mail Parley queued on the workspace's tickets: receipts, solved notices, replies.
const outbound = (ws: TestWorkspace) =>
  ws.db
    .selectFrom("outbound_emails")
    .select(["kind", "ticket_id"])
    .where("workspace_id", "=", ws.id)
    .orderBy("id")
    .execute();

test("a monitoring alert (Auto-Submitted: auto-generated) is a ticket marked automated, with no receipt", async () => {
  const ws = await buildWorkspace(ctx());
  const mailbox = await createMailbox(ws);
  const alert = await uploaded(ws, mailbox, fixture("automated-monitoring-alert.eml"));
  assert.equal(alert.status, "processed", alert.reason ?? "");
  const ticket = await ticketOf(ws, alert.ticket_id!);
  assert.equal(ticket.subject, "Problem: Disk space is critically low on db-02 (used > 95%)");
  assert.deepEqual((ticket as unknown as { tags: string[] }).tags, ["automated"]);
  const [message] = await messagesOf(ws, ticket.id);
  assert.equal(
    (message.email as { automated?: string | null } | null)?.automated,
    "auto-submitted: auto-generated",
  );
  assert.deepEqual(await outbound(ws), [], "no receipt for a machine's mail");

  // Solving it sends no "ticket solved" notice either; an agent's reply still goes out.
  const solved = await ws
    .as(ws.admin)
    .patch(`/api/v1/tickets/${ticket.id}`, { status: "solved", version: ticket.version });
  assert.equal(solved.statusCode, 200, solved.body);
  assert.deepEqual(await outbound(ws), []);
  const reply = await ws
    .as(ws.admin)
    .post(`/api/v1/tickets/${ticket.id}/messages`, { body: "Disk cleaned up, alert resolved." });
  assert.equal(reply.statusCode, 201, reply.body);
  assert.deepEqual(
    (await outbound(ws)).map((o) => o.kind),
    ["reply"],
  );
});

test("a Precedence: bulk ITSM notification is a ticket marked automated; a person's mail gets its receipt", async () => {
  const ws = await buildWorkspace(ctx());
  const mailbox = await createMailbox(ws);
  const notice = await uploaded(ws, mailbox, fixture("precedence-bulk-notification.eml"));
  assert.equal(notice.status, "processed", notice.reason ?? "");
  const [message] = await messagesOf(ws, notice.ticket_id!);
  assert.equal((message.email as { automated?: string | null } | null)?.automated, "precedence: bulk");
  const person = await deliver(ws, mailbox, { from: "robin@customer.test", subject: "VPN help" });
  assert.equal(person.status, "processed");
  const [personal] = await messagesOf(ws, person.ticket_id!);
  assert.equal((personal.email as { automated?: string | null } | null)?.automated, null);
  assert.deepEqual(await outbound(ws), [{ kind: "ticket_received", ticket_id: person.ticket_id }]);
});

test("with automatedMail: ignore the mailbox drops machine mail, and Mail problems shows why", async () => {
  const ws = await buildWorkspace(ctx());
  const mailbox = await createMailbox(ws, { settings: { automatedMail: "ignore" } });
  assert.equal(
    (await ws.as(ws.admin).get(`/api/v1/mailboxes/${mailbox.id}`)).json().settings.automatedMail,
    "ignore",
  );
  const alert = await uploaded(ws, mailbox, fixture("automated-monitoring-alert.eml"));
  const notice = await uploaded(ws, mailbox, fixture("precedence-bulk-notification.eml"));
  assert.deepEqual(
    [alert.status, alert.reason, alert.ticket_id],
    ["ignored", "automated mail: auto-submitted: auto-generated", null],
  );
  assert.deepEqual([notice.status, notice.reason], ["ignored", "automated mail: precedence: bulk"]);
  // A person's mail is a ticket as ever.
  assert.equal((await deliver(ws, mailbox, { from: "robin@customer.test" })).status, "processed");

  const problems = await ws.as(ws.admin).get("/api/v1/inbound-emails?status=ignored");
  assert.equal(problems.statusCode, 200, problems.body);
  assert.deepEqual(
    problems
      .json()
      .data.map((m: { id: number; reason: string; subject: string }) => [m.id, m.reason, m.subject]),
    [
      [notice.id, notice.reason, "INC0012345 has been assigned to your group: VPN drops every 10 minutes"],
      [alert.id, alert.reason, "Problem: Disk space is critically low on db-02 (used > 95%)"],
    ],
  );
  const tickets = await ws.db.selectFrom("tickets").select("id").where("workspace_id", "=", ws.id).execute();
  assert.equal(tickets.length, 1);
});

test("the automatedMail setting takes only ticket or ignore", async () => {
  const ws = await buildWorkspace(ctx());
  const mailbox = await createMailbox(ws);
  assert.equal(
    (await ws.as(ws.admin).get(`/api/v1/mailboxes/${mailbox.id}`)).json().settings.automatedMail,
    "ticket",
  );
  const bad = await ws
    .as(ws.admin)
    .patch(`/api/v1/mailboxes/${mailbox.id}`, { settings: { automatedMail: "drop" } });
  assert.equal(bad.statusCode, 400, bad.body);
  assert.equal(bad.json().code, "validation_failed");
  assert.ok(
    bad.json().errors.some((e: { path: string }) => e.path.includes("automatedMail")),
    bad.body,
  );
  const agent = await ws.agent();
  const denied = await ws
    .as(agent)
    .patch(`/api/v1/mailboxes/${mailbox.id}`, { settings: { automatedMail: "ignore" } });
  assert.equal(denied.statusCode, 403);
  const ok = await ws
    .as(ws.admin)
    .patch(`/api/v1/mailboxes/${mailbox.id}`, { settings: { automatedMail: "ignore" } });
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal(ok.json().settings.automatedMail, "ignore");
});

test("auto-replies and bounces keep their loop-safe handling whatever the setting", async () => {
  const ws = await buildWorkspace(ctx());
  const mailbox = await createMailbox(ws);
  const outOfOffice = await deliver(ws, mailbox, {
    from: "robin@customer.test",
    subject: "Automatic reply: Your ticket",
    headers: { "Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All" },
  });
  assert.deepEqual(
    [outOfOffice.status, outOfOffice.reason],
    ["ignored", "auto-reply: auto-submitted: auto-replied"],
  );
  // vacation(1) marks its replies Precedence: bulk; some servers mark theirs auto-generated.
  const vacation = await deliver(ws, mailbox, {
    from: "kim@customer.test",
    subject: "Out of office until Monday",
    headers: { Precedence: "bulk" },
  });
  assert.deepEqual([vacation.status, vacation.reason], ["ignored", "auto-reply: precedence: bulk"]);
  const generated = await deliver(ws, mailbox, {
    from: "kim@customer.test",
    subject: "Automatische Antwort: Rechnung",
    headers: { "Auto-Submitted": "auto-generated" },
  });
  assert.equal(generated.status, "ignored");
  const autoresponder = await deliver(ws, mailbox, {
    from: "sales@vendor.test",
    subject: "Thanks for your mail",
    headers: { "X-Autoreply": "yes", Precedence: "bulk" },
  });
  assert.equal(autoresponder.status, "ignored");
  const bounce = await deliver(ws, mailbox, {
    from: "MAILER-DAEMON@mx.customer.test",
    subject: "Undelivered Mail Returned to Sender",
    headers: {
      "Return-Path": "<>",
      "Auto-Submitted": "auto-generated",
      "X-Failed-Recipients": "gone@customer.test",
    },
  });
  assert.equal(bounce.status, "ignored");
  assert.match(bounce.reason ?? "", /^bounce/);
  const tickets = await ws.db.selectFrom("tickets").select("id").where("workspace_id", "=", ws.id).execute();
  assert.deepEqual(tickets, []);
  assert.deepEqual(await outbound(ws), []);
});

test("list mail is automated unless the mailbox takes list mail as normal", async () => {
  const ws = await buildWorkspace(ctx());
  const mailbox = await createMailbox(ws);
  const viaList = {
    from: "Robin Customer <robin@customer.test>",
    headers: { "List-Id": "<support.acme.example>", Precedence: "list" },
  };
  const automated = await deliver(ws, mailbox, viaList);
  assert.equal(automated.status, "processed");
  const [message] = await messagesOf(ws, automated.ticket_id!);
  assert.equal((message.email as { automated?: string | null } | null)?.automated, "precedence: list");
  await ws.as(ws.admin).patch(`/api/v1/mailboxes/${mailbox.id}`, { settings: { acceptListMail: true } });
  const normal = await deliver(ws, mailbox, { ...viaList, subject: "Another one" });
  const [plain] = await messagesOf(ws, normal.ticket_id!);
  assert.equal((plain.email as { automated?: string | null } | null)?.automated, null);
});

test("a merge tells the people, never the monitoring system", async () => {
  const ws = await buildWorkspace(ctx());
  const mailbox = await createMailbox(ws, { settings: { sendReceipt: false } });
  const notices = async () => {
    const rows = await ws.db
      .selectFrom("outbound_emails")
      .select("recipients")
      .where("workspace_id", "=", ws.id)
      .where("kind", "=", "merge_notice")
      .orderBy("id")
      .execute();
    return rows.map((r) => JSON.stringify(r.recipients));
  };
  const merge = async (source: number, target: number) => {
    const res = await ws.as(ws.admin).post(`/api/v1/tickets/${source}/merge`, { targetId: target });
    assert.ok(res.statusCode < 300, res.body);
  };
  const raw = fixture("automated-monitoring-alert.eml").toString("latin1");
  const anotherAlert = Buffer.from(
    raw.replace("db-02", "db-03").replace("<20261207031208.3f9a1c@", "<20261207031309.4a0b2d@"),
    "latin1",
  );

  // Two alerts of one monitoring system merged: it is told nothing.
  const first = await uploaded(ws, mailbox, fixture("automated-monitoring-alert.eml"));
  const second = await uploaded(ws, mailbox, anotherAlert);
  await merge(second.ticket_id!, first.ticket_id!);
  assert.deepEqual(await notices(), []);

  // A person's ticket merged into an ITSM notification's: the person is told, the tool is not.
  const notice = await uploaded(ws, mailbox, fixture("precedence-bulk-notification.eml"));
  const kim = await deliver(ws, mailbox, { from: "kim@customer.test", subject: "VPN drops" });
  await merge(kim.ticket_id!, notice.ticket_id!);
  const told = await notices();
  assert.equal(told.length, 1, told.join("\n"));
  assert.match(told[0], /kim@customer\.test/);
  assert.doesNotMatch(told[0], /it-service@customer\.example/);

  // The same for two mails of one person: they are told, once.
  const a = await deliver(ws, mailbox, { from: "robin@customer.test", subject: "db-02 is down" });
  const b = await deliver(ws, mailbox, { from: "robin@customer.test", subject: "db-02 still down" });
  await merge(b.ticket_id!, a.ticket_id!);
  const after = (await notices()).slice(1);
  assert.equal(after.length, 1, after.join("\n"));
  assert.match(after[0], /robin@customer\.test/);
});
