import assert from "node:assert/strict";
import { test } from "node:test";
import { expectCount, useE2e } from "./harness.ts";

const e2e = useE2e();

const uploadMail = (mailboxId: number, raw: string) => e2e().api.uploadMail(mailboxId, raw);

const htmlMail = (headers: string[], text: string[], html: string) =>
  [
    ...headers,
    "MIME-Version: 1.0",
    'Content-Type: multipart/alternative; boundary="b1"',
    "",
    "--b1",
    "Content-Type: text/plain; charset=utf-8",
    "",
    ...text,
    "--b1",
    "Content-Type: text/html; charset=utf-8",
    "",
    html,
    "--b1--",
    "",
  ].join("\r\n");

// Outlook on the web: no blockquote, the history follows a rule and a From/Sent/To block.
const OUTLOOK_MAIL = htmlMail(
  [
    "From: Olga Outlook <olga@customer.test>",
    "To: quotes@e2e.test",
    "Subject: Re: Export fails",
    "Message-ID: <olk-1@customer.test>",
    "Date: Mon, 23 Nov 2026 12:00:00 +0000",
  ],
  [
    "The export works now, thank you.",
    "",
    "________________________________",
    "From: Support <quotes@e2e.test>",
    "Sent: Sunday, 22 November 2026 09:00",
    "To: Olga Outlook",
    "Subject: Export fails",
    "",
    "Please clear the cache and export again.",
    "",
  ],
  [
    '<html><body><div style="font-family:Aptos">The export <b>works</b> now, thank you.</div>',
    '<div id="appendonsend"></div><hr style="display:inline-block;width:98%" tabindex="-1">',
    '<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri"><b>From:</b> Support &lt;quotes@e2e.test&gt;<br>',
    "<b>Sent:</b> Sunday, 22 November 2026 09:00<br><b>To:</b> Olga Outlook<br><b>Subject:</b> Export fails</font>",
    "<div>&nbsp;</div></div><div>Please clear the cache and export again.</div></body></html>",
  ].join(""),
);

test("an Outlook reply shows its new text as HTML and folds the history that has no blockquote", async () => {
  const { api, newAgentPage } = e2e();
  const mailbox = await api.post<{ id: number }>("/api/v1/mailboxes", {
    name: "Quotes",
    address: "quotes@e2e.test",
    inbound: "upload",
  });
  const { context, page } = await newAgentPage();
  await page.getByRole("link", { name: /^All open/ }).click();
  await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
  await uploadMail(mailbox.id, OUTLOOK_MAIL);
  await page.getByRole("table").getByRole("link", { name: "Re: Export fails" }).click();
  const mail = page.getByRole("article", { name: /^Customer reply by/ });
  // The HTML, not the split plain text: the bold survives.
  await mail.locator(".message-html b").getByText("works").waitFor();
  const history = mail.getByText("Please clear the cache and export again.");
  await history.waitFor({ state: "hidden" });
  await mail.getByText(/Sent: Sunday/).waitFor({ state: "hidden" });
  const toggle = mail.getByRole("button", { name: "Show quoted text" });
  assert.equal(await toggle.getAttribute("aria-expanded"), "false");
  await toggle.click();
  await history.waitFor({ state: "visible" });
  await mail.getByText(/Sent: Sunday/).waitFor({ state: "visible" });
  // Revealed in place, once: not again as plain text below the HTML.
  await expectCount(history, 1);
  await mail.getByRole("button", { name: "Hide quoted text" }).click();
  await history.waitFor({ state: "hidden" });
  await context.close();
});

// A forward is what the agent has to read: it stays in view, formatted.
const FORWARD_MAIL = htmlMail(
  [
    "From: Fiona Forward <fiona@customer.test>",
    "To: forwards@e2e.test",
    "Subject: Fwd: Invoice 1234",
    "Message-ID: <fwd-1@customer.test>",
    "Date: Mon, 23 Nov 2026 13:00:00 +0000",
  ],
  [
    "See below.",
    "",
    "---------- Forwarded message ---------",
    "From: Billing <billing@vendor.test>",
    "Date: Sun, 22 Nov 2026",
    "Subject: Invoice 1234",
    "",
    "The amount due is 40 EUR.",
    "",
  ],
  [
    '<div dir="ltr">See <i>below</i>.</div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">',
    "---------- Forwarded message ---------<br>From: Billing &lt;billing@vendor.test&gt;<br>",
    "Date: Sun, 22 Nov 2026<br>Subject: Invoice 1234<br></div><br><div>The amount due is <b>40 EUR</b>.</div></div>",
  ].join(""),
);

test("a forwarded mail stays in view with its formatting", async () => {
  const { api, newAgentPage } = e2e();
  const mailbox = await api.post<{ id: number }>("/api/v1/mailboxes", {
    name: "Forwards",
    address: "forwards@e2e.test",
    inbound: "upload",
  });
  const { context, page } = await newAgentPage();
  await page.getByRole("link", { name: /^All open/ }).click();
  await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
  await uploadMail(mailbox.id, FORWARD_MAIL);
  await page.getByRole("table").getByRole("link", { name: "Fwd: Invoice 1234" }).click();
  const mail = page.getByRole("article", { name: /^Customer reply by/ });
  await mail.locator(".message-html i").getByText("below").waitFor();
  await mail.locator(".message-html b").getByText("40 EUR").waitFor({ state: "visible" });
  // Nothing is folded, so there is nothing to reveal.
  await expectCount(mail.getByRole("button", { name: "Show quoted text" }), 0);
  await context.close();
});
