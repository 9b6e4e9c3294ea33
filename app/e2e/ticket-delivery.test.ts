import assert from "node:assert/strict";
import { after, test } from "node:test";
import type { Page } from "playwright-core";
import { type SinkMta, startSinkMta } from "../../server/test/sink-mta.ts";
import { AGENT_PASSWORD, expectCount, useE2e } from "./harness.ts";

// A reply the customer's mail server refused, sent again from the thread. The receiving server is
// a real SMTP server (smtp-server) on loopback: it refuses the first mail it is offered with 550,
// the answer that fails a mail at once, and takes every one after that.
const e2e = useE2e();

const sinks: SinkMta[] = [];
after(() => Promise.all(sinks.map((s) => s.close())));

async function refusingOnce() {
  const mta = await startSinkMta({ dataReplies: [550] });
  sinks.push(mta);
  return mta;
}

const mail = (to: string, subject: string, id: string) =>
  [
    "From: Robin Requester <robin@customer.test>",
    `To: ${to}`,
    `Subject: ${subject}`,
    `Message-ID: <${id}@customer.test>`,
    "Date: Mon, 23 Nov 2026 10:00:00 +0000",
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "",
    "My order never arrived.",
    "",
  ].join("\r\n");

// A mailbox that sends through the sink; its receipts are off, so the agent's reply is the first
// mail the sink is offered.
async function mailboxSendingTo(mta: SinkMta, address: string) {
  return e2e().api.post<{ id: number }>("/api/v1/mailboxes", {
    name: "Support",
    address,
    inbound: "upload",
    smtp: { host: "127.0.0.1", port: mta.port, secure: false },
    settings: { sendReceipt: false },
  });
}

const uploadMail = (mailboxId: number, raw: string) => e2e().api.uploadMail(mailboxId, raw);

// The mail arrives while the agent watches the open view, the agent opens its ticket and replies,
// and the sink refuses the reply: the line under it says so, live.
async function replyRefused(page: Page, mailboxId: number, subject: string, id: string, to: string) {
  await page.getByRole("link", { name: /^All open/ }).click();
  await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
  await uploadMail(mailboxId, mail(to, subject, id));
  await page.getByRole("table").getByRole("link", { name: subject }).click();
  await page.getByRole("textbox", { name: "Reply" }).fill("A new parcel left today.");
  await page.getByRole("button", { name: "Send reply" }).click();
  const reply = page.getByRole("article", { name: /^Reply by/ }).filter({ hasText: "A new parcel" });
  await reply.getByText(/^Email: Not delivered \(550 .*message refused\)$/).waitFor();
  return reply;
}

const messageIdOf = (raw: Buffer) => /^Message-ID:\s*(<[^>]+>)/im.exec(raw.toString("utf8"))?.[1];

test("an agent sends a refused reply again from the thread and sees it sent", async () => {
  const { api, newAgentPage } = e2e();
  const mta = await refusingOnce();
  const mailbox = await mailboxSendingTo(mta, "orders@e2e.test");
  await api.createAgent("Ada Agent", "ada@delivery.e2e.test");
  const { context, page } = await newAgentPage("ada@delivery.e2e.test", AGENT_PASSWORD);
  const reply = await replyRefused(page, mailbox.id, "Parcel missing", "parcel-1", "orders@e2e.test");
  assert.equal(mta.offered.length, 1);
  assert.equal(mta.offered[0].answered, 550);
  assert.equal(mta.accepted().length, 0);

  await reply.getByRole("button", { name: "Send again" }).click();
  // Queued, then sending, then sent: the send job's event refetches the thread live.
  await reply.getByText(/^Email: Sent/).waitFor();
  await expectCount(reply.getByRole("button", { name: "Send again" }), 0);
  await expectCount(reply.getByRole("alert"), 0);
  // The same mail went out: one accepted, with the Message-ID of the refused one.
  const [sent] = mta.accepted();
  assert.ok(sent, "the sink took the mail sent again");
  assert.equal(mta.offered.length, 2);
  assert.match(sent.raw.toString("utf8"), /A new parcel left today\./);
  assert.equal(messageIdOf(sent.raw), messageIdOf(mta.offered[0].raw));
  assert.deepEqual(sent.rcptTo, ["robin@customer.test"]);
  await context.close();
});

test("light agents get no Send again; a refused retry says why beside the button", async () => {
  const { api, newAgentPage } = e2e();
  const mta = await refusingOnce();
  const mailbox = await mailboxSendingTo(mta, "returns@e2e.test");
  const bo = await api.createAgent("Bo Agent", "bo@delivery.e2e.test");
  await api.createAgent("Lee Light", "lee@delivery.e2e.test", { role: "light_agent" });
  const agent = await newAgentPage("bo@delivery.e2e.test", AGENT_PASSWORD);
  const reply = await replyRefused(agent.page, mailbox.id, "Wrong size", "size-1", "returns@e2e.test");
  const sendAgain = reply.getByRole("button", { name: "Send again" });
  await sendAgain.waitFor();

  // A light agent reads the failure but may not send the mail again (the API refuses them).
  const light = await newAgentPage("lee@delivery.e2e.test", AGENT_PASSWORD);
  await light.page.goto(agent.page.url());
  const seen = light.page.getByRole("article", { name: /^Reply by/ }).filter({ hasText: "A new parcel" });
  await seen.getByText(/^Email: Not delivered/).waitFor();
  await expectCount(seen.getByRole("button", { name: "Send again" }), 0);
  await light.context.close();

  // Bo is made a light agent while the page is open: the button is still there, the server
  // refuses, and the page says so beside it instead of pretending the mail went out.
  await api.patch(`/api/v1/users/${bo.id}`, { role: "light_agent" });
  await sendAgain.click();
  await reply.getByRole("alert").filter({ hasText: "You are not allowed to do this." }).waitFor();
  await reply.getByText(/^Email: Not delivered/).waitFor();
  assert.equal(mta.offered.length, 1, "nothing was sent again");
  await agent.context.close();
});
