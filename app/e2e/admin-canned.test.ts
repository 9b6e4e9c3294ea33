import assert from "node:assert/strict";
import { test } from "node:test";
import { AGENT_PASSWORD, expectCount, signIn, useE2e } from "./harness.ts";

const e2e = useE2e();

test("an admin writes a canned response in admin, agents insert it with its placeholders filled, and it is deleted", async () => {
  const { api, newAgentPage } = e2e();
  const ticket = await api.createTicket("Where is my order?", "robin@customer.test");
  const { context, page } = await newAgentPage();
  await page.goto("/admin/agents");
  await page
    .getByRole("navigation", { name: "Admin" })
    .getByRole("link", { name: "Canned responses" })
    .click();
  await page.getByRole("heading", { level: 1, name: "Canned responses" }).waitFor();
  await page.getByText("No canned responses yet.").waitFor();
  const saved = page.getByRole("list", { name: "Saved canned responses" });

  await page.getByRole("button", { name: "New canned response" }).click();
  const create = page.getByRole("form", { name: "New canned response" });
  await create.getByLabel("Title").fill("Order shipped");
  // An unknown placeholder is refused on save, beside the text.
  await create.getByLabel("Text").fill("Hi {{requester.firstname}}, it left today.");
  await create.getByRole("button", { name: "Save" }).click();
  await create
    .getByRole("alert")
    .filter({ hasText: "{{requester.firstname}} is not a placeholder" })
    .waitFor();
  await create.getByLabel("Text").fill("Hi {{requester.first_name}}, order {{ticket.number}} left today.");
  await create.getByRole("button", { name: "Save" }).click();
  await create.waitFor({ state: "detached" });
  await saved.getByRole("listitem").filter({ hasText: "Order shipped" }).waitFor();

  await page.getByRole("button", { name: "Edit Order shipped" }).click();
  const edit = page.getByRole("form", { name: "Edit canned response" });
  assert.equal(
    await edit.getByLabel("Text").inputValue(),
    "Hi {{requester.first_name}}, order {{ticket.number}} left today.",
  );
  await edit.getByLabel("Text").fill("Hi {{requester.first_name}}, order {{ticket.number}} is on its way.");
  await edit.getByRole("button", { name: "Save" }).click();
  await saved.getByRole("listitem").filter({ hasText: "is on its way" }).waitFor();
  const [stored] = (await api.get("/api/v1/canned-responses")).data;
  assert.equal(stored.title, "Order shipped");
  assert.equal(stored.body, "Hi {{requester.first_name}}, order {{ticket.number}} is on its way.");

  // The composer's picker offers it, filled in from the ticket on screen.
  await page.goto(`/tickets/${ticket.id}`);
  await page.getByRole("textbox", { name: "Reply" }).waitFor();
  await page.getByRole("button", { name: "Canned responses" }).click();
  await page.getByRole("combobox", { name: "Search canned responses" }).fill("shipped");
  await page
    .getByRole("listbox", { name: "Canned responses" })
    .getByRole("option", { name: /Order shipped/ })
    .click();
  await page
    .getByRole("textbox", { name: "Reply" })
    .getByText(`Hi robin, order ${ticket.number} is on its way.`)
    .waitFor();

  await page.goto("/admin/canned-responses");
  await page.getByRole("button", { name: "Delete Order shipped" }).click();
  await page
    .getByRole("dialog", { name: "Delete canned response" })
    .getByRole("button", { name: "Delete" })
    .click();
  await saved.getByRole("listitem").filter({ hasText: "Order shipped" }).waitFor({ state: "detached" });
  await page.getByText("No canned responses yet.").waitFor();
  assert.deepEqual((await api.get("/api/v1/canned-responses")).data, []);

  await page.goto(`/tickets/${ticket.id}`);
  await page.getByRole("button", { name: "Canned responses" }).click();
  await page.getByText("No canned responses yet. Admins add them.").waitFor();
  await context.close();
});

test("an agent who is not an admin cannot open the canned responses admin page", async () => {
  const { api, browser, url } = e2e();
  await api.createAgent("Sam Agent", "sam@e2e.test");
  const context = await browser.newContext({ baseURL: url });
  const page = await context.newPage();
  await signIn(page, "sam@e2e.test", AGENT_PASSWORD);
  await page.goto("/admin/canned-responses");
  await page.getByRole("alert").filter({ hasText: "Only admins can open the admin pages" }).waitFor();
  await expectCount(page.getByRole("button", { name: "New canned response" }), 0);
  await context.close();
});
