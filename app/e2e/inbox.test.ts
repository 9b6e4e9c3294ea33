import assert from "node:assert/strict";
import { test } from "node:test";
import { ADMIN_PASSWORD, AGENT_PASSWORD, expectCount, useE2e } from "./harness.ts";

const e2e = useE2e();

test("a wrong password is refused with a message, the right one opens the inbox", async () => {
  const { browser, url } = e2e();
  const context = await browser.newContext({ baseURL: url });
  const page = await context.newPage();
  await page.goto("/");
  await page.waitForURL(/\/login/);
  await page.getByLabel("Email").fill("admin@e2e.test");
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("alert").filter({ hasText: "Email or password is wrong" }).waitFor();

  await page.getByLabel("Password").fill(ADMIN_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  // The inbox opens the first view.
  await page.waitForURL(/\/views\/\d+$/);

  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL(/\/login/);
  await page.goto("/");
  await page.waitForURL(/\/login/);
  await context.close();
});

test("a click made while the inbox is still loading is not undone when the views arrive", async () => {
  const { browser, url } = e2e();
  const context = await browser.newContext({ baseURL: url });
  const page = await context.newPage();
  // Hold the views and the admin page's code, to click while both are on their way.
  const views = Promise.withResolvers<void>();
  const adminCode = Promise.withResolvers<void>();
  await page.route(/\/api\/v1\/views$/, async (route) => {
    await views.promise;
    await route.continue();
  });
  await page.route(/\/assets\/admin-page-[^/]*\.js$/, async (route) => {
    await adminCode.promise;
    await route.continue();
  });
  await page.goto("/login");
  await page.getByLabel("Email").fill("admin@e2e.test");
  await page.getByLabel("Password").fill(ADMIN_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" }).click();
  views.resolve();
  // The inbox, still on screen, shows the views it was waiting for...
  await page
    .getByRole("navigation", { name: "Views" })
    .getByRole("link", { name: /^All open/ })
    .waitFor();
  adminCode.resolve();
  // ...and the agent still lands where they clicked.
  await page.getByRole("heading", { level: 1, name: "Agents" }).waitFor();
  assert.match(page.url(), /\/admin\/agents$/);
  await context.close();
});

test("a ticket created through the API appears live in an open inbox", async () => {
  const { api, newAgentPage } = e2e();
  const { context, page } = await newAgentPage();
  await page.getByRole("link", { name: /^All open/ }).click();
  await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
  const subject = `Printer on fire ${Date.now()}`;
  await api.createTicket(subject, "casey@customer.test");
  const row = page.getByRole("row").filter({ hasText: subject });
  await row.waitFor();
  // The requester's name follows as soon as the new contact is read.
  await row.filter({ hasText: "casey" }).waitFor();
  await context.close();
});

test("an agent filters a view, saves it as their own view with a live count, and deletes it", async () => {
  const { api, newAgentPage } = e2e();
  await api.createTicket("Saved view urgent", "saver@customer.test", "Help", { priority: "urgent" });
  await api.createTicket("Saved view normal", "saver@customer.test", "Help");
  const { context, page } = await newAgentPage();
  await page.getByRole("link", { name: /^All open/ }).click();
  await page.getByRole("row").filter({ hasText: "Saved view normal" }).waitFor();

  await page.getByRole("button", { name: "Filter" }).click();
  const filters = page.getByRole("region", { name: "Filters" });
  await filters.getByRole("checkbox", { name: "Urgent" }).check();
  await page.getByRole("row").filter({ hasText: "Saved view normal" }).waitFor({ state: "detached" });
  await page.getByRole("row").filter({ hasText: "Saved view urgent" }).waitFor();
  await page.getByText("filters changed").waitFor();

  await page.getByRole("button", { name: "Save as view…" }).click();
  const dialog = page.getByRole("dialog", { name: "Save as view" });
  // Admins may share a view with the team; this one stays personal.
  await dialog.getByRole("checkbox", { name: "Share with the whole team" }).waitFor();
  await dialog.getByLabel("View name").fill("Urgent and open");
  await dialog.getByRole("button", { name: "Save view" }).click();
  await page.waitForURL(/\/views\/\d+$/);
  await page.getByRole("heading", { name: "Urgent and open" }).waitFor();

  const sidebar = page.getByRole("navigation", { name: "Views" });
  const mine = sidebar.getByRole("list", { name: "My views" });
  const link = mine.getByRole("link", { name: /^Urgent and open/ });
  await link.filter({ hasText: /1\s*tickets/ }).waitFor();
  // The count follows new tickets live.
  await api.createTicket("Saved view urgent too", "saver@customer.test", "Help", { priority: "urgent" });
  await link.filter({ hasText: /2\s*tickets/ }).waitFor();
  await page.getByRole("row").filter({ hasText: "Saved view urgent too" }).waitFor();

  const savedUrl = page.url();
  await mine.getByRole("button", { name: "Delete view Urgent and open" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Delete view" }).click();
  await link.waitFor({ state: "detached" });
  // It was on screen: the inbox goes back to the first view.
  await page.waitForURL((url) => url.href !== savedUrl && /\/views\/\d+$/.test(url.pathname));
  const views = await api.get("/api/v1/views");
  assert.ok(!views.data.some((view: { name: string }) => view.name === "Urgent and open"));
  await context.close();
});

test("an agent's saved view is theirs alone; only admins may share one", async () => {
  const { api, newAgentPage } = e2e();
  await api.createAgent("Petra Personal", "petra@e2e.test");
  const { context, page } = await newAgentPage("petra@e2e.test", AGENT_PASSWORD);
  await page.getByRole("link", { name: /^Pending/ }).click();
  await page.getByRole("heading", { name: "Pending" }).waitFor();
  await page.getByRole("button", { name: "Save as view…" }).click();
  const dialog = page.getByRole("dialog", { name: "Save as view" });
  await expectCount(dialog.getByRole("checkbox", { name: "Share with the whole team" }), 0);
  await dialog.getByLabel("View name").fill("Petra's pending");
  await dialog.getByRole("button", { name: "Save view" }).click();
  await page.getByRole("heading", { name: "Petra's pending" }).waitFor();
  const views = await api.get("/api/v1/views");
  assert.ok(!views.data.some((view: { name: string }) => view.name === "Petra's pending"));
  await context.close();
});

test("new tickets arrive live without moving the rows in view or losing the selection", async () => {
  const { api, newAgentPage } = e2e();
  for (let i = 1; i <= 40; i++) {
    await api.createTicket(`Live ${String(i).padStart(2, "0")}`, "live@customer.test", "Help", {
      tags: ["live-e2e"],
    });
  }
  const view = await api.post("/api/v1/views", {
    name: "Live list",
    shared: true,
    filters: { tag: ["live-e2e"] },
  });
  const { context, page } = await newAgentPage();
  await page.goto(`/views/${view.id}`);
  await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
  const selected = page.getByRole("checkbox", { name: /Select ticket #\d+ Live 10$/ });
  await selected.check();
  const anchor = page.getByRole("row").filter({ hasText: "Live 12" });
  await page.getByRole("row").filter({ hasText: "Live 05" }).scrollIntoViewIfNeeded();
  const before = (await anchor.boundingBox())?.y;

  await api.createTicket("Live arrival", "live@customer.test", "Help", { tags: ["live-e2e"] });
  await page.getByRole("row").filter({ hasText: "Live arrival" }).waitFor();
  assert.equal(await selected.isChecked(), true);
  const after = (await anchor.boundingBox())?.y;
  assert.ok(before !== undefined && after !== undefined);
  assert.ok(Math.abs(after - before) < 2, `the rows in view moved from ${before} to ${after}`);
  await page.getByRole("region", { name: "Bulk actions" }).getByText("1 selected").waitFor();
  await context.close();
});
