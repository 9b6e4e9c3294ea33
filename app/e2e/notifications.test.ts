// The bell in the header: a notification arrives live, the popover lists it (and passes axe in
// light and dark mode), clicking it opens the ticket and the count drops.
import assert from "node:assert/strict";
import { test } from "node:test";
import axe from "axe-core";
import type { Page } from "playwright-core";
import { AGENT_PASSWORD, ApiSession, signIn, useE2e } from "./harness.ts";

const e2e = useE2e();

async function seriousViolations(page: Page) {
  await page.addScriptTag({ content: axe.source });
  const results = (await page.evaluate(() => {
    const runner = (globalThis as unknown as { axe: { run: (options: unknown) => Promise<unknown> } }).axe;
    return runner.run({ resultTypes: ["violations"] });
  })) as axe.AxeResults;
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}

test("an assignment by a colleague lights the bell live; opening it leads to the ticket", async () => {
  const { api, browser, url } = e2e();
  const ada = await api.createAgent("Ada Assignee", "ada@e2e.test");
  await api.createAgent("Ben Boss", "ben@e2e.test");
  const ticket = await api.createTicket("Refund for order 1234", "cleo@customer.test");
  const ben = await new ApiSession(url).login("ben@e2e.test", AGENT_PASSWORD);

  // axe is injected as a script; the app's Content-Security-Policy would refuse it.
  const context = await browser.newContext({
    baseURL: url,
    viewport: { width: 1280, height: 800 },
    bypassCSP: true,
  });
  const page = await context.newPage();
  await signIn(page, "ada@e2e.test", AGENT_PASSWORD);
  const banner = page.getByRole("banner");
  await banner.getByRole("button", { name: "Notifications, none unread" }).waitFor();
  await banner.getByText("Live").waitFor();

  // A mark on this document: a reload would lose it.
  const inboxUrl = page.url();
  await page.evaluate(() => {
    (globalThis as unknown as { bellMark: number }).bellMark = 1;
  });
  await ben.patch(`/api/v1/tickets/${ticket.id}`, { assigneeId: ada.id });
  const bell = banner.getByRole("button", { name: "Notifications, 1 unread" });
  await bell.waitFor();
  assert.equal(page.url(), inboxUrl);
  const mark = await page.evaluate(() => (globalThis as unknown as { bellMark?: number }).bellMark);
  assert.equal(mark, 1, "the count arrived without a reload");

  await bell.click();
  const popover = page.getByRole("dialog", { name: "Notifications" });
  const item = popover.getByRole("button", { name: /Ben Boss assigned you a ticket/ });
  await item.waitFor();
  assert.match(await item.innerText(), new RegExp(`#${ticket.number} Refund for order 1234`));
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    assert.deepEqual(await seriousViolations(page), [], `axe on the open bell (${scheme})`);
  }

  await item.click();
  await page.waitForURL(`**/tickets/${ticket.id}`);
  await page.getByRole("heading", { name: "Refund for order 1234" }).first().waitFor();
  await banner.getByRole("button", { name: "Notifications, none unread" }).waitFor();
  const unread = await api.get("/api/v1/notifications/unread-count");
  assert.equal(unread.unreadCount, 0, "the admin has none of Ada's notifications");
  await context.close();
});

test("mark all read clears the count", async () => {
  const { api, newAgentPage } = e2e();
  const cy = await api.createAgent("Cy Many", "cy@e2e.test");
  for (const subject of ["First for Cy", "Second for Cy"]) {
    await api.createTicket(subject, "dee@customer.test", "Hello.", { assigneeId: cy.id });
  }
  const { context, page } = await newAgentPage("cy@e2e.test", AGENT_PASSWORD);
  const banner = page.getByRole("banner");
  await banner.getByRole("button", { name: "Notifications, 2 unread" }).click();
  const popover = page.getByRole("dialog", { name: "Notifications" });
  await popover.getByRole("button", { name: /Second for Cy/ }).waitFor();
  await popover.getByRole("button", { name: "Mark all read" }).click();
  await banner.getByRole("button", { name: "Notifications, none unread" }).waitFor();
  assert.equal(await popover.getByRole("button", { name: "Mark all read" }).isDisabled(), true);
  await context.close();
});
