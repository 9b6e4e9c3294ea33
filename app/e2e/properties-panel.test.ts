import assert from "node:assert/strict";
import { test } from "node:test";
import type { Locator, Page } from "playwright-core";
import { AGENT_PASSWORD, expectCount, useE2e } from "./harness.ts";

const e2e = useE2e();

// Waits until a form control shows the value (a live update or a save's answer).
async function waitForValue(locator: Locator, value: string) {
  const handle = await locator.elementHandle();
  await locator
    .page()
    .waitForFunction(([el, v]) => (el as unknown as { value: string }).value === v, [handle, value] as const);
}

// The page saves in the background; this waits until the API has the change.
async function savedTicket(id: number, check: (ticket: Record<string, any>) => boolean) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ticket = await e2e().api.get(`/api/v1/tickets/${id}`);
    if (check(ticket)) return ticket;
    if (Date.now() > deadline)
      throw new Error(`ticket ${id} never saved as expected: ${JSON.stringify(ticket)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function openTicket(page: Page, id: number) {
  await page.goto(`/tickets/${id}`);
  await page.getByRole("region", { name: "Properties" }).waitFor();
}

const properties = (page: Page) => page.getByRole("region", { name: "Properties" });

test("an agent assigns a ticket to themself and changes its status", async () => {
  const { api, newAgentPage } = e2e();
  const ticket = await api.createTicket("Cannot export invoices", "robin@customer.test");
  const { context, page } = await newAgentPage();
  await openTicket(page, ticket.id);
  const panel = properties(page);

  await panel.getByRole("button", { name: "Assign to me" }).click();
  const me = await api.get("/api/v1/me");
  await waitForValue(panel.getByLabel("Assignee"), String(me.id));
  // Once assigned to me, the shortcut button goes away.
  await panel.getByRole("button", { name: "Assign to me" }).waitFor({ state: "detached" });

  await panel.getByLabel("Status").selectOption("pending");
  await panel.getByLabel("Priority").selectOption("high");
  await panel.getByLabel("Type").selectOption("incident");
  await waitForValue(panel.getByLabel("Type"), "incident");
  // The three quick changes were sent one after another, none conflicting with the previous.
  await savedTicket(ticket.id, (t) => t.type === "incident");
  const saved = await api.get(`/api/v1/tickets/${ticket.id}`);
  assert.equal(saved.assigneeId, me.id);
  assert.equal(saved.status, "pending");
  assert.equal(saved.priority, "high");
  await expectCount(panel.getByRole("alert"), 0);
  await context.close();
});

test("a change by another agent meanwhile is refused with a message and the latest version shown", async () => {
  const { api, newAgentPage } = e2e();
  await api.createAgent("Blake Agent", "blake@e2e.test");
  const ticket = await api.createTicket("Refund request", "sam@customer.test");
  const before = await api.get(`/api/v1/tickets/${ticket.id}`);

  const a = await newAgentPage();
  // A's live connection is cut, so B's change cannot reach A's screen before A acts.
  await a.page.routeWebSocket(/\/api\/v1\/realtime/, () => {});
  await openTicket(a.page, ticket.id);

  const b = await newAgentPage("blake@e2e.test", AGENT_PASSWORD);
  await openTicket(b.page, ticket.id);
  await properties(b.page).getByLabel("Priority").selectOption("urgent");
  await savedTicket(ticket.id, (t) => t.priority === "urgent");

  const panelA = properties(a.page);
  await panelA.getByLabel("Status").selectOption("pending");
  await panelA.getByRole("alert").filter({ hasText: "Someone else changed this ticket" }).waitFor();
  // A now sees B's priority, and the status A tried stays unsaved.
  await waitForValue(panelA.getByLabel("Priority"), "urgent");
  await waitForValue(panelA.getByLabel("Status"), before.status);

  // Made again on the latest version, A's change goes through.
  await panelA.getByLabel("Status").selectOption("pending");
  const saved = await savedTicket(ticket.id, (t) => t.status === "pending");
  await a.page.getByRole("alert").filter({ hasText: "Someone else" }).waitFor({ state: "detached" });
  assert.equal(saved.priority, "urgent");
  await a.context.close();
  await b.context.close();
});

test("a change by another agent shows up live in an open ticket page", async () => {
  const { api, newAgentPage } = e2e();
  const ticket = await api.createTicket("Login loop", "kim@customer.test");
  const a = await newAgentPage();
  await openTicket(a.page, ticket.id);
  await a.page.getByRole("status").filter({ hasText: "Live" }).waitFor();
  const b = await newAgentPage("blake@e2e.test", AGENT_PASSWORD);
  await openTicket(b.page, ticket.id);
  await properties(b.page).getByLabel("Priority").selectOption("low");
  await waitForValue(properties(a.page).getByLabel("Priority"), "low");
  await a.context.close();
  await b.context.close();
});

test("tags are added and removed from the keyboard", async () => {
  const { api, newAgentPage } = e2e();
  const ticket = await api.createTicket("Wrong VAT", "lee@customer.test", "Hi", { tags: ["billing"] });
  const { context, page } = await newAgentPage();
  await openTicket(page, ticket.id);
  const panel = properties(page);
  await panel.getByRole("listitem").filter({ hasText: "billing" }).waitFor();

  await panel.getByLabel("Add a tag").fill("vip");
  await panel.getByLabel("Add a tag").press("Enter");
  await panel.getByRole("button", { name: "Remove tag vip" }).waitFor();
  await panel.getByRole("button", { name: "Remove tag billing" }).click();
  await panel.getByRole("button", { name: "Remove tag billing" }).waitFor({ state: "detached" });
  await savedTicket(ticket.id, (t) => t.tags.join() === "vip");
  await context.close();
});

test("custom fields of every kind are edited, and a required one blocks solving with its own error", async () => {
  const { api, newAgentPage } = e2e();
  const fields = [
    { key: "order_ref", label: "Order reference", kind: "text", requiredOnSolve: true },
    { key: "seats", label: "Seats", kind: "number" },
    { key: "renewal", label: "Renewal date", kind: "date" },
    { key: "plan", label: "Plan", kind: "dropdown", options: ["Free", "Pro", "Enterprise"] },
    { key: "areas", label: "Areas", kind: "multi_select", options: ["Billing", "Login", "API"] },
    { key: "escalated", label: "Escalated", kind: "checkbox" },
  ];
  for (const field of fields) await api.post("/api/v1/custom-fields", field);
  const ticket = await api.createTicket("Seats do not add up", "ari@customer.test");
  const { context, page } = await newAgentPage();
  await openTicket(page, ticket.id);
  const panel = properties(page);

  await panel.getByLabel("Status").selectOption("solved");
  await panel.getByRole("alert").filter({ hasText: "Fill in the required fields before solving" }).waitFor();
  // The reason is shown beside the field it is about, and the field is marked invalid.
  await panel.getByText("Order reference is required to solve the ticket").waitFor();
  const orderRef = panel.getByLabel("Order reference");
  assert.equal(await orderRef.getAttribute("aria-invalid"), "true");

  await orderRef.fill("PO-1138");
  await orderRef.press("Enter");
  await panel.getByLabel("Seats").fill("12");
  await panel.getByLabel("Seats").press("Tab");
  await panel.getByLabel("Renewal date").fill("2027-03-01");
  await panel.getByLabel("Renewal date").press("Tab");
  await panel.getByLabel("Plan").selectOption("Pro");
  // Choices show checked once saved.
  const login = panel.getByRole("group", { name: "Areas" }).getByLabel("Login");
  await login.click();
  await page.waitForFunction(
    (el) => (el as unknown as { checked: boolean }).checked,
    await login.elementHandle(),
  );
  const escalated = panel.getByLabel("Escalated");
  await escalated.click();
  await page.waitForFunction(
    (el) => (el as unknown as { checked: boolean }).checked,
    await escalated.elementHandle(),
  );
  await savedTicket(ticket.id, (t) => t.customFields.escalated === true);

  await panel.getByLabel("Status").selectOption("solved");
  await savedTicket(ticket.id, (t) => t.status === "solved");
  const saved = await api.get(`/api/v1/tickets/${ticket.id}`);
  assert.deepEqual(saved.customFields, {
    order_ref: "PO-1138",
    seats: 12,
    renewal: "2027-03-01",
    plan: "Pro",
    areas: ["Login"],
    escalated: true,
  });
  await context.close();
});
