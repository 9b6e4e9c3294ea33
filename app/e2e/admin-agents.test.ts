import assert from "node:assert/strict";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { AGENT_PASSWORD, expectCount, signIn, useE2e } from "./harness.ts";

const e2e = useE2e();

const row = (page: Page, name: string) => page.getByRole("row").filter({ hasText: name });

test("an admin invites an agent with a role, groups and ticket access, and the agent signs in", async () => {
  const { api, browser, url, newAgentPage } = e2e();
  await api.post("/api/v1/groups", { name: "Billing" });
  await api.post("/api/v1/groups", { name: "Hardware" });
  const { context, page } = await newAgentPage();
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" }).click();
  await page.getByRole("heading", { level: 1, name: "Agents" }).waitFor();

  await page.getByRole("button", { name: "Invite agent" }).click();
  const dialog = page.getByRole("dialog", { name: "Invite an agent" });
  await dialog.getByLabel("Name").fill("Dana Scully");
  await dialog.getByLabel("Email").fill("dana@e2e.test");
  await dialog.getByLabel("Role").selectOption("agent");
  await dialog.getByLabel("Ticket access").selectOption("groups");
  await dialog.getByRole("group", { name: "Groups" }).getByLabel("Billing").check();
  // An invitation by mail is the default; the admin may set a first password instead. One is
  // generated, and the admin may type their own.
  await dialog.getByRole("radio", { name: "Give them a password to pass on" }).check();
  assert.ok((await dialog.getByLabel("First password").inputValue()).length >= 16);
  await dialog.getByLabel("First password").fill("dana-first-password");
  await dialog.getByRole("button", { name: "Invite agent" }).click();
  await dialog.waitFor({ state: "detached" });
  await page.getByRole("status").filter({ hasText: "dana-first-password" }).waitFor();

  const dana = row(page, "Dana Scully");
  await dana.waitFor();
  assert.match(await dana.innerText(), /dana@e2e\.test/);
  assert.match(await dana.innerText(), /Their groups/);
  assert.match(await dana.innerText(), /Billing/);

  // The invited agent signs in with that password and lands in the inbox, without Admin.
  const agentContext = await browser.newContext({ baseURL: url });
  const agentPage = await agentContext.newPage();
  await signIn(agentPage, "dana@e2e.test", "dana-first-password");
  await expectCount(
    agentPage.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" }),
    0,
  );
  await agentPage.goto("/admin/agents");
  await agentPage.getByRole("alert").filter({ hasText: "Only admins can open the admin pages" }).waitFor();
  await agentContext.close();
  await context.close();
});

test("an admin changes an agent's role and groups, deactivates and reactivates them", async () => {
  const { api, browser, url, newAgentPage } = e2e();
  await api.createAgent("Fox Mulder", "fox@e2e.test");
  const { context, page } = await newAgentPage();
  await page.goto("/admin/agents");
  const fox = row(page, "Fox Mulder");
  await fox.getByRole("button", { name: "Edit Fox Mulder" }).click();
  const dialog = page.getByRole("dialog", { name: "Edit Fox Mulder" });
  await dialog.getByLabel("Role").selectOption("admin");
  await dialog.getByRole("group", { name: "Groups" }).getByLabel("Hardware").check();
  await dialog.getByRole("button", { name: "Save agent" }).click();
  await dialog.waitFor({ state: "detached" });
  await fox.filter({ hasText: "Admin" }).filter({ hasText: "Hardware" }).waitFor();

  await fox.getByRole("button", { name: "Deactivate Fox Mulder" }).click();
  await fox.filter({ hasText: "Deactivated" }).waitFor();
  // A deactivated agent cannot sign in.
  const foxContext = await browser.newContext({ baseURL: url });
  const foxPage = await foxContext.newPage();
  await foxPage.goto("/login");
  await foxPage.getByLabel("Email").fill("fox@e2e.test");
  await foxPage.getByLabel("Password").fill(AGENT_PASSWORD);
  await foxPage.getByRole("button", { name: "Sign in" }).click();
  await foxPage.getByRole("alert").waitFor();

  await fox.getByRole("button", { name: "Reactivate Fox Mulder" }).click();
  await fox.getByRole("button", { name: "Deactivate Fox Mulder" }).waitFor();
  await signIn(foxPage, "fox@e2e.test", AGENT_PASSWORD);
  await foxContext.close();

  // An admin cannot demote themself; the reason is shown beside the role.
  await row(page, "(you)")
    .getByRole("button", { name: /^Edit / })
    .click();
  const self = page.getByRole("dialog", { name: /^Edit / });
  await self.getByLabel("Role").selectOption("agent");
  await self.getByRole("button", { name: "Save agent" }).click();
  await self.getByText("you cannot demote or deactivate yourself").waitFor();
  await self.getByRole("button", { name: "Cancel" }).click();
  const users = await api.get("/api/v1/users");
  const foxSaved = users.data.find((u: { email: string }) => u.email === "fox@e2e.test");
  assert.equal(foxSaved.role, "admin");
  assert.equal(foxSaved.active, true);
  await context.close();
});
