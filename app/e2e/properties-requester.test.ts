import assert from "node:assert/strict";
import { test } from "node:test";
import { expectCount, useE2e } from "./harness.ts";

const e2e = useE2e();

async function arrange() {
  const { api } = e2e();
  const org = await api.post("/api/v1/organizations", {
    name: "Globex Corporation",
    domains: ["globex.test"],
    notes: "Key account; renews in March.",
  });
  const contact = await api.post("/api/v1/contacts", {
    name: "Hank Scorpio",
    emails: ["hank@globex.test"],
    phones: ["+1 555 0100"],
    organizationId: org.id,
    timeZone: "America/Chicago",
    attributes: { plan: "Enterprise" },
  });
  const ticket = (subject: string, channel: string) =>
    api.post("/api/v1/tickets", {
      subject,
      requester: { id: contact.id },
      channel,
      comment: { body: `${subject}, please help.` },
    });
  const current = await ticket("Doomsday device warranty", "email");
  const other = await ticket("Hammock delivery", "web_form");
  const third = await ticket("Phone callback", "phone");
  return { contact, current, other, third };
}

test("the requester panel shows the contact, their organization and their other tickets", async () => {
  const { newAgentPage } = e2e();
  const { current, other, third } = await arrange();
  const { context, page } = await newAgentPage();
  await page.goto(`/tickets/${current.id}`);
  const panel = page.getByRole("region", { name: "Requester: Hank Scorpio" });
  await panel.getByText("hank@globex.test").waitFor();
  // Phones are kept as digits.
  await panel.getByText("+15550100").waitFor();
  await panel.getByText(/America\/Chicago/).waitFor();
  await panel.getByText("Enterprise").waitFor();
  const org = panel.getByRole("region", { name: "Organization" });
  await org.getByText("Globex Corporation").waitFor();
  await org.getByText("Key account; renews in March.").waitFor();

  const others = panel.getByRole("region", { name: "Other tickets" });
  await others.getByRole("link", { name: `#${other.number} Hammock delivery` }).waitFor();
  await others.getByRole("link", { name: `#${third.number} Phone callback` }).waitFor();
  assert.match(await others.innerText(), /Web form/);
  assert.match(await others.innerText(), /Phone/);
  // The ticket on screen is not listed as "other".
  await expectCount(others.getByRole("link", { name: /Doomsday/ }), 0);

  await others.getByRole("link", { name: `#${other.number} Hammock delivery` }).click();
  await page.waitForURL(new RegExp(`/tickets/${other.id}$`));
  await page.getByRole("heading", { name: /Hammock delivery/ }).waitFor();
  await context.close();
});

test("an agent edits the requester's details in place; a bad value is explained beside its field", async () => {
  const { api, newAgentPage } = e2e();
  const contact = await api.post("/api/v1/contacts", {
    name: "Marge Bouvier",
    emails: ["marge@example.test"],
  });
  const current = await api.post("/api/v1/tickets", {
    subject: "Hair dryer",
    requester: { id: contact.id },
    comment: { body: "It is too loud." },
  });
  const { context, page } = await newAgentPage();
  await page.goto(`/tickets/${current.id}`);
  const panel = page.getByRole("region", { name: `Requester: ${contact.name}` });
  await panel.getByRole("button", { name: "Edit contact" }).click();
  const form = panel.getByRole("form", { name: "Edit contact" });
  await form.getByLabel("Name").fill("Margaret Bouvier");
  await form.getByLabel("Emails").fill("not-an-email");
  await form.getByRole("button", { name: "Save contact" }).click();
  const emails = form.getByLabel("Emails");
  await page.waitForFunction(
    (el) => el?.getAttribute("aria-invalid") === "true",
    await emails.elementHandle(),
  );
  await form.getByText("is not an email address", { exact: true }).waitFor();

  await emails.fill("marge@example.test\nmarge@work.test");
  await form.getByLabel("Phones").fill("+1 555 0199");
  await form.getByLabel("Time zone").selectOption("Europe/Paris");
  await form.getByRole("button", { name: "Save contact" }).click();
  const renamed = page.getByRole("region", { name: "Requester: Margaret Bouvier" });
  await renamed.getByText("marge@work.test").waitFor();
  await renamed.getByText("+15550199").waitFor();
  await renamed.getByText(/Europe\/Paris/).waitFor();

  const saved = await api.get(`/api/v1/contacts/${contact.id}`);
  assert.equal(saved.name, "Margaret Bouvier");
  assert.deepEqual([...saved.emails].sort(), ["marge@example.test", "marge@work.test"]);
  assert.deepEqual(saved.phones, ["+15550199"]);
  assert.equal(saved.timeZone, "Europe/Paris");
  await context.close();
});
