import assert from "node:assert/strict";
import { test } from "node:test";
import { parseEmail } from "./parse.ts";

const mail = (...lines: string[]) => Buffer.from(lines.join("\r\n"), "latin1");
const utf8Mail = (...lines: string[]) =>
  Buffer.from(["Content-Type: text/plain; charset=utf-8", ...lines].join("\r\n"), "utf8");

test("decodes ISO-2022-JP, KOI8-R and windows-1252 encoded words and bodies", async () => {
  const parsed = await parseEmail(
    mail(
      "From: =?KOI8-R?B?6dfBziDwxdTSz9c=?= <ivan@example.ru>",
      "To: support@example.com",
      "Subject: =?ISO-2022-JP?B?GyRCJDMkcyRLJEEkTyEiQCQzJhsoQg==?= =?windows-1252?Q?Caf=E9_=96_=84Angebot=93_=80?=",
      "Message-ID: <jp-1@example.jp>",
      "Content-Type: text/plain; charset=ISO-2022-JP",
      "Content-Transfer-Encoding: base64",
      "",
      "GyRCJCpMZCQkOWckbyQ7JCIkaiQsJEgkJiQ0JDYkJCReJDkhIxsoQg==",
      "",
    ),
  );
  assert.equal(parsed.from?.name, "Иван Петров");
  assert.equal(parsed.from?.address, "ivan@example.ru");
  assert.equal(parsed.subject, "こんにちは、世界Café – „Angebot“ €");
  assert.equal(parsed.text.trim(), "お問い合わせありがとうございます。");
  assert.equal(parsed.messageId, "<jp-1@example.jp>");
  assert.equal(parsed.html, null);
});

test("decodes a KOI8-R quoted-printable body", async () => {
  const parsed = await parseEmail(
    mail(
      "From: a@example.ru",
      "Subject: test",
      "Content-Type: text/plain; charset=koi8-r",
      "Content-Transfer-Encoding: quoted-printable",
      "",
      "=FA=C4=D2=C1=D7=D3=D4=D7=D5=CA=D4=C5",
    ),
  );
  assert.equal(parsed.text.trim(), "Здравствуйте");
});

const ALTERNATIVE = mail(
  "From: Jane Doe <jane@example.com>",
  "To: Support <support@example.com>, bob@example.com",
  "Cc: Team: carol@example.com, dave@example.com;",
  "Reply-To: replies@example.com",
  "Subject: Printer on fire",
  "Date: Mon, 23 Nov 2026 10:00:00 +0100",
  "Message-ID: <alt-1@example.com>",
  "In-Reply-To: parley.1.7.abc@support.example.com",
  "References: <a@x> <b@y>\r\n <parley.1.7.abc@support.example.com>",
  "MIME-Version: 1.0",
  'Content-Type: multipart/alternative; boundary="alt"',
  "",
  "--alt",
  "Content-Type: text/plain; charset=utf-8",
  "",
  "The printer is on fire.",
  "--alt",
  'Content-Type: multipart/related; boundary="rel"',
  "",
  "--rel",
  "Content-Type: text/html; charset=utf-8",
  "",
  '<html><head><style>p{color:red}</style><script>alert(1)</script></head><body onload="x()">',
  '<p onclick="steal()" style="color: #333; background-image: url(http://t.example/x)">The printer is <b>on fire</b>.</p>',
  '<img src="https://tracker.example/pixel.gif" width="1"><img src="cid:logo@example.com" alt="logo">',
  '<a href="https://example.com/help">help</a> <a href="javascript:alert(1)">bad</a>',
  '<iframe src="https://evil.example"></iframe><form action="https://evil.example"><input name="q"></form>',
  "</body></html>",
  "--rel",
  "Content-Type: image/png",
  "Content-ID: <logo@example.com>",
  "Content-Transfer-Encoding: base64",
  "",
  "iVBORw0KGgo=",
  "--rel--",
  "--alt--",
  "",
);

test("reads addresses, threading headers and dates", async () => {
  const parsed = await parseEmail(ALTERNATIVE);
  assert.deepEqual(parsed.from, { address: "jane@example.com", name: "Jane Doe" });
  assert.deepEqual(
    parsed.to.map((a) => a.address),
    ["support@example.com", "bob@example.com"],
  );
  assert.deepEqual(
    parsed.cc.map((a) => a.address),
    ["carol@example.com", "dave@example.com"],
  );
  assert.deepEqual(parsed.replyTo, [{ address: "replies@example.com", name: "" }]);
  assert.deepEqual(parsed.inReplyTo, ["<parley.1.7.abc@support.example.com>"]);
  assert.deepEqual(parsed.references, ["<a@x>", "<b@y>", "<parley.1.7.abc@support.example.com>"]);
  assert.equal(parsed.date?.toISOString(), "2026-11-23T09:00:00.000Z");
  assert.deepEqual(parsed.headers.subject, ["Printer on fire"]);
  assert.equal(parsed.text.trim(), "The printer is on fire.");
});

test("sanitizes HTML: no scripts, handlers, frames, forms or remote loads; cid images kept", async () => {
  const { html, attachments } = await parseEmail(ALTERNATIVE);
  assert.ok(html);
  for (const banned of [
    "<script",
    "alert(1)",
    "onload",
    "onclick",
    "<iframe",
    "<form",
    "<input",
    "<style",
    "url(",
    "javascript:",
  ]) {
    assert.ok(!html.includes(banned), `html still contains ${banned}: ${html}`);
  }
  assert.match(html, /<b>on fire<\/b>/);
  assert.match(html, /style="color:#333"/);
  assert.match(html, /<img width="1" data-remote-src="https:\/\/tracker\.example\/pixel\.gif" \/>/);
  assert.ok(!/\ssrc="https?:/.test(html), "no image loads from the network");
  assert.match(html, /<img alt="logo" src="cid:logo@example\.com" \/>/);
  assert.match(
    html,
    /<a href="https:\/\/example\.com\/help" target="_blank" rel="noopener noreferrer">help<\/a>/,
  );
  assert.deepEqual(
    attachments.map((a) => [a.filename, a.contentType, a.contentId, a.inline]),
    [["logo.png", "image/png", "logo@example.com", true]],
  );
});

test("derives plain text from HTML when there is no text part", async () => {
  const parsed = await parseEmail(
    mail(
      "From: a@example.com",
      "Subject: html only",
      "Content-Type: text/html; charset=utf-8",
      "",
      "<div>Hi there,</div><p>Line <b>two</b> &amp; <a href='https://x.example/'>a link</a></p>",
      "<ul><li>one</li><li>two</li></ul>",
      "<div class=gmail_quote>On Mon, Bob wrote:<blockquote>old text</blockquote></div>",
    ),
  );
  assert.match(parsed.text, /Hi there,\n+Line two & a link <https:\/\/x\.example\/>/);
  assert.match(parsed.text, /\* one\n \* two/);
  assert.match(parsed.text, /> old text/);
  assert.equal(parsed.reply.newText.includes("old text"), false);
  assert.match(parsed.reply.quotedText, /On Mon, Bob wrote:\n+> old text/);
});

test("reads RFC 2231 and encoded-word attachment names, keeping only the base name", async () => {
  const parsed = await parseEmail(
    mail(
      "From: a@example.com",
      "Subject: files",
      'Content-Type: multipart/mixed; boundary="b"',
      "",
      "--b",
      "Content-Type: text/plain",
      "",
      "see attached",
      "--b",
      "Content-Type: application/pdf",
      "Content-Disposition: attachment; filename*=UTF-8''Rechnung%20M%C3%A4rz.pdf",
      "Content-Transfer-Encoding: base64",
      "",
      "JVBERi0xLjQK",
      "--b",
      "Content-Type: text/plain; name*0*=iso-8859-1''Gr%FC%DFe; name*1=\".txt\"",
      "Content-Disposition: attachment",
      "",
      "hello",
      "--b",
      'Content-Type: application/octet-stream; name="=?UTF-8?B?Li4vLi4vZXRjL3Bhc3N3ZA==?="',
      "Content-Disposition: attachment",
      "",
      "x",
      "--b--",
    ),
  );
  assert.deepEqual(
    parsed.attachments.map((a) => [a.filename, a.contentType, a.inline, a.content.byteLength]),
    [
      ["Rechnung März.pdf", "application/pdf", false, 9],
      ["Grüße.txt", "text/plain", false, 6],
      ["passwd", "application/octet-stream", false, 2],
    ],
  );
  assert.equal(Buffer.from(parsed.attachments[0].content).toString("latin1"), "%PDF-1.4\n");
});

test("never throws on malformed input", async () => {
  const cases = [
    Buffer.alloc(0),
    Buffer.from("just some text, no headers at all"),
    mail("From: <<<@@@>>>", "Date: not a date", "Subject: =?utf-8?B?broken", "", "body"),
    mail(
      "Content-Type: multipart/mixed; boundary=x",
      "",
      "--x",
      "Content-Type: text/plain",
      "",
      "unterminated",
    ),
    mail("Content-Type: multipart/mixed", "", "no boundary parameter"),
    mail("Content-Transfer-Encoding: base64", "", "!!!not base64!!!"),
    Buffer.from([0xff, 0xfe, 0x00, 0x0a, 0x0a, 0xc3, 0x28]),
  ];
  for (const raw of cases) {
    const parsed = await parseEmail(raw);
    assert.equal(typeof parsed.text, "string");
    assert.ok(Array.isArray(parsed.attachments));
  }
  const broken = await parseEmail(cases[2]);
  assert.equal(broken.date, null);
  assert.equal(broken.subject, "=?utf-8?B?broken");
  const unterminated = await parseEmail(cases[3]);
  assert.equal(unterminated.text.trim(), "unterminated");
});

test("separates the new text, the quoted history and the signature without losing a line", async () => {
  const body = [
    "Thanks, that worked.",
    "    indented code stays indented  ",
    "Jane",
    "",
    "-- ",
    "Jane Doe",
    "ACME Corp",
    "",
    "On Mon, Nov 23, 2026 at 10:00 AM Support <support@example.com> wrote:",
    "> Have you tried turning it off",
    "> and on again?",
  ].join("\n");
  const parsed = await parseEmail(mail("From: jane@example.com", "Subject: Re: help", "", body));
  assert.equal(parsed.reply.newText, "Thanks, that worked.\n    indented code stays indented  \nJane");
  assert.equal(parsed.reply.signature, "-- \nJane Doe\nACME Corp");
  assert.match(parsed.reply.quotedText, /^On Mon, Nov 23, 2026 .* wrote:\n> Have you tried/);
  const covered = [parsed.reply.newText, parsed.reply.signature, parsed.reply.quotedText].join("\n");
  for (const line of body.split("\n").filter((l) => l.trim())) assert.ok(covered.includes(line), line);
});

test("parses a delivery status notification into a bounce", async () => {
  const parsed = await parseEmail(
    mail(
      "From: Mail Delivery System <MAILER-DAEMON@mx.example.net>",
      "Return-Path: <>",
      "To: support@example.com",
      "Subject: Undelivered Mail Returned to Sender",
      'Content-Type: multipart/report; report-type=delivery-status; boundary="r"',
      "",
      "--r",
      "Content-Type: text/plain",
      "",
      "Your message could not be delivered.",
      "--r",
      "Content-Type: message/delivery-status",
      "",
      "Reporting-MTA: dns; mx.example.net",
      "Arrival-Date: Mon, 23 Nov 2026 10:00:00 +0000",
      "",
      "Final-Recipient: rfc822; gone@customer.example",
      "Original-Recipient: rfc822;gone@customer.example",
      "Action: failed",
      "Status: 5.1.1",
      "Diagnostic-Code: smtp; 550 5.1.1 user unknown",
      "--r",
      "Content-Type: text/rfc822-headers",
      "",
      "From: support@example.com",
      "To: gone@customer.example",
      "Message-ID: <parley.1.42.xyz@support.example.com>",
      "Subject: [#42] Your ticket",
      "--r--",
    ),
  );
  assert.deepEqual(parsed.auto, {
    isAutoReply: false,
    isBounce: true,
    reason: "delivery-status report",
    bounce: {
      originalMessageId: "<parley.1.42.xyz@support.example.com>",
      recipient: "gone@customer.example",
      status: "5.1.1",
      action: "failed",
    },
  });
});

test("a delayed-delivery report is automatic but not a bounce", async () => {
  const parsed = await parseEmail(
    mail(
      "From: postmaster@mx.example.net",
      'Content-Type: multipart/report; report-type=delivery-status; boundary="r"',
      "",
      "--r",
      "Content-Type: message/delivery-status",
      "",
      "Reporting-MTA: dns; mx.example.net",
      "",
      "Final-Recipient: rfc822; slow@customer.example",
      "Action: delayed",
      "Status: 4.4.7",
      "--r--",
    ),
  );
  assert.equal(parsed.auto.isBounce, false);
  assert.equal(parsed.auto.isAutoReply, true);
  assert.equal(parsed.auto.bounce?.action, "delayed");
});

test("a mailer-daemon message with a null sender is a bounce even without a report", async () => {
  const parsed = await parseEmail(
    mail(
      "From: MAILER-DAEMON@old.example",
      "Return-Path: <>",
      "Subject: failure notice",
      "",
      "Sorry, we were unable to deliver your message.",
      "--- Below this line is a copy of the message.",
      "Message-ID: <parley.1.9.q@support.example.com>",
    ),
  );
  assert.equal(parsed.auto.isBounce, true);
  assert.equal(parsed.auto.bounce?.originalMessageId, "<parley.1.9.q@support.example.com>");
});

test("detects auto-replies by header, and by subject only beside a header", async () => {
  const detect = async (...headers: string[]) =>
    (await parseEmail(mail("From: someone@example.com", ...headers, "", "text"))).auto;
  assert.equal((await detect("Auto-Submitted: auto-replied")).reason, "auto-submitted: auto-replied");
  assert.equal((await detect("Auto-Submitted: no")).isAutoReply, false);
  assert.equal((await detect("Precedence: bulk")).isAutoReply, true);
  assert.equal((await detect("Precedence: first-class")).isAutoReply, false);
  assert.equal((await detect("X-Autoreply: yes")).isAutoReply, true);
  assert.equal((await detect("X-Autorespond: yes")).isAutoReply, true);
  assert.equal((await detect("X-Auto-Response-Suppress: OOF")).isAutoReply, true);
  assert.equal((await detect("List-Unsubscribe: <mailto:unsub@example.com>")).reason, "list-unsubscribe");
  assert.equal((await detect("Subject: Out of Office: your ticket")).isAutoReply, false);
  assert.equal(
    (await detect("Subject: Automatische Antwort: Re: Rechnung", "X-Auto-Response-Suppress: DR")).isAutoReply,
    true,
  );
  assert.equal((await detect("Subject: Re: auto-reply settings question")).isAutoReply, false);
});

test("mailing-list headers are bulk, unless the mailbox takes list mail as normal", async () => {
  const parse = (...headers: string[]) =>
    parseEmail(mail("From: someone@example.com", ...headers, "", "text"));
  const group = await parse(
    "List-Id: <support.acme.example>",
    "List-Unsubscribe: <mailto:support+unsubscribe@acme.example>",
    "Precedence: list",
  );
  assert.equal(group.auto.isAutoReply, true);
  assert.equal(group.autoIgnoringLists.isAutoReply, false);
  // Other signs of an automatic mail still count, and bulk is still bulk.
  const outOfOffice = await parse("List-Id: <support.acme.example>", "Auto-Submitted: auto-replied");
  assert.equal(outOfOffice.autoIgnoringLists.reason, "auto-submitted: auto-replied");
  assert.equal(
    (await parse("Precedence: bulk", "List-Id: <news.example>")).autoIgnoringLists.isAutoReply,
    true,
  );
});

test("format=flowed joins lines only at the same quote depth", async () => {
  const parsed = await parseEmail(
    mail(
      "From: a@example.com",
      "Subject: Re: hi",
      "Content-Type: text/plain; charset=utf-8; format=flowed",
      "",
      "On 04/02/2012 06:26 PM, Megan One wrote:",
      "> Hi, a long line that ",
      "> goes on",
      "Hello, ",
      "this is my answer",
    ),
  );
  assert.equal(
    parsed.text,
    "On 04/02/2012 06:26 PM, Megan One wrote:\n> Hi, a long line that goes on\nHello, this is my answer\n",
  );
  assert.equal(parsed.reply.newText, "Hello, this is my answer");
});

test("an Outlook header block and a foreign attribution line start the quoted history", async () => {
  const outlook = await parseEmail(
    utf8Mail(
      "From: a@example.com",
      "Subject: Re: hi",
      "",
      "Thanks, fixed.",
      "",
      "________________________________",
      "От: Alexander L <abc@example.com>",
      "Отправлено: 26 июня 2014 г. 15:05",
      "Кому: Support",
      "",
      "Hello!",
    ),
  );
  assert.equal(outlook.reply.newText, "Thanks, fixed.");
  assert.match(outlook.reply.quotedText, /^_+\nОт: Alexander L/);
  const android = await parseEmail(
    utf8Mail(
      "From: bob@example.com",
      "Subject: Re: hi",
      "",
      "Hello",
      '02.04.2012 14:20 пользователь "bob@example.org" <bob@example.org> написал:',
      "",
      "> Hi",
    ),
  );
  assert.equal(android.reply.newText, "Hello");
  assert.match(android.reply.quotedText, /написал:\n\n> Hi$/);
});
