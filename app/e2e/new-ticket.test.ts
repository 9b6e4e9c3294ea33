import assert from "node:assert/strict";
import { test } from "node:test";
import { AGENT_PASSWORD, useE2e } from "./harness.ts";

const e2e = useE2e();

test("New ticket in the header: the API's refusals show beside their fields", async () => {
  const { newAgentPage } = e2e();
  const { context, page } = await newAgentPage();
  await page.getByRole("banner").getByRole("button", { name: "New ticket" }).click();
  const form = page.getByRole("dialog", { name: "New ticket" }).getByRole("form", { name: "New ticket" });
  await form.getByRole("button", { name: "Create ticket" }).click();
  const subject = form.getByLabel("Subject");
  const body = form.getByLabel("First message");
  // A field's message sits in the field's own frame, next to its control.
  const fieldOf = (label: string) =>
    form.locator(".field").filter({ has: page.getByLabel(label, { exact: true }) });
  await fieldOf("Subject").getByRole("alert").waitFor();
  await fieldOf("First message").getByRole("alert").waitFor();
  assert.equal(await subject.getAttribute("aria-invalid"), "true");
  assert.equal(await body.getAttribute("aria-invalid"), "true");

  await subject.fill("Cannot log in");
  await body.fill("Called in: the login page loops.");
  await form.getByRole("button", { name: "Create ticket" }).click();
  const requester = form.getByRole("combobox", { name: "Requester" });
  await fieldOf("Requester").getByRole("alert").filter({ hasText: "A ticket needs a requester." }).waitFor();
  assert.equal(await requester.getAttribute("aria-invalid"), "true");
  // The fields fixed meanwhile no longer say they are wrong.
  assert.equal(await subject.getAttribute("aria-invalid"), null);

  await requester.fill("not-an-address");
  await form.getByRole("button", { name: "Create ticket" }).click();
  await fieldOf("Requester")
    .getByRole("alert")
    .filter({ hasText: "Pick a contact from the list, or type a whole email address." })
    .waitFor();
  await context.close();
});

test("a ticket for a known contact, found by name, with group and priority; c opens the form", async () => {
  const { api, newAgentPage } = e2e();
  const group = await api.post("/api/v1/groups", { name: "Billing" });
  const contact = await api.post("/api/v1/contacts", { name: "Hank Scorpio", emails: ["hank@globex.test"] });
  const { context, page } = await newAgentPage();
  await page.getByRole("heading", { level: 1 }).click();
  await page.keyboard.press("c");
  const form = page.getByRole("form", { name: "New ticket" });
  const requester = form.getByRole("combobox", { name: "Requester" });
  await requester.fill("scorp");
  await form.getByRole("option", { name: "Hank Scorpio <hank@globex.test>" }).waitFor();
  await page.keyboard.press("Enter");
  await form.getByRole("group", { name: "Requester" }).getByText("Hank Scorpio <hank@globex.test>").waitFor();
  await form.getByLabel("Subject").fill("Invoice twice");
  await form.getByLabel("First message").fill("He was charged twice in March.");
  await form.getByLabel("Group").selectOption({ label: "Billing" });
  await form.getByLabel("Priority").selectOption("high");
  await form.getByRole("button", { name: "Create ticket" }).click();
  await page.waitForURL(/\/tickets\/\d+$/);
  await page.getByRole("heading", { level: 1, name: /Invoice twice/ }).waitFor();
  await page.getByText("He was charged twice in March.").waitFor();
  const id = Number(new URL(page.url()).pathname.split("/").pop());
  const ticket = await api.get(`/api/v1/tickets/${id}`);
  assert.equal(ticket.requesterId, contact.id);
  assert.equal(ticket.groupId, group.id);
  assert.equal(ticket.priority, "high");
  await context.close();
});

test("a ticket for a new address makes the contact, named as typed", async () => {
  const { api, newAgentPage } = e2e();
  const { context, page } = await newAgentPage();
  await page.getByRole("banner").getByRole("button", { name: "New ticket" }).click();
  const form = page.getByRole("form", { name: "New ticket" });
  await form.getByRole("combobox", { name: "Requester" }).fill("walk.in@newcustomer.test");
  await form.getByText("No contact has this address yet").waitFor();
  await form.getByLabel("Name of the new contact").fill("Wanda Walkin");
  await form.getByLabel("Subject").fill("Visited the shop");
  await form.getByLabel("First message").fill("Wants a refund for the lamp.");
  await form.getByRole("button", { name: "Create ticket" }).click();
  await page.getByRole("heading", { level: 1, name: /Visited the shop/ }).waitFor();
  const id = Number(new URL(page.url()).pathname.split("/").pop());
  const ticket = await api.get(`/api/v1/tickets/${id}`);
  const contact = await api.get(`/api/v1/contacts/${ticket.requesterId}`);
  assert.equal(contact.name, "Wanda Walkin");
  assert.deepEqual(contact.emails, ["walk.in@newcustomer.test"]);
  await context.close();
});

test("a light agent, who may only add notes, is not offered New ticket", async () => {
  const { api, newAgentPage } = e2e();
  await api.createAgent("Lee Light", "lee.light@e2e.test", { role: "light_agent" });
  const { context, page } = await newAgentPage("lee.light@e2e.test", AGENT_PASSWORD);
  const banner = page.getByRole("banner");
  await banner.getByRole("link", { name: "Settings for Lee Light" }).waitFor();
  assert.equal(await banner.getByRole("button", { name: "New ticket" }).count(), 0);
  await page.getByRole("heading", { level: 1 }).click();
  await page.keyboard.press("c");
  await page.keyboard.press("Shift+?");
  const help = page.getByRole("dialog", { name: "Keyboard shortcuts" });
  await help.waitFor();
  assert.doesNotMatch(await help.innerText(), /New ticket/);
  await context.close();
});
