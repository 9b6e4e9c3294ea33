import assert from "node:assert/strict";
import { test } from "node:test";
import { AGENT_PASSWORD, expectCount, useE2e } from "./harness.ts";

const e2e = useE2e();

test("an agent splits a second question off into a new ticket and both tickets link to each other", async () => {
  const { api, newAgentPage } = e2e();
  const original = await api.createTicket(
    "Invoice and password",
    "ines@customer.test",
    "My invoice is wrong.",
  );
  await api.post(`/api/v1/tickets/${original.id}/messages`, {
    body: "Also, my password reset mail never arrives.",
    kind: "reply",
  });
  const { context, page } = await newAgentPage();
  await page.goto(`/tickets/${original.id}`);
  const thread = page.getByRole("list", { name: "Conversation" });
  await thread.getByText("Also, my password reset mail never arrives.").waitFor();
  // The first message opens the ticket and system entries are history: only the reply is offered.
  const splitButtons = page.getByRole("button", { name: "Split into new ticket" });
  await expectCount(splitButtons, 1);
  await splitButtons.click();

  const dialog = page.getByRole("dialog", { name: "Split into a new ticket" });
  await dialog.getByText(/This message moves to a new ticket for the same customer/).waitFor();
  const subject = dialog.getByRole("textbox", { name: "Subject of the new ticket" });
  assert.equal(await subject.inputValue(), "Invoice and password");
  await subject.fill("Password reset");
  await dialog.getByRole("button", { name: "Split into new ticket" }).click();

  await page.getByRole("heading", { name: /Password reset/ }).waitFor();
  const created = Number(new URL(page.url()).pathname.split("/").at(-1));
  assert.notEqual(created, original.id);
  await page
    .getByRole("list", { name: "Conversation" })
    .getByText("Also, my password reset mail never arrives.")
    .waitFor();
  // The customer panel lists the requester's other tickets too: the thread's line is the one.
  await thread.getByRole("link", { name: `#${original.number} Invoice and password` }).click();

  await page.getByRole("heading", { name: /Invoice and password/ }).waitFor();
  await expectCount(thread.getByText("Also, my password reset mail never arrives."), 0);
  await thread.getByText("My invoice is wrong.").waitFor();
  const toNew = thread.getByRole("link", { name: /Password reset$/ });
  await toNew.click();
  await page.waitForURL(`**/tickets/${created}`);
  await context.close();
});

test("a refused split says why in a sentence and keeps the dialog open", async () => {
  const { api, newAgentPage } = e2e();
  const ticket = await api.createTicket("Two questions", "tom@customer.test", "First question.");
  const reply = await api.post<{ message: { id: number } }>(`/api/v1/tickets/${ticket.id}/messages`, {
    body: "Second question.",
    kind: "reply",
  });
  const { context, page } = await newAgentPage();
  await page.goto(`/tickets/${ticket.id}`);
  await page.getByRole("button", { name: "Split into new ticket" }).click();
  const dialog = page.getByRole("dialog", { name: "Split into a new ticket" });
  await dialog.waitFor();
  // Another agent moves the same message away first.
  await api.post(`/api/v1/tickets/${ticket.id}/split`, { messageId: reply.message.id });
  await dialog.getByRole("button", { name: "Split into new ticket" }).click();
  await dialog
    .getByRole("alert")
    .getByText(`Message ${reply.message.id} is not a reply or note on this ticket.`, { exact: true })
    .waitFor();
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expectCount(page.getByRole("dialog"), 0);
  await context.close();
});

test("light agents and closed tickets offer no split", async () => {
  const { api, newAgentPage } = e2e();
  await api.createAgent("Lia Light", "lia.split@e2e.test", { role: "light_agent", ticketAccess: "all" });
  const ticket = await api.createTicket("Read only split", "rae@customer.test", "First.");
  await api.post(`/api/v1/tickets/${ticket.id}/messages`, { body: "Second.", kind: "reply" });
  const light = await newAgentPage("lia.split@e2e.test", AGENT_PASSWORD);
  await light.page.goto(`/tickets/${ticket.id}`);
  await light.page.getByRole("list", { name: "Conversation" }).getByText("Second.").waitFor();
  await expectCount(light.page.getByRole("button", { name: "Split into new ticket" }), 0);
  await light.context.close();

  const closed = await api.createTicket("Closed split", "cy@customer.test", "First.");
  await api.post(`/api/v1/tickets/${closed.id}/messages`, {
    body: "Second.",
    kind: "reply",
    status: "solved",
  });
  await api.patch(`/api/v1/tickets/${closed.id}`, { status: "closed" });
  const { context, page } = await newAgentPage();
  await page.goto(`/tickets/${closed.id}`);
  await page.getByText("This ticket is closed and read-only.", { exact: false }).waitFor();
  await expectCount(page.getByRole("button", { name: "Split into new ticket" }), 0);
  await context.close();
});
