import assert from "node:assert/strict";
import { test } from "node:test";
import { signIn, useE2e } from "./harness.ts";

const e2e = useE2e();

// The e2e server has no mailbox and no relay: the admin is given the link to hand over, as a new
// install without mail would be.
test("an invited agent opens the link, chooses a password, is signed in, and signs in again with it", async () => {
  const { browser, url, newAgentPage } = e2e();
  const { context, page } = await newAgentPage();
  await page.goto("/admin/agents");
  await page.getByRole("button", { name: "Invite agent" }).click();
  const dialog = page.getByRole("dialog", { name: "Invite an agent" });
  await dialog.getByLabel("Name").fill("Ivy Invited");
  await dialog.getByLabel("Email").fill("ivy@e2e.test");
  assert.equal(
    await dialog.getByRole("radio", { name: "Send them an invitation to choose a password" }).isChecked(),
    true,
  );
  await dialog.getByRole("button", { name: "Invite agent" }).click();
  await dialog.waitFor({ state: "detached" });
  const notice = page.getByRole("status").filter({ hasText: "No mail route is configured" });
  await notice.filter({ hasText: "Hand this link to Ivy Invited yourself" }).waitFor();
  const link = await notice.getByLabel("Invitation link for Ivy Invited").inputValue();
  assert.match(link, new RegExp(`^${url}/set-password#token=inv_`));
  await page.getByRole("row").filter({ hasText: "Ivy Invited" }).filter({ hasText: "Invited" }).waitFor();

  const ivyContext = await browser.newContext({ baseURL: url });
  const ivy = await ivyContext.newPage();
  await ivy.goto(link);
  await ivy
    .getByText("Welcome to")
    .filter({ hasText: "Ivy Invited" })
    .filter({ hasText: "ivy@e2e.test" })
    .waitFor();
  await ivy.getByLabel("New password").fill("ivy-chosen-password");
  await ivy.getByLabel("Repeat the password").fill("ivy-chosen-pass");
  await ivy.getByRole("button", { name: "Set password and sign in" }).click();
  await ivy.getByText("The two passwords are not the same.").waitFor();
  await ivy.getByLabel("Repeat the password").fill("ivy-chosen-password");
  await ivy.getByRole("button", { name: "Set password and sign in" }).click();
  // Signed in: the inbox and its views.
  await ivy.getByRole("navigation", { name: "Views" }).waitFor();
  await ivyContext.close();

  // The password works from the sign-in page; the link does not work twice.
  const again = await browser.newContext({ baseURL: url });
  const later = await again.newPage();
  await signIn(later, "ivy@e2e.test", "ivy-chosen-password");
  await later.goto(link);
  await later.getByRole("alert").filter({ hasText: "This invitation was already used." }).waitFor();
  await again.close();

  // The admin's list no longer shows her as invited.
  await page.reload();
  const row = page.getByRole("row").filter({ hasText: "Ivy Invited" });
  await row.waitFor();
  await row.getByRole("button", { name: "Re-invite Ivy Invited" }).waitFor({ state: "detached" });
  await context.close();
});
