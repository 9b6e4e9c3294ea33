import assert from "node:assert/strict";
import { after, test } from "node:test";
import { pino } from "pino";
import PostalMime from "postal-mime";
import { systemActor } from "../auth/actor.ts";
import { SecretBox } from "../auth/secret-box.ts";
import { LocalFileStore } from "../files/store.ts";
import { buildWorkspace, type TestWorkspace, useTestApp } from "../test/harness.ts";
import { emailTicket, outboundRows, sendingMailbox } from "../test/outbound-fixtures.ts";
import { type SinkMta, startSinkMta } from "../test/sink-mta.ts";
import { createTicket } from "../tickets/service.ts";
import { type OutboundDeps, sendOutbound } from "./outbound.ts";
import { DEFAULT_TEMPLATES } from "./templates.ts";

const ctx = useTestApp({ PARLEY_PUBLIC_URL: "https://help.acme.test" });

const sinks: SinkMta[] = [];
after(() => Promise.all(sinks.map((s) => s.close())));
async function sink() {
  const s = await startSinkMta();
  sinks.push(s);
  return s;
}

const deps = (): OutboundDeps => ({
  db: ctx().database.db,
  box: SecretBox.fromConfig(ctx().app.config),
  fileStore: new LocalFileStore(ctx().app.config.fileStoreDir),
  relayUrl: null,
  log: pino({ level: "silent" }),
});

async function deliver(ws: TestWorkspace, mta: SinkMta, outboundId: number) {
  assert.equal(
    await sendOutbound(deps(), { workspaceId: ws.id, outboundId }, { lastAttempt: false }),
    "sent",
  );
  return PostalMime.parse(mta.accepted().at(-1)!.raw);
}

const url = (key: string) => `/api/v1/email-templates/${key}`;

test("admins read, change and reset the system mail templates", async () => {
  const ws = await buildWorkspace(ctx());
  const admin = ws.as(ws.admin);
  const list = await admin.get("/api/v1/email-templates");
  assert.equal(list.statusCode, 200, list.body);
  assert.deepEqual(
    list.json().data.map((t: { key: string; custom: boolean }) => [t.key, t.custom]),
    [
      ["ticket_received", false],
      ["agent_replied", false],
      ["ticket_solved", false],
      ["agent_replied_solved", false],
    ],
  );

  const body = {
    subject: "{{ticket.subject}} - solved",
    bodyText: "Hi {{requester.first_name}}, #{{ticket.number}} is done.",
  };
  const put = await admin.request("PUT", url("ticket_solved"), body);
  assert.equal(put.statusCode, 200, put.body);
  const saved = put.json();
  assert.equal(saved.key, "ticket_solved");
  assert.equal(saved.subject, body.subject);
  assert.equal(saved.bodyText, body.bodyText);
  assert.equal(saved.custom, true);
  assert.ok(saved.updatedAt);
  assert.ok(saved.placeholders.includes("requester.first_name"));
  assert.deepEqual((await admin.get(url("ticket_solved"))).json(), saved);

  const reset = await admin.delete(url("ticket_solved"));
  assert.equal(reset.statusCode, 200, reset.body);
  assert.equal(reset.json().custom, false);
  assert.equal(reset.json().bodyText, DEFAULT_TEMPLATES.ticket_solved.bodyText);
  assert.equal((await admin.get(url("ticket_solved"))).json().updatedAt, null);
});

test("only admins may touch templates", async () => {
  const ws = await buildWorkspace(ctx());
  const agent = ws.as(await ws.agent());
  const body = { subject: "x", bodyText: "y" };
  for (const res of [
    await agent.get("/api/v1/email-templates"),
    await agent.get(url("agent_replied")),
    await agent.request("PUT", url("agent_replied"), body),
    await agent.delete(url("agent_replied")),
  ]) {
    assert.equal(res.statusCode, 403, res.body);
    assert.equal(res.json().code, "forbidden");
  }
  const anonymous = ws.anonymous();
  assert.equal((await anonymous.get(url("agent_replied"))).statusCode, 401);
  assert.equal((await anonymous.request("PUT", url("agent_replied"), body)).statusCode, 401);
  const customer = await ws.customerSession((await ws.contact()).id);
  assert.equal((await customer.request("PUT", url("agent_replied"), body)).statusCode, 403);
});

test("a template with an unknown placeholder is refused, naming the field", async () => {
  const ws = await buildWorkspace(ctx());
  const admin = ws.as(ws.admin);
  const res = await admin.request("PUT", url("agent_replied"), {
    subject: "{{ticket.subjct}}",
    bodyText: "{{message.text}} {{ agent.password }}",
  });
  assert.equal(res.statusCode, 422, res.body);
  assert.equal(res.json().code, "validation_failed");
  assert.deepEqual(res.json().errors, [
    {
      path: "subject",
      message: "The subject uses {{ticket.subjct}}, which is not a placeholder Parley knows.",
    },
    {
      path: "bodyText",
      message: "The text uses {{agent.password}}, which is not a placeholder Parley knows.",
    },
  ]);
  assert.equal((await admin.get(url("agent_replied"))).json().custom, false, "nothing was saved");
  const withoutReply = await admin.request("PUT", url("agent_replied"), {
    subject: "x",
    bodyText: "Thanks!",
  });
  assert.equal(withoutReply.statusCode, 422);
  assert.deepEqual(withoutReply.json().errors, [
    { path: "bodyText", message: "The text must include {{message.text}}, the agent's reply." },
  ]);

  const missing = await admin.request("PUT", url("agent_replied"), { subject: "x" });
  assert.equal(missing.statusCode, 400);
  assert.deepEqual(missing.json().errors, [{ path: "body.bodyText", message: "is required" }]);
  const twoLines = await admin.request("PUT", url("agent_replied"), {
    subject: "a\r\nBcc: x@y.test",
    bodyText: "y",
  });
  assert.equal(twoLines.statusCode, 400);
  assert.equal((await admin.get(url("no_such_template"))).statusCode, 404);
  assert.equal(
    (await admin.request("PUT", url("no_such_template"), { subject: "x", bodyText: "y" })).statusCode,
    404,
  );
});

test("a preview fills the edited text with a sample ticket, saves nothing and refuses what a save would", async () => {
  const ws = await buildWorkspace(ctx());
  const admin = ws.as(ws.admin);
  const res = await admin.request("POST", `${url("ticket_received")}/preview`, {
    subject: "Got it: {{ticket.subject}}",
    bodyText: "Hi {{requester.first_name}} <3,\nsee {{portal_url}}",
  });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.json().subject, "Got it: Printer jams on page two");
  // As in sent mail: no portal yet, so the line with its link is left out.
  assert.equal(res.json().text, "Hi Casey <3,");
  assert.match(res.json().html, /Hi Casey &lt;3,/);
  assert.doesNotMatch(res.json().html, /portal/);
  assert.equal((await admin.get(url("ticket_received"))).json().custom, false, "nothing was saved");

  const unknown = await admin.request("POST", `${url("agent_replied")}/preview`, {
    subject: "x",
    bodyText: "{{message.txt}}",
  });
  assert.equal(unknown.statusCode, 422, unknown.body);
  assert.deepEqual(
    unknown.json().errors.map((e: { path: string }) => e.path),
    ["bodyText", "bodyText"],
  );
  assert.equal(
    (await admin.request("POST", `${url("nope")}/preview`, { subject: "x", bodyText: "y" })).statusCode,
    404,
  );
  const agent = ws.as(await ws.agent());
  const forbidden = await agent.request("POST", `${url("ticket_received")}/preview`, {
    subject: "x",
    bodyText: "y",
  });
  assert.equal(forbidden.statusCode, 403);
  assert.equal(
    (await ws.anonymous().request("POST", `${url("ticket_received")}/preview`, {})).statusCode,
    401,
  );
});

test("a workspace's templates are its own", async () => {
  const a = await buildWorkspace(ctx());
  const b = await buildWorkspace(ctx());
  await a.as(a.admin).request("PUT", url("agent_replied"), { subject: "A", bodyText: "A {{message.text}}" });
  const seen = (await b.as(b.admin).get(url("agent_replied"))).json();
  assert.equal(seen.custom, false);
  assert.equal(seen.bodyText, DEFAULT_TEMPLATES.agent_replied.bodyText);
});

test("an edited agent_replied template wraps every reply, escaped in the HTML part; a portal line is left out", async () => {
  const mta = await sink();
  const ws = await buildWorkspace(ctx());
  await ws.as(ws.admin).request("PUT", url("agent_replied"), {
    subject: "Update on: {{ticket.subject}}",
    bodyText:
      "Hello {{requester.first_name}},\n\n{{message.text}}\n\nFollow #{{ticket.number}} at {{portal_url}}",
  });
  const { ticket, requester } = await emailTicket(ws, mta);
  await ws.db
    .updateTable("contacts")
    .set({ name: "<Robin> & Co" })
    .where("workspace_id", "=", ws.id)
    .where("id", "=", requester.id)
    .execute();
  const posted = await ws
    .as(ws.admin)
    .post(`/api/v1/tickets/${ticket.id}/messages`, { body: "Unplug it <now>." });
  assert.equal(posted.statusCode, 201, posted.body);
  const [row] = await outboundRows(ws);
  const mail = await deliver(ws, mta, row.id);
  assert.equal(mail.subject, `Re: Update on: Printer on fire [#${ticket.number}]`);
  assert.equal(mail.text?.trim(), `Hello <Robin>,\n\nUnplug it <now>.`);
  // There is no portal yet (/portal/tickets/<id> is a 404): the line with the link is not sent.
  assert.doesNotMatch(`${mail.text}${mail.html}`, /\/portal\/|Follow #/);
  assert.match(mail.html ?? "", /Hello &lt;Robin&gt;,<br>/);
  assert.match(mail.html ?? "", /Unplug it &lt;now&gt;\./);
  assert.doesNotMatch(mail.html ?? "", /<Robin>|<now>/);
});

test("a customer who opens a ticket by email gets a receipt, unless the mailbox turns it off", async () => {
  const mta = await sink();
  const ws = await buildWorkspace(ctx());
  const { ticket, first, mailbox } = await emailTicket(ws, mta, { sendReceipt: true });
  const rows = await outboundRows(ws);
  assert.deepEqual(
    rows.map((r) => [r.kind, r.ticket_id, r.message_id]),
    [["ticket_received", ticket.id, null]],
  );
  const mail = await deliver(ws, mta, rows[0].id);
  assert.equal(mail.headers.find((h) => h.key === "auto-submitted")?.value, "auto-replied");
  assert.equal(mail.inReplyTo, first);
  assert.equal(mail.subject, `Re: Printer on fire [#${ticket.number}]`);
  assert.deepEqual(mail.from, { name: "Acme Support", address: mailbox.address });
  assert.match(mail.text ?? "", new RegExp(`received your request #${ticket.number}`));
  assert.match(mail.text ?? "", /^Hello Robin,/);
  assert.doesNotMatch(`${mail.text}${mail.html}`, /\/portal\/|follow it here/i);

  const quiet = await sendingMailbox(ws, mta, { sendReceipt: false });
  await createTicket(ws.db, systemActor(ws.id), {
    subject: "No receipt please",
    requester: { email: "quiet@customer.test" },
    channel: "email",
    comment: { body: "Hi" },
    channelMessage: { externalId: "<quiet@customer.test>", channelMeta: { mailboxId: quiet.id } },
  });
  assert.equal((await outboundRows(ws)).length, 1);
  // An agent opening an email ticket for a customer is not the customer writing in.
  await ws.ticket({ channel: "email" });
  assert.equal((await outboundRows(ws)).length, 1);
});

test("solving an email ticket mails the requester, marked auto-generated", async () => {
  const mta = await sink();
  const ws = await buildWorkspace(ctx());
  const { ticket } = await emailTicket(ws, mta);
  const current = (await ws.as(ws.admin).get(`/api/v1/tickets/${ticket.id}`)).json();
  const solved = await ws.as(ws.admin).patch(`/api/v1/tickets/${ticket.id}`, {
    status: "solved",
    version: current.version,
  });
  assert.equal(solved.statusCode, 200, solved.body);
  const rows = await outboundRows(ws);
  assert.deepEqual(
    rows.map((r) => r.kind),
    ["ticket_solved"],
  );
  const mail = await deliver(ws, mta, rows[0].id);
  assert.equal(mail.headers.find((h) => h.key === "auto-submitted")?.value, "auto-generated");
  assert.match(mail.text ?? "", new RegExp(`#${ticket.number} has been marked as solved`));

  const web = await ws.ticket();
  const solvedWeb = await ws
    .as(ws.admin)
    .patch(`/api/v1/tickets/${web.id}`, { status: "solved", version: web.version });
  assert.equal(solvedWeb.statusCode, 200, solvedWeb.body);
  assert.equal((await outboundRows(ws)).length, 1, "a web ticket's customer is not emailed");
});

test("a reply that solves the ticket is one mail: the reply, with the solved wording", async () => {
  const mta = await sink();
  const ws = await buildWorkspace(ctx());
  const { ticket } = await emailTicket(ws, mta);
  const posted = await ws.as(ws.admin).post(`/api/v1/tickets/${ticket.id}/messages`, {
    body: "Fixed the printer config.",
    status: "solved",
  });
  assert.equal(posted.statusCode, 201, posted.body);
  assert.equal(posted.json().ticket.status, "solved");
  const rows = await outboundRows(ws);
  assert.deepEqual(
    rows.map((r) => [r.kind, r.message_id]),
    [["reply", posted.json().message.id]],
  );
  const mail = await deliver(ws, mta, rows[0].id);
  assert.match(mail.text ?? "", /^Fixed the printer config\./);
  assert.match(mail.text ?? "", new RegExp(`request #${ticket.number} as solved`));
  assert.match(mail.html ?? "", /Fixed the printer config\./);
  // An agent's reply, not an automatic mail.
  assert.equal(
    mail.headers.find((h) => h.key === "auto-submitted"),
    undefined,
  );

  // Edited like the others; a reply that only answers keeps agent_replied.
  const edited = await ws.as(ws.admin).request("PUT", url("agent_replied_solved"), {
    subject: "{{ticket.subject}}",
    bodyText: "{{message.text}}\n\n(closed as #{{ticket.number}} is {{ticket.status}})",
  });
  assert.equal(edited.statusCode, 200, edited.body);
  const again = await emailTicket(ws, mta);
  await ws.as(ws.admin).post(`/api/v1/tickets/${again.ticket.id}/messages`, { body: "First." });
  await ws
    .as(ws.admin)
    .post(`/api/v1/tickets/${again.ticket.id}/messages`, { body: "Done.", status: "solved" });
  const texts = (await outboundRows(ws))
    .filter((r) => r.ticket_id === again.ticket.id)
    .map((r) => r.body_text);
  assert.equal(texts.length, 2);
  assert.doesNotMatch(texts[0], /closed as/);
  assert.ok(texts[1].startsWith(`Done.\n\n(closed as #${again.ticket.number} is solved)`), texts[1]);
});
