import assert from "node:assert/strict";
import { test } from "node:test";
import { useE2e } from "./harness.ts";

const e2e = useE2e();

test("r focuses the reply, a assigns the ticket to me, s solves and shows what solving needs", async () => {
  const { api, newAgentPage } = e2e();
  const me = await api.get<{ id: number }>("/api/v1/me");
  await api.post("/api/v1/custom-fields", {
    key: "order_ref",
    label: "Order reference",
    kind: "text",
    requiredOnSolve: true,
  });
  const ticket = await api.createTicket("Broken zipper", "uma@customer.test");
  const { context, page } = await newAgentPage();
  await page.goto(`/tickets/${ticket.id}`);
  await page.getByRole("textbox", { name: "Reply" }).waitFor();

  await page.keyboard.press("r");
  await page.locator('[aria-label="Reply"]:focus').waitFor();
  // Typing a shortcut letter in the editor writes it; it does not run the shortcut.
  await page.keyboard.type("a");
  assert.equal(await page.getByRole("textbox", { name: "Reply" }).innerText(), "a");
  await page.getByRole("heading", { level: 1 }).click();

  await page.keyboard.press("a");
  await page
    .getByRole("list", { name: "Conversation" })
    .getByText(/took the ticket/)
    .waitFor();
  assert.equal((await api.get(`/api/v1/tickets/${ticket.id}`)).assigneeId, me.id);

  await page.keyboard.press("s");
  await page
    .getByRole("alert")
    .filter({ hasText: "Order reference is required to solve the ticket" })
    .waitFor();
  assert.equal((await api.get(`/api/v1/tickets/${ticket.id}`)).status, "open");

  const current = await api.get(`/api/v1/tickets/${ticket.id}`);
  await api.patch(`/api/v1/tickets/${ticket.id}`, {
    customFields: { order_ref: "A-1182" },
    version: current.version,
  });
  await page.reload();
  await page.getByRole("textbox", { name: "Reply" }).waitFor();
  await page.keyboard.press("s");
  await page
    .getByRole("list", { name: "Conversation" })
    .getByText(/set status to Solved/)
    .waitFor();
  assert.equal((await api.get(`/api/v1/tickets/${ticket.id}`)).status, "solved");
  await context.close();
});

test("j and k walk the list the agent came from, and Escape goes back to it", async () => {
  const { api, newAgentPage } = e2e();
  const stamp = Date.now();
  // Different requesters: the page's own list of the requester's tickets must not be the one walked.
  for (const name of ["first", "second", "third"])
    await api.createTicket(`Walk ${name} ${stamp}`, `${name}@customer.test`);
  const { context, page } = await newAgentPage();
  await page.getByRole("link", { name: /^All open/ }).click();
  await page.waitForURL(/\/views\/\d+$/);
  const viewUrl = page.url();
  const links = page.getByRole("table").getByRole("link", { name: new RegExp(`^Walk .* ${stamp}$`) });
  await links.nth(2).waitFor();
  const order = await links.allInnerTexts();
  await links.nth(1).click();
  await page.getByRole("heading", { name: order[1] }).waitFor();

  await page.keyboard.press("j");
  await page.getByRole("heading", { name: order[2] }).waitFor();
  await page.keyboard.press("k");
  await page.keyboard.press("k");
  await page.getByRole("heading", { name: order[0] }).waitFor();

  await page.keyboard.press("Escape");
  await page.waitForURL(viewUrl);
  await context.close();
});

test("the ? overlay lists the ticket shortcuts while a ticket is open", async () => {
  const { api, newAgentPage } = e2e();
  const ticket = await api.createTicket("Help overlay", "hal@customer.test");
  const { context, page } = await newAgentPage();
  await page.goto(`/tickets/${ticket.id}`);
  await page.getByRole("textbox", { name: "Reply" }).waitFor();
  await page.keyboard.press("Shift+?");
  const dialog = page.getByRole("dialog", { name: "Keyboard shortcuts" });
  await dialog.waitFor();
  const text = await dialog.innerText();
  for (const label of [
    "Reply",
    "Internal note",
    "Assign to me",
    "Solve",
    "Next ticket",
    "Back to the inbox",
  ]) {
    assert.match(text, new RegExp(label));
  }
  await context.close();
});

test("Escape closes the ? overlay and stays on the ticket; the next Escape goes back", async () => {
  const { api, newAgentPage } = e2e();
  const ticket = await api.createTicket("Escape from help", "esc@customer.test");
  const { context, page } = await newAgentPage();
  await page.goto(`/tickets/${ticket.id}`);
  await page.getByRole("textbox", { name: "Reply" }).waitFor();
  const ticketUrl = page.url();
  await page.keyboard.press("Shift+?");
  const dialog = page.getByRole("dialog", { name: "Keyboard shortcuts" });
  await dialog.waitFor();
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "hidden" });
  // The router changes the address inside the key's own handler, so by now a leak has shown.
  assert.equal(page.url(), ticketUrl);
  await page.getByRole("heading", { name: /Escape from help/ }).waitFor();
  await page.keyboard.press("Escape");
  await page.waitForURL((url) => url.href !== ticketUrl);
  await context.close();
});

test("a draft stays with its ticket while the agent steps to the next one and back", async () => {
  const { api, newAgentPage } = e2e();
  const stamp = Date.now();
  for (const name of ["one", "two"])
    await api.createTicket(`Draft ${name} ${stamp}`, `${name}@customer.test`);
  const { context, page } = await newAgentPage();
  await page.getByRole("link", { name: /^All open/ }).click();
  const links = page.getByRole("table").getByRole("link", { name: new RegExp(`^Draft .* ${stamp}$`) });
  await links.nth(1).waitFor();
  const order = await links.allInnerTexts();
  await links.nth(0).click();
  await page.getByRole("radio", { name: "Internal note" }).check();
  await page.getByRole("textbox", { name: "Internal note" }).fill("Half-written thought");
  await page.getByRole("heading", { level: 1 }).click();

  await page.keyboard.press("j");
  await page.getByRole("heading", { name: order[1] }).waitFor();
  const reply = page.getByRole("textbox", { name: "Reply" });
  await reply.waitFor();
  assert.equal((await reply.innerText()).trim(), "");

  await page.keyboard.press("k");
  await page.getByRole("heading", { name: order[0] }).waitFor();
  await page.getByRole("textbox", { name: "Internal note" }).getByText("Half-written thought").waitFor();
  await page.getByRole("button", { name: "Add note" }).click();
  await page
    .getByRole("article", { name: /^Internal note by/ })
    .filter({ hasText: "Half-written" })
    .waitFor();
  assert.equal((await page.getByRole("textbox", { name: "Internal note" }).innerText()).trim(), "");
  await context.close();
});

test("sending as Solved without a required field says why and keeps the reply unsent", async () => {
  const { api, newAgentPage } = e2e();
  // The first test of this file made "Order reference" required on solve.
  const ticket = await api.createTicket("Solve with reply", "sol@customer.test");
  const { context, page } = await newAgentPage();
  await page.goto(`/tickets/${ticket.id}`);
  const editor = page.getByRole("textbox", { name: "Reply" });
  await editor.fill("All fixed now.");
  await page.getByRole("button", { name: "Send and set status" }).click();
  await page.getByRole("menuitem", { name: "Send as Solved" }).click();
  await page
    .getByRole("alert")
    .filter({ hasText: "Order reference is required to solve the ticket" })
    .waitFor();
  assert.equal(await editor.innerText(), "All fixed now.");
  assert.equal((await api.get(`/api/v1/tickets/${ticket.id}/messages`)).data.length, 1);
  await context.close();
});
