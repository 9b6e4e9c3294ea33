import assert from "node:assert/strict";
import { test } from "node:test";
import { AGENT_PASSWORD, ApiSession, expectCount, useE2e } from "./harness.ts";

const e2e = useE2e();

test("agent A sees agent B on the ticket and is warned before sending after B replied", async () => {
  const { api, newAgentPage } = e2e();
  await api.createAgent("Bea Baker", "bea@e2e.test");
  const ticket = await api.createTicket("Refund for order 1182", "noa@customer.test", "Where is my refund?");

  const a = await newAgentPage();
  const b = await newAgentPage("bea@e2e.test", AGENT_PASSWORD);
  await a.page.goto(`/tickets/${ticket.id}`);
  await b.page.goto(`/tickets/${ticket.id}`);

  // Presence: A sees B viewing, then typing.
  const presence = a.page.getByRole("status", { name: "Others on this ticket" });
  await presence.getByText("Bea Baker is viewing").waitFor();
  await a.page.getByRole("textbox", { name: "Reply" }).fill("Your refund was issued yesterday.");
  await b.page.getByRole("textbox", { name: "Reply" }).fill("Refund is on its way!");
  await presence.getByText("Bea Baker is typing…").waitFor();

  // B sends first; A, still composing, is stopped before sending.
  await b.page.getByRole("button", { name: "Send reply" }).click();
  await b.page.getByRole("article", { name: "Reply by Bea Baker" }).waitFor();
  await a.page.getByRole("button", { name: "Send reply" }).click();
  const warning = a.page.getByRole("alertdialog", { name: "New activity on this ticket" });
  await warning.getByText("A new reply arrived while you were writing.").waitFor();
  const beforeWarning = await api.get(`/api/v1/tickets/${ticket.id}/messages`);
  assert.equal(beforeWarning.data.length, 2, "A's reply was not sent yet");

  // Review: B's reply is marked new and shown; the draft is kept.
  await warning.getByRole("button", { name: "Review it" }).click();
  const news = a.page.getByRole("article", { name: "Reply by Bea Baker" });
  await news.getByText("New", { exact: true }).waitFor();
  await expectCount(warning, 0);
  assert.match(await a.page.getByRole("textbox", { name: "Reply" }).innerText(), /issued yesterday/);

  // Having seen it, A sends without another warning.
  await a.page.getByRole("button", { name: "Send reply" }).click();
  await a.page
    .getByRole("article", { name: /^Reply by/ })
    .filter({ hasText: "issued yesterday" })
    .waitFor();
  const after = await api.get(`/api/v1/tickets/${ticket.id}/messages`);
  assert.equal(after.data.length, 3);

  // Leaving the ticket takes B off A's chips.
  await b.page.goto("/");
  await presence.getByText("Bea Baker").waitFor({ state: "detached" });
  await a.context.close();
  await b.context.close();
});

test("send anyway sends the draft as it is after the warning", async () => {
  const { api, newAgentPage } = e2e();
  const ticket = await api.createTicket("Shipping address", "ivo@customer.test");
  const { context, page } = await newAgentPage();
  await page.goto(`/tickets/${ticket.id}`);
  await page.getByRole("textbox", { name: "Reply" }).fill("We changed the address.");
  // A note by the same admin account, written through the API: one's own messages never warn.
  await api.post(`/api/v1/tickets/${ticket.id}/messages`, { body: "Internal: carrier called", kind: "note" });
  await page.getByRole("article", { name: /^Internal note by/ }).waitFor();
  await page.getByRole("button", { name: "Send reply" }).click();
  await page
    .getByRole("article", { name: /^Reply by/ })
    .filter({ hasText: "changed the address" })
    .waitFor();

  await page.getByRole("textbox", { name: "Reply" }).fill("Anything else?");
  await api.createAgent("Cy Other", "cy@e2e.test");
  const cy = await new ApiSession(e2e().url).login("cy@e2e.test", AGENT_PASSWORD);
  await cy.post(`/api/v1/tickets/${ticket.id}/messages`, { body: "I called them too.", kind: "note" });
  await page.getByRole("button", { name: "Send reply" }).click();
  const warning = page.getByRole("alertdialog", { name: "New activity on this ticket" });
  await warning.getByText("A new note was added while you were writing.").waitFor();
  await warning.getByRole("button", { name: "Send anyway" }).click();
  await page
    .getByRole("article", { name: /^Reply by/ })
    .filter({ hasText: "Anything else?" })
    .waitFor();
  await context.close();
});

test("an @mention in a note picks an agent from the list and notifies them", async () => {
  const { api, newAgentPage } = e2e();
  const dana = await api.createAgent("Dana Scully", "dana@e2e.test");
  const ticket = await api.createTicket("Odd charges", "max@customer.test");
  const { context, page } = await newAgentPage();
  await page.goto(`/tickets/${ticket.id}`);
  await page.getByRole("textbox", { name: "Reply" }).waitFor();
  await page.keyboard.press("n");
  const editor = page.getByRole("textbox", { name: "Internal note" });
  await editor.pressSequentially("Please check @Dan");
  const option = page
    .getByRole("listbox", { name: "Mention an agent" })
    .getByRole("option", { name: "Dana Scully" });
  await option.waitFor();
  await editor.press("Enter");
  await editor.pressSequentially("thanks");
  await page.getByRole("button", { name: "Add note" }).click();
  const note = page.getByRole("article", { name: /^Internal note by/ }).filter({ hasText: "Please check" });
  await note.getByText("@Dana Scully").waitFor();
  const messages = await api.get(`/api/v1/tickets/${ticket.id}/messages`);
  assert.equal(messages.data.at(-1).body, "Please check @Dana Scully thanks");

  // Dana's notification, recorded by a job after the note committed.
  assert.equal(await mentionNotifications(ticket.id, dana.id), 1);
  await context.close();
});

// The notifications table has no API yet: read it the way the job wrote it.
async function mentionNotifications(ticketId: number, userId: number) {
  const { db } = e2e().server.database;
  for (let attempt = 0; attempt < 300; attempt++) {
    const found = await db
      .selectFrom("notifications")
      .select("id")
      .where("ticket_id", "=", ticketId)
      .where("user_id", "=", userId)
      .where("kind", "=", "mentioned")
      .execute();
    if (found.length) return found.length;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return 0;
}
