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
