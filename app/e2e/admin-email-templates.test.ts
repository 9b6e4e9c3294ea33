import assert from "node:assert/strict";
import { test } from "node:test";
import { useE2e } from "./harness.ts";

const e2e = useE2e();

test("an admin edits a system mail: placeholders, preview, refusals beside the field, save and reset", async () => {
  const { api, newAgentPage } = e2e();
  const { context, page } = await newAgentPage();
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" }).click();
  await page
    .getByRole("navigation", { name: "Admin" })
    .getByRole("link", { name: "Email templates" })
    .click();
  await page.getByRole("heading", { level: 1, name: "Email templates" }).waitFor();
  const list = page.getByRole("list", { name: "System mail templates" });
  await list.getByRole("listitem").nth(3).waitFor();
  assert.equal(await list.getByRole("listitem").filter({ hasText: "Default" }).count(), 4);

  await list.getByRole("button", { name: "Edit Ticket received" }).click();
  const form = page.getByRole("form", { name: "Edit Ticket received" });
  const subject = form.getByLabel("Subject", { exact: true });
  const text = form.getByLabel("Text", { exact: true });
  assert.equal(await subject.inputValue(), "{{ticket.subject}}");
  await subject.fill("We got it: {{ticket.subjct}}");
  await form.getByRole("button", { name: "Save" }).click();
  // The API's refusal sits in the Subject field's frame, and the field says it is wrong.
  const subjectField = form.locator(".field").filter({ has: page.getByLabel("Subject", { exact: true }) });
  await subjectField
    .getByRole("alert")
    .filter({ hasText: "The subject uses {{ticket.subjct}}, which is not a placeholder Parley knows." })
    .waitFor();
  assert.equal(await subject.getAttribute("aria-invalid"), "true");
  assert.equal((await api.get("/api/v1/email-templates/ticket_received")).custom, false);

  await subject.fill("We got it: {{ticket.subject}}");
  await text.fill("Hello {{requester.first_name}}, your number is ");
  await text.press("End");
  await form.getByRole("button", { name: "Insert {{ticket.number}}" }).click();
  assert.equal(await text.inputValue(), "Hello {{requester.first_name}}, your number is {{ticket.number}}");
  await form.getByRole("button", { name: "Preview" }).click();
  const preview = page.getByRole("region", { name: "Preview" });
  await preview.getByText("We got it: Printer jams on page two").waitFor();
  await preview.getByText("Hello Casey, your number is 1042").waitFor();

  await form.getByRole("button", { name: "Save" }).click();
  await form.getByRole("status").filter({ hasText: "Saved" }).waitFor();
  const saved = await api.get("/api/v1/email-templates/ticket_received");
  assert.equal(saved.custom, true);
  assert.equal(saved.subject, "We got it: {{ticket.subject}}");
  assert.equal(saved.bodyText, "Hello {{requester.first_name}}, your number is {{ticket.number}}");

  await form.getByRole("button", { name: "Reset to default" }).click();
  const confirm = page.getByRole("dialog", { name: "Reset “Ticket received”" });
  await confirm.getByRole("button", { name: "Reset to default" }).click();
  await confirm.waitFor({ state: "detached" });
  await page.waitForFunction(
    () =>
      (
        globalThis as unknown as { document: { querySelector(s: string): { value: string } | null } }
      ).document.querySelector("form input")?.value === "{{ticket.subject}}",
  );
  assert.equal((await api.get("/api/v1/email-templates/ticket_received")).custom, false);
  await form.getByRole("button", { name: "Back to the list" }).click();
  await list
    .getByRole("listitem")
    .filter({ hasText: "Ticket received" })
    .filter({ hasText: "Default" })
    .waitFor();
  await context.close();
});

test("a reply template without the reply is refused beside its text", async () => {
  const { newAgentPage } = e2e();
  const { context, page } = await newAgentPage();
  await page.goto("/admin/email-templates");
  await page.getByRole("button", { name: "Edit Agent reply" }).click();
  const form = page.getByRole("form", { name: "Edit Agent reply" });
  await form.getByLabel("Text", { exact: true }).fill("Thanks!");
  await form.getByRole("button", { name: "Preview" }).click();
  const textField = form.locator(".field").filter({ has: page.getByLabel("Text", { exact: true }) });
  await textField.getByRole("alert").filter({ hasText: "must include {{message.text}}" }).waitFor();
  assert.equal(await page.getByRole("region", { name: "Preview" }).count(), 0);
  await context.close();
});
