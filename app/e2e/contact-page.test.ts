import assert from "node:assert/strict";
import { test } from "node:test";
import { AGENT_PASSWORD, expectCount, useE2e } from "./harness.ts";

// Code passed to the page runs in the browser; the tests' tsconfig has no DOM types.
declare const document: { activeElement: { tagName: string; textContent: string | null } | null };

const e2e = useE2e();

async function contactWithTickets(name: string, email: string) {
  const { api } = e2e();
  const org = await api.post("/api/v1/organizations", { name: `${name} Holdings`, domains: [] });
  const contact = await api.post("/api/v1/contacts", {
    name,
    emails: [email],
    organizationId: org.id,
    timeZone: "Europe/Lisbon",
    attributes: { plan: "Gold", seats: 12 },
  });
  const ticket = (subject: string, channel: string) =>
    api.post("/api/v1/tickets", {
      subject,
      requester: { id: contact.id },
      channel,
      comment: { body: `${subject}, please.` },
    });
  const byMail = await ticket("Refund for order 1182", "email");
  const byPhone = await ticket("Called about delivery", "phone");
  return { contact, org, byMail, byPhone };
}

test("an agent finds a person, sees their tickets on every channel, edits them and opens a ticket", async () => {
  const { api, newAgentPage } = e2e();
  const { contact, byMail, byPhone } = await contactWithTickets("Octavia Pennywhistle", "octavia@shop.test");
  const { context, page } = await newAgentPage();
  await page.goto("/search");
  await page.getByLabel("Search tickets and people").fill("Pennywhistle");
  await page
    .getByRole("region", { name: "People and organizations" })
    .getByRole("link", { name: /^Octavia Pennywhistle\s*Contact/ })
    .click();
  await page.waitForURL(new RegExp(`/contacts/${contact.id}$`));

  const header = page.getByRole("region", { name: "Octavia Pennywhistle" });
  await header.getByRole("heading", { level: 1, name: "Octavia Pennywhistle" }).waitFor();
  await header.getByText("octavia@shop.test").waitFor();
  await header.getByText("Octavia Pennywhistle Holdings").waitFor();
  await header.getByText("Gold").waitFor();

  // Newest activity first: the phone ticket was created last.
  const rows = page.getByRole("region", { name: "Tickets", exact: true }).getByRole("row");
  await rows.nth(2).waitFor();
  assert.match(
    await rows.nth(1).innerText(),
    new RegExp(`#${byPhone.number} Called about delivery\\s+New\\s+Phone`),
  );
  assert.match(
    await rows.nth(2).innerText(),
    new RegExp(`#${byMail.number} Refund for order 1182\\s+New\\s+Email`),
  );

  // A bad language tag is refused by the API and explained beside its own field.
  await header.getByRole("button", { name: "Edit contact" }).click();
  const form = header.getByRole("form", { name: "Edit contact" });
  // The keyboard lands in the form, and comes back to the button once it is saved.
  await page.waitForFunction(() => document.activeElement?.tagName === "INPUT");
  assert.equal(await form.getByLabel("Name").evaluate((el) => el === document.activeElement), true);
  await form.getByLabel("Language", { exact: true }).fill("not a language");
  await form.getByRole("button", { name: "Save contact" }).click();
  const language = form.getByLabel("Language", { exact: true });
  await page.waitForFunction(
    (el) => el?.getAttribute("aria-invalid") === "true",
    await language.elementHandle(),
  );

  await language.fill("pt-BR");
  await form.getByLabel("Custom attributes").fill("plan: Platinum\nseats: 12");
  await form.getByRole("button", { name: "Save contact" }).click();
  await form.waitFor({ state: "detached" });
  await page.waitForFunction(() => document.activeElement?.textContent === "Edit contact");
  await page.reload();
  await header.getByText("pt-BR").waitFor();
  await header.getByText("Platinum").waitFor();
  const saved = await api.get(`/api/v1/contacts/${contact.id}`);
  assert.equal(saved.locale, "pt-BR");
  // The untouched attribute keeps its type; the edited one is the text typed.
  assert.deepEqual(saved.attributes, { plan: "Platinum", seats: 12 });

  await page.getByRole("link", { name: `#${byMail.number} Refund for order 1182` }).click();
  await page.waitForURL(new RegExp(`/tickets/${byMail.id}$`));
  await page.getByRole("heading", { name: /Refund for order 1182/ }).waitFor();
  await context.close();
});

test("the ticket list loads more, a page at a time, without repeating a ticket", async () => {
  const { api, newAgentPage } = e2e();
  const contact = await api.post("/api/v1/contacts", { name: "Busy Bee", emails: ["bee@hive.test"] });
  for (let i = 1; i <= 27; i++) {
    await api.post("/api/v1/tickets", {
      subject: `Question ${i}`,
      requester: { id: contact.id },
      comment: { body: "Hi." },
    });
  }
  const { context, page } = await newAgentPage();
  await page.goto(`/contacts/${contact.id}`);
  const list = page.getByRole("region", { name: "Tickets", exact: true });
  await list.getByRole("link", { name: /Question 27$/ }).waitFor();
  await expectCount(list.getByRole("row"), 1 + 25);
  await list.getByRole("button", { name: "Load more" }).click();
  await list.getByRole("link", { name: /Question 1$/ }).waitFor();
  const names = await list.getByRole("rowheader").allInnerTexts();
  assert.equal(names.length, 27);
  assert.equal(new Set(names).size, 27);
  await expectCount(list.getByRole("button", { name: "Load more" }), 0);
  await context.close();
});

test("an agent opens a ticket for the contact with an internal first message, and blocks them", async () => {
  const { api, newAgentPage } = e2e();
  const contact = await api.post("/api/v1/contacts", { name: "Walk In", emails: ["walk@in.test"] });
  const { context, page } = await newAgentPage();
  await page.goto(`/contacts/${contact.id}`);
  await page.getByRole("button", { name: "New ticket for this contact" }).click();
  const dialog = page.getByRole("dialog", { name: "New ticket for Walk In" });
  await dialog.getByLabel("Subject").fill("Came to the desk about a broken kettle");
  await dialog.getByLabel("First message").fill("Customer brought the kettle in person.");
  await dialog.getByLabel("Internal note").check();
  await dialog.getByRole("button", { name: "Create ticket" }).click();
  await page.waitForURL(/\/tickets\/\d+$/);
  const ticketId = Number(new URL(page.url()).pathname.split("/").pop());
  const ticket = await api.get(`/api/v1/tickets/${ticketId}`);
  assert.equal(ticket.requesterId, contact.id);
  assert.equal(ticket.subject, "Came to the desk about a broken kettle");
  const messages = await api.get(`/api/v1/tickets/${ticketId}/messages`);
  assert.equal(messages.data[0].kind, "note");

  await page.goto(`/contacts/${contact.id}`);
  await page.getByRole("button", { name: "Block contact" }).click();
  await page
    .getByRole("dialog", { name: "Block Walk In?" })
    .getByRole("button", { name: "Block contact" })
    .click();
  await page.getByRole("heading", { level: 1, name: /Walk In\s*Blocked/ }).waitFor();
  assert.equal((await api.get(`/api/v1/contacts/${contact.id}`)).blocked, true);
  await page.getByRole("button", { name: "Unblock contact" }).click();
  await page.getByRole("button", { name: "Block contact" }).waitFor();
  assert.equal((await api.get(`/api/v1/contacts/${contact.id}`)).blocked, false);
  await context.close();
});

test("a light agent sees the contact read-only; an unknown contact shows a not-found page", async () => {
  const { api, newAgentPage } = e2e();
  const contact = await api.post("/api/v1/contacts", { name: "Quiet Reader", emails: ["quiet@read.test"] });
  await api.createAgent("Lena Light", "lena@e2e.test", { role: "light_agent" });
  const { context, page } = await newAgentPage("lena@e2e.test", AGENT_PASSWORD);
  await page.goto(`/contacts/${contact.id}`);
  await page.getByRole("heading", { level: 1, name: "Quiet Reader" }).waitFor();
  await page.getByText("Your role can view this contact but not change it.").waitFor();
  await expectCount(page.getByRole("button", { name: "Edit contact" }), 0);
  await expectCount(page.getByRole("button", { name: "New ticket for this contact" }), 0);
  await expectCount(page.getByRole("button", { name: "Block contact" }), 0);

  await page.goto("/contacts/987654321");
  await page.getByRole("heading", { level: 1, name: "Contact not found" }).waitFor();
  await context.close();
});
