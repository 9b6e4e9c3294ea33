import assert from "node:assert/strict";
import { test } from "node:test";
import { expectCount, useE2e } from "./harness.ts";
import { openView, tagView } from "./inbox-helpers.ts";

const e2e = useE2e();

test("an agent selects three tickets, assigns them to themself and sets them pending", async () => {
  const { api, newAgentPage } = e2e();
  const made = [];
  for (const subject of ["Bulk one", "Bulk two", "Bulk three"]) {
    made.push(await api.createTicket(subject, "bulk@customer.test", "Help", { tags: ["bulk-e2e"] }));
  }
  await api.createTicket("Bulk bystander", "bulk@customer.test", "Help", { tags: ["bulk-e2e"] });
  const view = await tagView(api, "Bulk tickets", "bulk-e2e");
  const me = await api.get("/api/v1/me");
  const { context, page } = await newAgentPage();
  await openView(page, view.id);

  for (const ticket of made) {
    const subject = (await api.get(`/api/v1/tickets/${ticket.id}`)).subject;
    await page.getByRole("checkbox", { name: `Select ticket #${ticket.number} ${subject}` }).check();
  }
  const bar = page.getByRole("region", { name: "Bulk actions" });
  await bar.getByText("3 selected").waitFor();
  await bar.getByLabel("Assign to").selectOption("me");
  await bar.getByLabel("Status").selectOption("pending");
  await bar.getByRole("button", { name: "Apply to 3" }).click();

  await page.getByRole("status").filter({ hasText: "3 tickets updated." }).waitFor();
  for (const subject of ["Bulk one", "Bulk two", "Bulk three"]) {
    const row = page.getByRole("row").filter({ hasText: subject });
    await row.filter({ hasText: "Pending" }).filter({ hasText: me.name }).waitFor();
  }
  const bystander = page.getByRole("row").filter({ hasText: "Bulk bystander" });
  assert.match(await bystander.innerText(), /New/);
  assert.match(await bystander.innerText(), /Unassigned/);
  // The updated tickets were unselected; the bar is gone.
  await bar.waitFor({ state: "detached" });
  for (const ticket of made) {
    const saved = await api.get(`/api/v1/tickets/${ticket.id}`);
    assert.equal(saved.status, "pending");
    assert.equal(saved.assigneeId, me.id);
  }
  await context.close();
});

test("a bulk change that some tickets refuse names each refused ticket", async () => {
  const { api, newAgentPage } = e2e();
  const open = await api.createTicket("Partial open", "partial@customer.test", "Help", {
    tags: ["partial-e2e"],
  });
  const closed = await api.createTicket("Partial closed", "partial@customer.test", "Help", {
    tags: ["partial-e2e"],
  });
  const solved = await api.patch(`/api/v1/tickets/${closed.id}`, {
    status: "solved",
    version: closed.version,
  });
  await api.patch(`/api/v1/tickets/${closed.id}`, { status: "closed", version: solved.version });
  const view = await tagView(api, "Partial tickets", "partial-e2e");
  const { context, page } = await newAgentPage();
  await openView(page, view.id);

  await page.getByRole("checkbox", { name: "Select all shown tickets" }).check();
  const bar = page.getByRole("region", { name: "Bulk actions" });
  await bar.getByText("2 selected").waitFor();
  await bar.getByLabel("Priority").selectOption("urgent");
  await bar.getByRole("button", { name: "Apply to 2" }).click();

  const alert = page.getByRole("alert").filter({ hasText: "1 of 2 tickets updated" });
  await alert.waitFor();
  assert.match(await alert.innerText(), new RegExp(`#${closed.number} Partial closed: .*closed`, "i"));
  // The refused ticket stays selected for another try; the updated one shows its change.
  await bar.getByText("1 selected").waitFor();
  await page.getByRole("row").filter({ hasText: "Partial open" }).filter({ hasText: "Urgent" }).waitFor();
  assert.equal((await api.get(`/api/v1/tickets/${open.id}`)).priority, "urgent");
  await context.close();
});

test("an agent merges selected tickets into the one they pick", async () => {
  const { api, newAgentPage } = e2e();
  const first = await api.createTicket("Merge printer broken", "merge@customer.test", "Broken", {
    tags: ["merge-e2e"],
  });
  const second = await api.createTicket("Merge printer still broken", "merge@customer.test", "Still", {
    tags: ["merge-e2e"],
  });
  const third = await api.createTicket("Merge printer smoking", "merge2@customer.test", "Smoke", {
    tags: ["merge-e2e"],
  });
  const view = await tagView(api, "Merge tickets", "merge-e2e");
  const { context, page } = await newAgentPage();
  await openView(page, view.id);

  await page.getByRole("checkbox", { name: "Select all shown tickets" }).check();
  await page.getByRole("region", { name: "Bulk actions" }).getByRole("button", { name: "Merge…" }).click();
  const dialog = page.getByRole("dialog", { name: "Merge 3 tickets" });
  // Each ticket shows its requester.
  await dialog
    .getByRole("radio", { name: `#${first.number} Merge printer broken from merge (merge@customer.test)` })
    .waitFor();
  await dialog
    .getByRole("radio", { name: `#${third.number} Merge printer smoking from merge2 (merge2@customer.test)` })
    .waitFor();
  await dialog.getByRole("radio", { name: `#${second.number} Merge printer still broken` }).check();
  // #third is another customer's: the dialog says so, and merges only once the agent confirms.
  const warning = dialog
    .getByRole("alert")
    .filter({ hasText: "These tickets are from different customers." });
  await warning.filter({ hasText: `#${third.number} is from merge2 (merge2@customer.test)` }).waitFor();
  const mergeButton = dialog.getByRole("button", { name: `Merge into #${second.number}` });
  assert.equal(await mergeButton.isDisabled(), true);
  await warning.getByRole("checkbox", { name: "Merge tickets of different customers" }).check();
  await mergeButton.click();

  await page
    .getByRole("status")
    .filter({ hasText: `into #${second.number} Merge printer still broken` })
    .waitFor();
  // Merged tickets leave every list; the kept one stays.
  await page.getByRole("row").filter({ hasText: "Merge printer broken" }).waitFor({ state: "detached" });
  await page.getByRole("row").filter({ hasText: "Merge printer smoking" }).waitFor({ state: "detached" });
  await page.getByRole("row").filter({ hasText: "Merge printer still broken" }).waitFor();
  for (const source of [first, third]) {
    const saved = await api.get(`/api/v1/tickets/${source.id}`);
    assert.equal(saved.mergedIntoId, second.id);
  }
  await context.close();
});

test("merging one customer's tickets asks for no confirmation", async () => {
  const { api, newAgentPage } = e2e();
  const older = await api.createTicket("Same customer older", "same@customer.test", "One", {
    tags: ["same-e2e"],
  });
  await api.createTicket("Same customer newer", "same@customer.test", "Two", { tags: ["same-e2e"] });
  const view = await tagView(api, "Same customer", "same-e2e");
  const { context, page } = await newAgentPage();
  await openView(page, view.id);
  await page.getByRole("checkbox", { name: "Select all shown tickets" }).check();
  await page.getByRole("region", { name: "Bulk actions" }).getByRole("button", { name: "Merge…" }).click();
  const dialog = page.getByRole("dialog", { name: "Merge 2 tickets" });
  await dialog
    .getByRole("radio", { name: /Same customer newer from same \(same@customer\.test\)/ })
    .waitFor();
  await expectCount(dialog.getByRole("alert"), 0);
  await dialog.getByRole("button", { name: `Merge into #${older.number}` }).click();
  await page.getByRole("row").filter({ hasText: "Same customer newer" }).waitFor({ state: "detached" });
  await context.close();
});
