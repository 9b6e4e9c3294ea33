import assert from "node:assert/strict";
import { test } from "node:test";
import { expectCount, useE2e } from "./harness.ts";
import { openView, subjects, tagView } from "./inbox-helpers.ts";

// Code passed to the page runs in the browser; the tests' tsconfig has no DOM types.
declare const document: {
  activeElement: { textContent: string | null; getAttribute(name: string): string | null } | null;
  querySelector(
    selector: string,
  ): { textContent: string | null; scrollWidth: number; clientWidth: number } | null;
  querySelectorAll(selector: string): { length: number };
};

const e2e = useE2e();

test("clicking a column header sorts the list by it, again reverses it", async () => {
  const { api, newAgentPage } = e2e();
  for (const [subject, priority] of [
    ["Sort bravo", "urgent"],
    ["sort alpha", "low"],
    ["Sort charlie", "high"],
  ]) {
    await api.createTicket(subject, "sorter@customer.test", "Help", { tags: ["sort-e2e"], priority });
  }
  const view = await tagView(api, "Sorting", "sort-e2e");
  const { context, page } = await newAgentPage();
  await openView(page, view.id);
  // The view's own order: newest activity first.
  assert.deepEqual(await subjects(page), ["Sort charlie", "sort alpha", "Sort bravo"]);

  const subject = page.getByRole("columnheader", { name: "Subject" });
  await subject.getByRole("button").click();
  await page.locator('th[aria-sort="ascending"]', { hasText: "Subject" }).waitFor();
  await page.waitForFunction(
    () => document.querySelector("tbody td.col-subject")?.textContent === "sort alpha",
  );
  assert.deepEqual(await subjects(page), ["sort alpha", "Sort bravo", "Sort charlie"]);

  await subject.getByRole("button").click();
  await page.locator('th[aria-sort="descending"]', { hasText: "Subject" }).waitFor();
  await page.waitForFunction(
    () => document.querySelector("tbody td.col-subject")?.textContent === "Sort charlie",
  );
  assert.deepEqual(await subjects(page), ["Sort charlie", "Sort bravo", "sort alpha"]);

  // Priority sorts most urgent first on the first click.
  await page.getByRole("columnheader", { name: "Priority" }).getByRole("button").click();
  await page.locator('th[aria-sort="descending"]', { hasText: "Priority" }).waitFor();
  await page.waitForFunction(
    () => document.querySelector("tbody td.col-subject")?.textContent === "Sort bravo",
  );
  assert.deepEqual(await subjects(page), ["Sort bravo", "Sort charlie", "sort alpha"]);
  await context.close();
});

test("j/k move the highlight, x selects, Enter opens the ticket", async () => {
  const { api, newAgentPage } = e2e();
  const older = await api.createTicket("Keys older", "keys@customer.test", "Help", { tags: ["keys-e2e"] });
  await api.createTicket("Keys newer", "keys@customer.test", "Help", { tags: ["keys-e2e"] });
  const view = await tagView(api, "Keys", "keys-e2e");
  const { context, page } = await newAgentPage();
  await openView(page, view.id);

  const current = page.locator('tbody tr[aria-current="true"]');
  await page.keyboard.press("j");
  assert.match(await current.innerText(), /Keys newer/);
  await page.keyboard.press("j");
  assert.match(await current.innerText(), /Keys older/);
  await page.keyboard.press("k");
  assert.match(await current.innerText(), /Keys newer/);
  await page.keyboard.press("ArrowDown");
  assert.match(await current.innerText(), /Keys older/);
  await page.keyboard.press("x");
  assert.equal(
    await page.getByRole("checkbox", { name: `Select ticket #${older.number} Keys older` }).isChecked(),
    true,
  );
  await page.getByRole("region", { name: "Bulk actions" }).getByText("1 selected").waitFor();
  await page.keyboard.press("x");
  await page.getByRole("region", { name: "Bulk actions" }).waitFor({ state: "detached" });

  // The help overlay lists the list's keys while the inbox is open.
  await page.keyboard.press("Shift+?");
  const help = page.getByRole("dialog");
  await help.getByText("Select or unselect the highlighted ticket").waitFor();
  await page.keyboard.press("Escape");
  await help.waitFor({ state: "detached" });

  await page.keyboard.press("Enter");
  await page.waitForURL(new RegExp(`/tickets/${older.id}$`));
  await context.close();
});

test("Enter on a focused button or view link does what that control does, not open the highlighted ticket", async () => {
  const { api, newAgentPage } = e2e();
  await api.createTicket("Enter control", "enter@customer.test", "Help", { tags: ["enter-e2e"] });
  const view = await tagView(api, "Enter keys", "enter-e2e");
  const other = await tagView(api, "Enter elsewhere", "enter-other-e2e");
  const { context, page } = await newAgentPage();
  await openView(page, view.id);
  await page.keyboard.press("j");
  await page.locator('tbody tr[aria-current="true"]').waitFor();
  await page.keyboard.press("x");

  const bulk = page.getByRole("region", { name: "Bulk actions" });
  await bulk.getByRole("button", { name: "Clear selection" }).focus();
  await page.keyboard.press("Enter");
  await bulk.waitFor({ state: "detached" });
  assert.match(page.url(), new RegExp(`/views/${view.id}$`));
  assert.equal(
    await page.getByRole("checkbox", { name: /Select ticket #\d+ Enter control/ }).isChecked(),
    false,
  );

  await page
    .getByRole("navigation", { name: "Views" })
    .getByRole("link", { name: /Enter elsewhere/ })
    .focus();
  await page.keyboard.press("Enter");
  await page.waitForURL(new RegExp(`/views/${other.id}$`));
  await context.close();
});

test("scrolling to the end loads the next page; Load more does the same from the keyboard", async () => {
  const { api, newAgentPage } = e2e();
  for (let i = 1; i <= 105; i++) {
    await api.createTicket(`Scroll ${String(i).padStart(3, "0")}`, "scroll@customer.test", "Help", {
      tags: ["scroll-e2e"],
    });
  }
  const view = await tagView(api, "Scrolling", "scroll-e2e");
  const { context, page } = await newAgentPage();
  await openView(page, view.id);
  const rows = page.locator("tbody tr");
  await expectCount(rows, 50);

  // Selecting a row first: it must stay selected while more rows load.
  await page.getByRole("checkbox", { name: /Select ticket #\d+ Scroll 105/ }).check();
  await rows.nth(49).scrollIntoViewIfNeeded();
  await page.waitForFunction(() => document.querySelectorAll("tbody tr").length === 100);

  const loadMore = page.getByRole("button", { name: "Load more tickets" });
  await loadMore.focus();
  // Focus on the button holds the automatic loading back: the key decides.
  await expectCount(rows, 100);
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.querySelectorAll("tbody tr").length === 105);
  await loadMore.waitFor({ state: "detached" });
  // Focus moved to the first row that arrived.
  const focused = page.getByRole("link", { name: "Scroll 005" });
  await page.waitForFunction(() => document.activeElement?.textContent === "Scroll 005");
  assert.equal(await focused.evaluate((el) => el === document.activeElement), true);
  assert.equal(await page.getByRole("checkbox", { name: /Select ticket #\d+ Scroll 105/ }).isChecked(), true);
  const all = await subjects(page);
  assert.equal(new Set(all).size, 105);
  assert.equal(all[0], "Scroll 105");
  assert.equal(all[104], "Scroll 001");
  await context.close();
});

test("at tablet width the list keeps its key columns and fits the screen", async () => {
  const { api, browser, url } = e2e();
  await api.createTicket("Tablet ticket with a fairly long subject line", "tablet@customer.test", "Help", {
    tags: ["tablet-e2e"],
  });
  const view = await tagView(api, "Tablet", "tablet-e2e");
  const context = await browser.newContext({ baseURL: url, viewport: { width: 800, height: 1000 } });
  const page = await context.newPage();
  const { signIn, ADMIN_EMAIL, ADMIN_PASSWORD } = await import("./harness.ts");
  await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  await openView(page, view.id);

  for (const name of ["Number", "Subject", "Requester", "Status", "Assignee"]) {
    assert.equal(await page.getByRole("columnheader", { name }).isVisible(), true, name);
  }
  for (const name of ["Group", "Priority", "Updated"]) {
    assert.equal(await page.getByRole("columnheader", { name }).isVisible(), false, name);
  }
  const overflow = await page.evaluate(() => {
    const main = document.querySelector(".inbox-main")!;
    return main.scrollWidth - main.clientWidth;
  });
  assert.ok(overflow <= 0, `the list overflows by ${overflow}px`);
  // The views are still one tap away.
  assert.equal(await page.getByRole("link", { name: /^All open/ }).isVisible(), true);
  await context.close();
});
