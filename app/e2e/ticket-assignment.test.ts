import assert from "node:assert/strict";
import { test } from "node:test";
import { AGENT_PASSWORD, expectCount, useE2e } from "./harness.ts";

const e2e = useE2e();

// One rule for who may be assigned a ticket (docs/tickets.md): admins any ticket, agents the
// tickets of their groups. The first admin is in no group.
test("the first admin, in no group, takes a Billing ticket with a; the list offers admin and members only", async () => {
  const { api, newAgentPage } = e2e();
  const me = await api.get<{ id: number; name: string }>("/api/v1/me");
  const billing = await api.post<{ id: number }>("/api/v1/groups", { name: "Billing" });
  await api.createAgent("Bea Billing", "bea@e2e.test", { groupIds: [billing.id] });
  await api.createAgent("Otto Outside", "otto@e2e.test");
  const ticket = await api.createTicket("Refund twice", "rita@customer.test", "Charged twice.", {
    groupId: billing.id,
  });
  const { context, page } = await newAgentPage();
  await page.goto(`/tickets/${ticket.id}`);
  await page.getByRole("textbox", { name: "Reply" }).waitFor();
  const assignee = page.getByRole("combobox", { name: "Assignee" });
  await expectCount(assignee.getByRole("option"), 3);
  const offered = await assignee.getByRole("option").allInnerTexts();
  assert.deepEqual(offered.sort(), [`${me.name} (me)`, "Bea Billing", "Unassigned"].sort());

  await page.getByRole("heading", { level: 1 }).click();
  await page.keyboard.press("a");
  await page
    .getByRole("list", { name: "Conversation" })
    .getByText(/took the ticket/)
    .waitFor();
  assert.equal((await api.get(`/api/v1/tickets/${ticket.id}`)).assigneeId, me.id);
  await context.close();
});

test("an agent outside the ticket's group who presses a reads why, in a whole sentence", async () => {
  const { api, newAgentPage } = e2e();
  const shipping = await api.post<{ id: number }>("/api/v1/groups", { name: "Shipping" });
  await api.createAgent("Nia Nogroup", "nia@e2e.test");
  const ticket = await api.createTicket("Parcel lost", "pat@customer.test", "Where is it?", {
    groupId: shipping.id,
  });
  const { context, page } = await newAgentPage("nia@e2e.test", AGENT_PASSWORD);
  await page.goto(`/tickets/${ticket.id}`);
  await page.getByRole("textbox", { name: "Reply" }).waitFor();
  // The panel does not offer her the ticket...
  await page.getByRole("combobox", { name: "Assignee" }).getByRole("option", { name: "Unassigned" }).waitFor({
    state: "attached",
  });
  await expectCount(page.getByRole("button", { name: "Assign to me" }), 0);
  // ...and the key says why the server refused it.
  await page.getByRole("heading", { level: 1 }).click();
  await page.keyboard.press("a");
  await page
    .getByRole("alert")
    .filter({
      hasText: "Nia Nogroup is not a member of the Shipping group, so the ticket cannot be assigned to them.",
    })
    .waitFor();
  assert.equal((await api.get(`/api/v1/tickets/${ticket.id}`)).assigneeId, null);
  await context.close();
});
