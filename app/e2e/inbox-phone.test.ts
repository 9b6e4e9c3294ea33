import assert from "node:assert/strict";
import { test } from "node:test";
import { ADMIN_EMAIL, ADMIN_PASSWORD, signIn, useE2e } from "./harness.ts";
import { openView, tagView } from "./inbox-helpers.ts";

const e2e = useE2e();

test("at 390 px the inbox is a list: every ticket's values in view without sideways scrolling, keys and selection work", async () => {
  const { api, browser, url } = e2e();
  const group = await api.post("/api/v1/groups", { name: "Billing" });
  const agent = await api.createAgent("Pat Phone", "pat.phone@e2e.test", { groupIds: [group.id] });
  const older = await api.post("/api/v1/tickets", {
    subject: "Charged twice for the annual plan, please refund one",
    requester: { email: "casey.card@customer.test", name: "Casey Card" },
    comment: { body: "Two charges on my statement." },
    priority: "urgent",
    groupId: group.id,
    assigneeId: agent.id,
    tags: ["phone-e2e"],
  });
  await api.createTicket("Second phone ticket", "other@customer.test", "Help", { tags: ["phone-e2e"] });
  const view = await tagView(api, "Phone", "phone-e2e");
  const context = await browser.newContext({ baseURL: url, viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  await openView(page, view.id);

  const row = page.getByRole("row").filter({ hasText: "Charged twice" });
  const values = [
    "Charged twice for the annual plan, please refund one",
    "Casey Card",
    "Open",
    "Urgent",
    "Pat Phone",
    "Billing",
  ];
  for (const value of values) {
    const cell = row.getByText(value, { exact: true });
    await cell.waitFor();
    const box = await cell.boundingBox();
    assert.ok(box, `${value} is laid out`);
    assert.ok(
      box.x >= 0 && box.x + box.width <= 390,
      `${value} is within the screen (x ${box.x}, width ${box.width})`,
    );
  }
  // Nothing makes the page or the list wider than the screen.
  await page.waitForFunction(() => {
    const doc = (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } })
      .document;
    return doc.documentElement.scrollWidth <= 390;
  });
  const overflow = await page.evaluate(() => {
    const doc = (globalThis as unknown as { document: { querySelector(s: string): unknown } }).document;
    const main = doc.querySelector(".inbox-main") as unknown as { scrollWidth: number; clientWidth: number };
    return main.scrollWidth - main.clientWidth;
  });
  assert.ok(overflow <= 0, `the list overflows by ${overflow}px`);

  // The list's keys and the checkboxes are those of the table.
  const current = page.locator('tbody tr[aria-current="true"]');
  await page.keyboard.press("j");
  await page.keyboard.press("j");
  await current.filter({ hasText: "Charged twice" }).waitFor();
  await page.keyboard.press("x");
  const box = page.getByRole("checkbox", {
    name: `Select ticket #${older.number} Charged twice for the annual plan, please refund one`,
  });
  assert.equal(await box.isChecked(), true);
  await page.getByRole("region", { name: "Bulk actions" }).getByText("1 selected").waitFor();
  await page.keyboard.press("x");
  await page.getByRole("region", { name: "Bulk actions" }).waitFor({ state: "detached" });
  await page.keyboard.press("Enter");
  await page.waitForURL(new RegExp(`/tickets/${older.id}$`));
  await context.close();
});
