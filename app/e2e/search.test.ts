import assert from "node:assert/strict";
import { test } from "node:test";
import { expectCount, useE2e } from "./harness.ts";

// Code passed to the page runs in the browser; the tests' tsconfig has no DOM types.
declare const document: {
  activeElement: { textContent: string | null; getAttribute(name: string): string | null } | null;
  querySelector(
    selector: string,
  ): { textContent: string | null; scrollWidth: number; clientWidth: number } | null;
  querySelectorAll(selector: string): { length: number };
};

const e2e = useE2e();

test("search finds a ticket by a word of its first message and opens it", async () => {
  const { api, newAgentPage } = e2e();
  const ticket = await api.createTicket(
    "Strange noises",
    "noisy@customer.test",
    "The fan makes a zorblatt sound.",
  );
  await api.createTicket("Unrelated question", "quiet@customer.test", "Nothing special here.");
  const { context, page } = await newAgentPage();

  // "/" from the inbox opens search with the box focused.
  await page.getByRole("heading", { name: "My open tickets" }).waitFor();
  await page.keyboard.press("/");
  await page.waitForURL(/\/search/);
  const box = page.getByLabel("Search tickets and people");
  await page.waitForFunction(() => document.activeElement?.getAttribute("type") === "search");
  await box.pressSequentially("zorblatt");

  const results = page.getByRole("region", { name: "Tickets" });
  const hit = results.getByRole("link", { name: new RegExp(`#${ticket.number} Strange noises`) });
  await hit.waitFor();
  assert.match(await hit.innerText(), /New/);
  const snippet = results.locator("mark", { hasText: "zorblatt" });
  await snippet.waitFor();
  await expectCount(results.getByRole("link"), 1);
  await page.waitForURL(/\/search\?q=zorblatt$/);

  await box.press("ArrowDown");
  assert.equal(await hit.evaluate((el) => el === document.activeElement), true);
  await page.keyboard.press("Enter");
  await page.waitForURL(new RegExp(`/tickets/${ticket.id}$`));
  await context.close();
});

test("results follow the words as they change, and a person opens their contact page", async () => {
  const { api, newAgentPage } = e2e();
  const email = "wilhelmina.vandersloot@customer.test";
  await api.createTicket("Quixotic billing", email, "Invoice wrong");
  const latest = await api.createTicket("Second question", email, "Another one");
  const { context, page } = await newAgentPage();
  await page.goto("/search");
  const box = page.getByLabel("Search tickets and people");
  await box.fill("quixotic");
  await page.getByRole("link", { name: /Quixotic billing/ }).waitFor();

  await box.fill("Vandersloot");
  const person = page
    .getByRole("region", { name: "People and organizations" })
    .getByRole("link", { name: /wilhelmina\.vandersloot/ });
  await person.waitFor();
  await page.getByRole("link", { name: /Quixotic billing/ }).waitFor({ state: "detached" });

  await box.press("ArrowDown");
  assert.equal(await person.evaluate((el) => el === document.activeElement), true);
  await page.keyboard.press("ArrowUp");
  assert.equal(await box.evaluate((el) => el === document.activeElement), true);
  await box.press("Enter");
  await page.waitForURL(/\/contacts\/\d+$/);
  // The contact page lists the person's tickets, the latest first.
  const rows = page.getByRole("region", { name: "Tickets", exact: true }).getByRole("row");
  await rows.nth(2).waitFor();
  assert.match(await rows.nth(1).innerText(), new RegExp(`#${latest.number} Second question`));

  await page.goto("/search?q=nosuchwordanywhere");
  await page.getByRole("status").filter({ hasText: "Nothing found for “nosuchwordanywhere”." }).waitFor();
  await context.close();
});
