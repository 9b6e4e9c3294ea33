import assert from "node:assert/strict";
import { test } from "node:test";
import { expectCount, useE2e } from "./harness.ts";

const e2e = useE2e();

const MAIL = [
  "From: Sam Sender <sam@customer.test>",
  "To: support@e2e.test",
  "Subject: Printer jams",
  "Message-ID: <jam-1@customer.test>",
  "Date: Mon, 23 Nov 2026 10:00:00 +0000",
  "MIME-Version: 1.0",
  "Content-Type: text/plain; charset=utf-8",
  "",
  "It jams on every page.",
  "",
  "On Sun, 22 Nov 2026 at 09:00, Support <support@e2e.test> wrote:",
  "> Did you try turning it off and on again?",
  "> Regards, Support",
  "",
].join("\r\n");

const uploadMail = (mailboxId: number, raw: string) => e2e().api.uploadMail(mailboxId, raw);

test("a mail's quoted history is collapsed, the reply shows its delivery, and the thread jumps to the newest", async () => {
  const { api, newAgentPage } = e2e();
  const mailbox = await api.post<{ id: number }>("/api/v1/mailboxes", {
    name: "Support",
    address: "support@e2e.test",
    inbound: "upload",
  });
  const { context, page } = await newAgentPage();
  await page.getByRole("link", { name: /^All open/ }).click();
  await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
  // Mail may be processed after the upload answers: the ticket shows up in the open view live.
  await uploadMail(mailbox.id, MAIL);
  await page.getByRole("table").getByRole("link", { name: "Printer jams" }).click();
  const mail = page.getByRole("article", { name: /^Customer reply by/ });
  await mail.getByText("It jams on every page.").waitFor();
  await expectCount(mail.getByText("Did you try turning it off"), 0);
  const toggle = mail.getByRole("button", { name: "Show quoted text" });
  assert.equal(await toggle.getAttribute("aria-expanded"), "false");
  await toggle.click();
  await mail.getByText(/Did you try turning it off and on again\?/).waitFor();
  await mail.getByRole("button", { name: "Hide quoted text" }).click();
  await mail.getByText("Did you try turning it off").waitFor({ state: "detached" });

  // An agent's reply on an email ticket goes out as mail; the agent sees where it is.
  await page.getByRole("textbox", { name: "Reply" }).fill("A new roller is on its way.");
  await page.getByRole("button", { name: "Send reply" }).click();
  const reply = page.getByRole("article", { name: /^Reply by/ }).filter({ hasText: "new roller" });
  await reply.getByText(/^Email: (Queued to send|Sending|Sent|Not delivered|Bounced)/).waitFor();

  await page.getByRole("button", { name: "Jump to the newest message" }).click();
  await page.locator("article:focus").filter({ hasText: "new roller" }).waitFor();
  await context.close();
});

const HTML_MAIL = [
  "From: Rita Reader <rita@customer.test>",
  "To: help@e2e.test",
  "Subject: Formatted question",
  "Message-ID: <fmt-1@customer.test>",
  "Date: Mon, 23 Nov 2026 11:00:00 +0000",
  "MIME-Version: 1.0",
  'Content-Type: multipart/alternative; boundary="b1"',
  "",
  "--b1",
  "Content-Type: text/plain; charset=utf-8",
  "",
  "Is this bold?",
  "",
  "On Sun, 22 Nov 2026 at 09:00, Support <help@e2e.test> wrote:",
  "> Old answer here.",
  "",
  "--b1",
  "Content-Type: text/html; charset=utf-8",
  "",
  "<p>Is this <b>bold</b>?</p><div>On Sun, 22 Nov 2026 at 09:00, Support wrote:<blockquote>Old answer here.</blockquote></div>",
  "--b1--",
  "",
].join("\r\n");

test("an HTML mail keeps its formatting with the quoted history folded away in place", async () => {
  const { api, newAgentPage } = e2e();
  const mailbox = await api.post<{ id: number }>("/api/v1/mailboxes", {
    name: "Help",
    address: "help@e2e.test",
    inbound: "upload",
  });
  const { context, page } = await newAgentPage();
  await page.getByRole("link", { name: /^All open/ }).click();
  await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
  await uploadMail(mailbox.id, HTML_MAIL);
  await page.getByRole("table").getByRole("link", { name: "Formatted question" }).click();
  const mail = page.getByRole("article", { name: /^Customer reply by/ });
  await mail.locator("b").getByText("bold").waitFor();
  const quote = mail.getByText("Old answer here.");
  await quote.waitFor({ state: "hidden" });
  await mail.getByRole("button", { name: "Show quoted text" }).click();
  await quote.waitFor({ state: "visible" });
  // Shown once, in place: not again as plain text below.
  await expectCount(quote, 1);
  await context.close();
});
