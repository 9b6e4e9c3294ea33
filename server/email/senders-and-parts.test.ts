import assert from "node:assert/strict";
import { test } from "node:test";
import { isValidAddress, usableAddress } from "./mail-addresses.ts";
import { parseEmail } from "./parse.ts";

const mail = (...lines: string[]) => Buffer.from(lines.join("\r\n"), "latin1");

test("an encoded display name that decodes to text with a comma is one sender", async () => {
  const parsed = await parseEmail(
    mail(
      "From: =?iso-8859-1?Q?B=FCrling,=20Andreas?= <smith@example.com>",
      "To: =?utf-8?Q?Support,_Team?= <support@example.com>, =?utf-8?Q?O'Neil,_J?= <j@example.com>",
      "Subject: hi",
      "",
      "hello",
    ),
  );
  assert.deepEqual(parsed.from, { address: "smith@example.com", name: "Bürling, Andreas" });
  assert.equal(parsed.fromProblem, null);
  assert.deepEqual(parsed.to, [
    { address: "support@example.com", name: "Support, Team" },
    { address: "j@example.com", name: "O'Neil, J" },
  ]);
});

test("with two From headers, the first unusable, the second is the sender", async () => {
  const parsed = await parseEmail(
    mail("From: Sales Team", "From: Real Person <real@example.com>", "Subject: hi", "", "hello"),
  );
  assert.deepEqual(parsed.from, { address: "real@example.com", name: "Real Person" });
});

test("a From with broken angle brackets yields its valid address, never the broken one", async () => {
  for (const header of [
    '"spain transfer@example.com>',
    '"spain" transfer@example.com>',
    "spain <transfer@example.com",
  ]) {
    const parsed = await parseEmail(mail(`From: ${header}`, "Subject: hi", "", "hello"));
    assert.equal(parsed.from?.address, "transfer@example.com", header);
  }
  const none = await parseEmail(mail('From: "spain transfer <at> example"', "Subject: hi", "", "x"));
  assert.equal(none.from, null);
  assert.match(
    none.fromProblem ?? "",
    /From header "\\"spain transfer <at> example\\"" holds no valid email address/,
  );
  const missing = await parseEmail(mail("Subject: hi", "", "x"));
  assert.equal(missing.fromProblem, "The mail has no From header.");
});

test("only valid addresses pass", () => {
  for (const ok of ["a@example.com", "first.last+tag@sub.example.co.uk", "müller@bücher.example"])
    assert.equal(isValidAddress(ok), true, ok);
  for (const bad of [
    "transfer@example.com>",
    "spain transfer@example.com",
    "@example.com",
    "a@",
    "a@b",
    "a..b@x.com",
    '"q"@x.com',
  ])
    assert.equal(isValidAddress(bad), false, bad);
  assert.equal(usableAddress("<<a@example.com>>"), "a@example.com");
});

test("Reply-To is read, and invalid recipients are left out rather than stored", async () => {
  const parsed = await parseEmail(
    mail(
      "From: Form <noreply@forms.example>",
      "Reply-To: Customer <customer@example.org>",
      "To: support@example.com, broken@, Team: a@example.com, b@example.com;",
      "Subject: hi",
      "",
      "x",
    ),
  );
  assert.deepEqual(parsed.replyTo, [{ address: "customer@example.org", name: "Customer" }]);
  assert.deepEqual(
    parsed.to.map((a) => a.address),
    ["support@example.com", "a@example.com", "b@example.com"],
  );
});

test("all 500 recipients of a mail are read", async () => {
  const to = Array.from({ length: 250 }, (_, i) => `Person ${i} <p${i}@example.com>`).join(",\r\n ");
  const cc = Array.from({ length: 250 }, (_, i) => `c${i}@example.com`).join(", ");
  const parsed = await parseEmail(
    mail("From: a@example.com", `To: ${to}`, `Cc: ${cc}`, "Subject: hi", "", "x"),
  );
  assert.equal(parsed.to.length, 250);
  assert.equal(parsed.cc.length, 250);
  assert.deepEqual(parsed.to[249], { address: "p249@example.com", name: "Person 249" });
});

test("a forwarded mail is named after its subject, inline images after their location or id", async () => {
  const parsed = await parseEmail(
    mail(
      "From: a@example.com",
      "Subject: Fwd",
      'Content-Type: multipart/mixed; boundary="m"',
      "",
      "--m",
      'Content-Type: multipart/related; boundary="r"',
      "",
      "--r",
      "Content-Type: text/html; charset=utf-8",
      "",
      '<p><img src="cid:ii_18c1f3a2@mail.gmail.com"><img src="cid:image001.png@01D9C2B3.4A5B6C70"><img src="cid:x1"></p>',
      "--r",
      "Content-Type: image/jpeg",
      "Content-ID: <ii_18c1f3a2@mail.gmail.com>",
      "Content-Transfer-Encoding: base64",
      "",
      "/9j/4AAQ",
      "--r",
      "Content-Type: image/png",
      "Content-ID: <image001.png@01D9C2B3.4A5B6C70>",
      "Content-Transfer-Encoding: base64",
      "",
      "iVBORw0KGgo=",
      "--r",
      "Content-Type: image/gif",
      "Content-ID: <x1>",
      "Content-Location: https://cdn.example.com/img/banner%20top.gif?v=2",
      "Content-Transfer-Encoding: base64",
      "",
      "R0lGODlh",
      "--r--",
      "--m",
      "Content-Type: message/rfc822",
      "Content-Disposition: attachment",
      "",
      "From: b@example.com",
      "Subject: =?utf-8?Q?Invoice_March/April:_=E2=82=AC40?=",
      "",
      "the forwarded mail",
      "--m",
      "Content-Type: message/rfc822",
      "Content-Disposition: attachment",
      "",
      "From: c@example.com",
      "",
      "no subject",
      "--m",
      "Content-Type: application/octet-stream",
      "",
      "data",
      "--m--",
    ),
  );
  assert.deepEqual(
    parsed.attachments.map((a) => [a.filename, a.inline]),
    [
      ["ii_18c1f3a2.jpg", true],
      ["image001.png", true],
      ["banner top.gif", true],
      ["Invoice March_April_ €40.eml", false],
      ["message-5.eml", false],
      ["attachment-6.bin", false],
    ],
  );
});

test("whatever the From header holds, the sender is a valid address or none, with a reason", async () => {
  const headers = [
    '"spain transfer@example.com>',
    "<<<>>>",
    "a@b@c.com",
    "Name <>",
    '"quoted@evil.example" <>',
    "=?utf-8?B?PGZvb0BleGFtcGxlLmNvbT4=?=",
    "user@exa mple.com",
    "(comment only)",
    "undisclosed-recipients:;",
    "x@y",
    ", , ,",
    '"a" <b@example.com> <c@example.com>',
    "a@example.com)",
    "\t",
  ];
  for (const header of headers) {
    const parsed = await parseEmail(mail(`From: ${header}`, "Subject: hi", "", "x"));
    if (parsed.from) assert.ok(isValidAddress(parsed.from.address), `${header} -> ${parsed.from.address}`);
    else assert.match(parsed.fromProblem ?? "", /no valid email address|no From header/, header);
  }
});
