import assert from "node:assert/strict";
import { test } from "node:test";
import { useE2e } from "./harness.ts";

const e2e = useE2e();

const MAIL = [
  "From: Casey Jones <casey@customer.test>",
  "To: support@e2e.test, Olive Other <olive@customer.test>",
  "Cc: Bea Boss <bea@customer.test>",
  "Reply-To: Casey Desk <desk@customer.test>",
  "Subject: Addresses please",
  "Message-ID: <addr-1@customer.test>",
  "Date: Mon, 23 Nov 2026 10:00:00 +0000",
  "MIME-Version: 1.0",
  "Content-Type: text/plain; charset=utf-8",
  "",
  "Who got this?",
  "",
].join("\r\n");

test("a mail's From, To, Cc and Reply-To fold into one line that opens; a sent reply shows where it went", async () => {
  const { api, newAgentPage } = e2e();
  const mailbox = await api.post<{ id: number }>("/api/v1/mailboxes", {
    name: "Support",
    address: "support@e2e.test",
    inbound: "upload",
  });
  const { context, page } = await newAgentPage();
  await page.getByRole("link", { name: /^All open/ }).click();
  await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
  await api.uploadMail(mailbox.id, MAIL);
  await page.getByRole("table").getByRole("link", { name: "Addresses please" }).click();

  const mail = page.getByRole("article", { name: /^Customer reply by/ });
  const folded = mail.getByRole("button", { name: "from Casey Jones to support@e2e.test +2" });
  await folded.waitFor();
  assert.equal(await folded.getAttribute("aria-expanded"), "false");
  assert.equal(await mail.getByText("bea@customer.test").count(), 0, "folded until asked");
  await folded.click();
  const details = mail.getByRole("definition");
  await details.filter({ hasText: "Casey Jones <casey@customer.test>" }).waitFor();
  await details.filter({ hasText: "support@e2e.test, Olive Other <olive@customer.test>" }).waitFor();
  await details.filter({ hasText: "Bea Boss <bea@customer.test>" }).waitFor();
  await details.filter({ hasText: "Casey Desk <desk@customer.test>" }).waitFor();
  assert.deepEqual(await mail.getByRole("term").allInnerTexts(), ["From", "To", "Cc", "Reply-To"]);
  await folded.click();
  await details.first().waitFor({ state: "detached" });

  await page.getByRole("textbox", { name: "Reply" }).fill("Everyone on copy, noted.");
  await page.getByRole("button", { name: "Send reply" }).click();
  const reply = page.getByRole("article", { name: /^Reply by/ }).filter({ hasText: "Everyone on copy" });
  const sent = reply.getByRole("button", { name: /^from Admin via Support to / });
  await sent.click();
  await reply.getByRole("definition").filter({ hasText: "Admin via Support <support@e2e.test>" }).waitFor();
  // Notes carry no addresses.
  await page.getByRole("radio", { name: "Internal note" }).check();
  await page.getByRole("textbox", { name: "Internal note" }).fill("Checked the copies.");
  await page.getByRole("button", { name: "Add note" }).click();
  const note = page
    .getByRole("article", { name: /^Internal note by/ })
    .filter({ hasText: "Checked the copies" });
  await note.waitFor();
  assert.equal(await note.getByRole("button", { name: /^from / }).count(), 0);
  await context.close();
});
