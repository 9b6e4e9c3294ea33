import assert from "node:assert/strict";
import { test } from "node:test";
import { ADMIN_PASSWORD, useE2e } from "./harness.ts";

const e2e = useE2e();

test("a wrong password is refused with a message, the right one opens the inbox", async () => {
  const { browser, url } = e2e();
  const context = await browser.newContext({ baseURL: url });
  const page = await context.newPage();
  await page.goto("/");
  await page.waitForURL(/\/login/);
  await page.getByLabel("Email").fill("admin@e2e.test");
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("alert").filter({ hasText: "Email or password is wrong" }).waitFor();

  await page.getByLabel("Password").fill(ADMIN_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  // The inbox opens the first view.
  await page.waitForURL(/\/views\/\d+$/);

  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL(/\/login/);
  await page.goto("/");
  await page.waitForURL(/\/login/);
  await context.close();
});

test("a ticket created through the API appears live in an open inbox", async () => {
  const { api, newAgentPage } = e2e();
  const { context, page } = await newAgentPage();
  await page.getByRole("link", { name: /^All open/ }).click();
  await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
  const subject = `Printer on fire ${Date.now()}`;
  await api.createTicket(subject, "casey@customer.test");
  const row = page.getByRole("row").filter({ hasText: subject });
  await row.waitFor();
  assert.match(await row.innerText(), /casey/);
  await context.close();
});
