import assert from "node:assert/strict";
import { test } from "node:test";
import { expectCount, useE2e } from "./harness.ts";

// A monitoring alert through a mailbox an admin set to drop machine-written mail: Mail problems
// shows it ignored, with the reason; switched back to tickets, "Process again" makes it a ticket
// whose message says it was written by a machine.

const e2e = useE2e();

const alert = [
  "Return-Path: <zabbix@monitoring.customer.test>",
  "Date: Mon, 07 Dec 2026 03:12:08 +0000",
  "From: Zabbix <zabbix@monitoring.customer.test>",
  "To: ops@e2e.test",
  "Subject: Problem: Disk space is critically low on db-02",
  "Message-ID: <20261207031208.3f9a1c@zabbix.monitoring.customer.test>",
  "Auto-Submitted: auto-generated",
  "MIME-Version: 1.0",
  'Content-Type: text/plain; charset="UTF-8"',
  "",
  "Problem started at 03:12:03 on 2026.12.07",
  "Host: db-02",
  "Severity: High",
  "",
].join("\r\n");

async function until<T>(what: string, read: () => Promise<T | null | undefined | false>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

test("an admin drops automated mail, finds it under Mail problems, takes it back as a ticket", async () => {
  const { api, newAgentPage } = e2e();
  const mailbox = await api.post<{ id: number }>("/api/v1/mailboxes", {
    name: "Ops",
    address: "ops@e2e.test",
    inbound: "upload",
  });
  const { context, page } = await newAgentPage();

  // The setting, through the mailbox form.
  await page.goto("/admin/mailboxes");
  await page.getByRole("button", { name: "Edit Ops" }).click();
  const dialog = page.getByRole("dialog", { name: "Edit Ops" });
  const setting = dialog.getByRole("combobox", { name: /^Mail written by a machine/ });
  assert.equal(await setting.inputValue(), "ticket");
  await setting.selectOption("ignore");
  await dialog.getByRole("button", { name: "Save mailbox" }).click();
  await dialog.waitFor({ state: "detached" });
  await until(
    "the setting to be saved",
    async () => (await api.get(`/api/v1/mailboxes/${mailbox.id}`)).settings.automatedMail === "ignore",
  );

  await api.uploadMail(mailbox.id, alert);
  await until(
    "the alert to be ignored",
    async () => (await api.get("/api/v1/inbound-emails?status=ignored")).data[0],
  );

  await page.goto("/admin/mail-problems");
  const ignored = page.getByRole("region", { name: "Incoming mail that was ignored" });
  const row = ignored.getByRole("row").filter({ hasText: "Disk space is critically low" });
  await row.waitFor();
  const text = await row.innerText();
  assert.match(text, /automated mail: auto-submitted: auto-generated/);
  assert.match(text, /Zabbix/);
  assert.match(text, /Ops/);
  // Not a failure: the failed list stays empty.
  await page
    .getByRole("region", { name: "Incoming mail that could not be processed" })
    .getByText(/^Nothing is wrong here/)
    .waitFor();

  // The team wants these as tickets after all.
  await api.patch(`/api/v1/mailboxes/${mailbox.id}`, { settings: { automatedMail: "ticket" } });
  await row.getByRole("button", { name: /^Process again “Problem: Disk space/ }).click();
  await row.waitFor({ state: "detached" });
  await expectCount(ignored.getByRole("row").filter({ hasText: "Disk space" }), 0);
  const ticketId = await until("the alert to become a ticket", async () => {
    const list = await api.get(`/api/v1/mailboxes/${mailbox.id}/inbound?status=processed`);
    return list.data[0]?.ticketId as number | undefined;
  });

  await page.goto(`/tickets/${ticketId}`);
  const message = page.getByRole("article").filter({ hasText: "Host: db-02" });
  await message.getByText("Automated", { exact: true }).waitFor();
  const ticket = await api.get(`/api/v1/tickets/${ticketId}`);
  assert.deepEqual(ticket.tags, ["automated"]);
  await context.close();
});
