import assert from "node:assert/strict";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { useE2e } from "./harness.ts";

const e2e = useE2e();

const row = (page: Page, name: string) => page.getByRole("row").filter({ hasText: name });

async function openSection(page: Page, name: string) {
  await page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name }).click();
  await page.getByRole("heading", { level: 1, name }).waitFor();
}

test("a group and a dropdown field made in admin appear on the ticket page's properties", async () => {
  const { api, newAgentPage } = e2e();
  const ticket = await api.createTicket("Where is my parcel?", "quinn@customer.test");
  const { context, page } = await newAgentPage();
  await page.goto("/admin/groups");
  await page.getByRole("heading", { level: 1, name: "Groups" }).waitFor();

  await page.getByRole("button", { name: "New group" }).click();
  const groupDialog = page.getByRole("dialog", { name: "New group" });
  await groupDialog.getByLabel("Name").fill("Logistics");
  await groupDialog.getByLabel("Description").fill("Shipping and returns");
  await groupDialog.getByRole("button", { name: "Create group" }).click();
  await row(page, "Logistics").filter({ hasText: "Shipping and returns" }).waitFor();

  await openSection(page, "Custom fields");
  await page.getByRole("button", { name: "New field" }).click();
  const fieldDialog = page.getByRole("dialog", { name: "New ticket field" });
  await fieldDialog.getByLabel("Label").fill("Carrier");
  // The key follows the label until edited.
  assert.equal(await fieldDialog.getByLabel("Key").inputValue(), "carrier");
  await fieldDialog.getByLabel("Type").selectOption("dropdown");
  await fieldDialog.getByLabel("Options").fill("DHL\nUPS\nDHL");
  await fieldDialog.getByRole("button", { name: "Create field" }).click();
  // A repeated option is refused, with the reason beside the options.
  await fieldDialog.getByText('"DHL" is listed twice').waitFor();
  await fieldDialog.getByLabel("Options").fill("DHL\nUPS\nPostNL");
  await fieldDialog.getByLabel("Required to solve a ticket").check();
  await fieldDialog.getByRole("button", { name: "Create field" }).click();
  await fieldDialog.waitFor({ state: "detached" });
  await row(page, "Carrier").filter({ hasText: "DHL, UPS, PostNL" }).waitFor();

  // Options are edited later; the key and type are fixed.
  await row(page, "Carrier").getByRole("button", { name: "Edit Carrier" }).click();
  const editField = page.getByRole("dialog", { name: "Edit Carrier" });
  await editField.getByLabel("Options").fill("DHL\nUPS\nPostNL\nFedEx");
  await editField.getByRole("button", { name: "Save field" }).click();
  await row(page, "Carrier").filter({ hasText: "FedEx" }).waitFor();

  await page.goto(`/tickets/${ticket.id}`);
  const panel = page.getByRole("region", { name: "Properties" });
  await panel.getByLabel("Group").selectOption({ label: "Logistics" });
  await panel.getByLabel("Carrier").selectOption("FedEx");
  await panel.getByText("Required to solve").waitFor();
  // The controlled select shows the value once the server saved it.
  await page.waitForFunction(
    (el) => (el as unknown as { value: string }).value === "FedEx",
    await panel.getByLabel("Carrier").elementHandle(),
  );
  const saved = await api.get(`/api/v1/tickets/${ticket.id}`);
  const groups = await api.get("/api/v1/groups");
  assert.equal(saved.customFields.carrier, "FedEx");
  assert.equal(saved.groupId, groups.data.find((g: { name: string }) => g.name === "Logistics").id);

  // A group that still holds tickets cannot be deleted; the dialog says why.
  await page.goto("/admin/groups");
  await row(page, "Logistics").getByRole("button", { name: "Delete Logistics" }).click();
  const confirm = page.getByRole("dialog", { name: "Delete Logistics?" });
  await confirm.getByRole("button", { name: "Delete group" }).click();
  await confirm.getByRole("alert").filter({ hasText: "move them to another group first" }).waitFor();
  await confirm.getByRole("button", { name: "Cancel" }).click();

  await page.getByRole("button", { name: "New group" }).click();
  await page.getByRole("dialog", { name: "New group" }).getByLabel("Name").fill("Temporary");
  await page.getByRole("dialog", { name: "New group" }).getByRole("button", { name: "Create group" }).click();
  await row(page, "Temporary").getByRole("button", { name: "Delete Temporary" }).click();
  await page
    .getByRole("dialog", { name: "Delete Temporary?" })
    .getByRole("button", { name: "Delete group" })
    .click();
  await row(page, "Temporary").waitFor({ state: "detached" });
  await context.close();
});

test("a mailbox is added and edited; its IMAP password is write-only", async () => {
  const { api, newAgentPage } = e2e();
  const { context, page } = await newAgentPage();
  await page.goto("/admin/mailboxes");
  await page.getByRole("heading", { level: 1, name: "Mailboxes" }).waitFor();
  await page.getByRole("button", { name: "Add mailbox" }).click();
  const dialog = page.getByRole("dialog", { name: "Add a mailbox" });
  await dialog.getByLabel("Name").fill("Support");
  await dialog.getByLabel("Address").fill("support@shop.test");
  await dialog.getByLabel("Mail arrives by").selectOption("imap");
  await dialog.getByLabel("IMAP host").fill("imap.shop.test");
  await dialog.getByLabel("IMAP user").fill("support@shop.test");
  await dialog.getByLabel("IMAP password").fill("imap-secret-1");
  await dialog.getByRole("button", { name: "Add mailbox" }).click();
  await dialog.waitFor({ state: "detached" });
  const support = row(page, "support@shop.test");
  await support.filter({ hasText: "imap.shop.test" }).waitFor();

  await support.getByRole("button", { name: "Edit Support" }).click();
  const edit = page.getByRole("dialog", { name: "Edit Support" });
  assert.equal(await edit.getByLabel("IMAP password").inputValue(), "");
  await edit.getByText("A password is stored and never shown").waitFor();
  await edit.getByLabel("Name").fill("Customer support");
  await edit.getByRole("button", { name: "Save mailbox" }).click();
  await row(page, "Customer support").waitFor();

  const [mailbox] = (await api.get("/api/v1/mailboxes")).data;
  assert.equal(mailbox.name, "Customer support");
  assert.equal(mailbox.imap.hasSecret, true);
  assert.equal(JSON.stringify(mailbox).includes("imap-secret-1"), false);
  await context.close();
});

test("an API token is shown once at creation, works, and stops working when revoked", async () => {
  const { url, newAgentPage } = e2e();
  const { context, page } = await newAgentPage();
  await page.goto("/admin/tokens");
  await page.getByRole("heading", { level: 1, name: "API tokens" }).waitFor();
  await page.getByRole("button", { name: "New token" }).click();
  const dialog = page.getByRole("dialog", { name: "New API token" });
  await dialog.getByLabel("Name").fill("CRM sync");
  await dialog
    .getByRole("group", { name: "Scopes" })
    .getByLabel(/^write/)
    .check();
  await dialog.getByRole("button", { name: "Create token" }).click();
  const secret = await dialog.getByLabel("Your new token").inputValue();
  assert.match(secret, /^pat_/);
  await dialog.getByRole("button", { name: "Done" }).click();

  const crm = row(page, "CRM sync");
  await crm.filter({ hasText: "read, write" }).waitFor();
  assert.equal((await crm.innerText()).includes(secret), false);
  const asToken = () => fetch(`${url}/api/v1/tickets`, { headers: { authorization: `Bearer ${secret}` } });
  assert.equal((await asToken()).status, 200);

  await crm.getByRole("button", { name: "Revoke CRM sync" }).click();
  await page
    .getByRole("dialog", { name: "Revoke CRM sync?" })
    .getByRole("button", { name: "Revoke token" })
    .click();
  await crm.filter({ hasText: "Revoked" }).waitFor();
  assert.equal((await asToken()).status, 401);
  await context.close();
});
