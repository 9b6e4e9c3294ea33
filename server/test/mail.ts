import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import type { Client, TestWorkspace } from "./harness.ts";

// Raw RFC 822 mails for tests of the email channel, built the way mail clients write them.

export interface TestAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
  contentId?: string;
}

export interface TestMail {
  from: string;
  to?: string;
  cc?: string;
  replyTo?: string;
  subject?: string;
  messageId?: string | null;
  inReplyTo?: string;
  references?: string;
  headers?: Record<string, string>;
  text?: string;
  html?: string;
  attachments?: TestAttachment[];
}

export const newMessageId = (host = "customer.test") => `<${randomBytes(8).toString("hex")}@${host}>`;

const wrap64 = (b: Buffer) => (b.toString("base64").match(/.{1,76}/g) ?? []).join("\r\n");

export function rawMail(m: TestMail): Buffer {
  const head: string[] = [`From: ${m.from}`, `To: ${m.to ?? "support@help.test"}`];
  if (m.cc) head.push(`Cc: ${m.cc}`);
  if (m.replyTo) head.push(`Reply-To: ${m.replyTo}`);
  head.push(`Subject: ${m.subject ?? "Printer on fire"}`, "Date: Mon, 23 Nov 2026 10:00:00 +0000");
  if (m.messageId !== null) head.push(`Message-ID: ${m.messageId ?? newMessageId()}`);
  if (m.inReplyTo) head.push(`In-Reply-To: ${m.inReplyTo}`);
  if (m.references) head.push(`References: ${m.references}`);
  for (const [k, v] of Object.entries(m.headers ?? {})) head.push(`${k}: ${v}`);
  head.push("MIME-Version: 1.0");
  const text = m.text ?? "It is on fire.";
  if (!m.html && !m.attachments?.length) {
    head.push("Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit");
    return Buffer.from(`${head.join("\r\n")}\r\n\r\n${text.replace(/\n/g, "\r\n")}\r\n`);
  }
  const boundary = `b-${randomBytes(6).toString("hex")}`;
  head.push(`Content-Type: multipart/mixed; boundary="${boundary}"`);
  const parts: string[] = [];
  parts.push(`Content-Type: text/plain; charset=utf-8\r\n\r\n${text.replace(/\n/g, "\r\n")}`);
  if (m.html) parts.push(`Content-Type: text/html; charset=utf-8\r\n\r\n${m.html}`);
  for (const a of m.attachments ?? []) {
    const disposition = a.contentId ? "inline" : "attachment";
    const cid = a.contentId ? `Content-ID: <${a.contentId}>\r\n` : "";
    parts.push(
      `Content-Type: ${a.contentType}; name="${a.filename}"\r\nContent-Transfer-Encoding: base64\r\n${cid}` +
        `Content-Disposition: ${disposition}; filename="${a.filename}"\r\n\r\n${wrap64(a.content)}`,
    );
  }
  const body = `${parts.map((p) => `--${boundary}\r\n${p}\r\n`).join("")}--${boundary}--\r\n`;
  return Buffer.from(`${head.join("\r\n")}\r\n\r\n${body}`);
}

let counter = 0;
export const mailboxAddress = () =>
  `support-${process.pid}-${Date.now().toString(36)}-${++counter}@help.test`;

export async function createMailbox(ws: TestWorkspace, body: Record<string, unknown> = {}) {
  const res = await ws.as(ws.admin).post("/api/v1/mailboxes", {
    name: "Support",
    address: mailboxAddress(),
    inbound: "upload",
    ...body,
  });
  if (res.statusCode !== 201) throw new Error(`mailbox fixture failed: ${res.statusCode} ${res.body}`);
  return res.json() as { id: number; address: string; groupId: number | null };
}

export function upload(client: Client, mailboxId: number, raw: Buffer) {
  return client.request("POST", `/api/v1/mailboxes/${mailboxId}/inbound`, raw, {
    "content-type": "message/rfc822",
  });
}

export type Mailbox = Awaited<ReturnType<typeof createMailbox>>;

// Uploads a mail into the mailbox and returns what became of the stored copy.
export async function deliver(ws: TestWorkspace, mailbox: Mailbox, mail: TestMail) {
  const res = await upload(ws.as(ws.admin), mailbox.id, rawMail({ to: mailbox.address, ...mail }));
  assert.equal(res.statusCode, 202, res.body);
  const row = await ws.db
    .selectFrom("inbound_emails")
    .select(["status", "reason", "ticket_id", "message_id", "attempts"])
    .where("workspace_id", "=", ws.id)
    .where("id", "=", res.json().id)
    .executeTakeFirstOrThrow();
  return { ...row, id: res.json().id as number, response: res.json() };
}

export async function messagesOf(ws: TestWorkspace, ticketId: number) {
  const res = await ws.as(ws.admin).get(`/api/v1/tickets/${ticketId}/messages`);
  assert.equal(res.statusCode, 200, res.body);
  return res.json().data as {
    id: number;
    body: string;
    html: string | null;
    author: { id: number };
    email: {
      from: { address: string; name: string } | null;
      quotedText: string;
      flagged: string | null;
    } | null;
  }[];
}

export async function ticketOf(ws: TestWorkspace, ticketId: number) {
  const res = await ws.as(ws.admin).get(`/api/v1/tickets/${ticketId}`);
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as {
    id: number;
    number: number;
    subject: string;
    status: string;
    channel: string;
    groupId: number | null;
    requesterId: number;
    version: number;
    followUpOfId?: number | null;
  };
}

export async function channelMeta(ws: TestWorkspace, messageId: number) {
  const row = await ws.db
    .selectFrom("messages")
    .select(["channel", "channel_meta", "external_id"])
    .where("workspace_id", "=", ws.id)
    .where("id", "=", messageId)
    .executeTakeFirstOrThrow();
  return row;
}
