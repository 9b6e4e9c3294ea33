import assert from "node:assert/strict";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { ADMIN_EMAIL, ADMIN_PASSWORD, AGENT_PASSWORD, signIn, useE2e } from "./harness.ts";

const e2e = useE2e();

// Waits until the element with keyboard focus matches the CSS selector (Playwright's wait, with
// its timeout); returns its text.
async function waitForFocus(page: Page, selector: string): Promise<string> {
  const handle = await page.waitForFunction((css) => {
    // The tests are type-checked without the DOM library; this runs in the page.
    const active = (globalThis as unknown as { document: { activeElement: FocusedElement | null } }).document
      .activeElement;
    // Wrapped, since an empty text would read as "not yet".
    return active?.matches(css) ? { text: (active.textContent ?? "").trim() } : false;
  }, selector);
  return ((await handle.jsonValue()) as { text: string }).text;
}

interface FocusedElement {
  matches(selector: string): boolean;
  textContent: string | null;
}

const savedMe = (page: Page) =>
  page.waitForResponse((r) => r.url().endsWith("/api/v1/me") && r.request().method() === "PATCH" && r.ok());

test("availability is set from the top bar and from the settings page", async () => {
  const { api, newAgentPage } = e2e();
  await api.createAgent("Avery Away", "avery@e2e.test");
  const { context, page } = await newAgentPage("avery@e2e.test", AGENT_PASSWORD);
  const picker = page.getByRole("banner").getByLabel("Availability");
  // The picker changes at once; the save follows.
  await Promise.all([savedMe(page), picker.selectOption("away")]);
  await page.getByRole("banner").locator(".availability-away").waitFor();
  await page.reload();
  await page.getByRole("navigation", { name: "Views" }).waitFor();
  assert.equal(await page.getByRole("banner").getByLabel("Availability").inputValue(), "away");

  await page.getByRole("link", { name: "Settings for Avery Away" }).click();
  await page.getByRole("heading", { level: 1, name: "Your settings" }).waitFor();
  const group = page.getByRole("group", { name: "Availability" });
  await Promise.all([savedMe(page), group.getByLabel(/^Offline/).check()]);
  await page.getByRole("banner").locator(".availability-offline").waitFor();
  const users = await api.get("/api/v1/users");
  assert.equal(
    users.data.find((u: { email: string }) => u.email === "avery@e2e.test").availability,
    "offline",
  );
  await context.close();
});

test("an agent changes their password: a wrong current one is explained, the new one signs in", async () => {
  const { api, browser, url, newAgentPage } = e2e();
  await api.createAgent("Pat Password", "pat@e2e.test");
  const { context, page } = await newAgentPage("pat@e2e.test", AGENT_PASSWORD);
  await page.goto("/settings");
  const form = page.getByRole("form", { name: "Password" });
  await form.getByLabel("Current password").fill("not-my-password");
  await form.getByLabel("New password", { exact: true }).fill("a-brand-new-password");
  await form.getByLabel("Repeat the new password").fill("a-brand-new-password");
  await form.getByRole("button", { name: "Change password" }).click();
  await form.getByText("The current password is wrong.", { exact: true }).waitFor();
  assert.equal(await form.getByLabel("Current password").getAttribute("aria-invalid"), "true");

  await form.getByLabel("Current password").fill(AGENT_PASSWORD);
  await form.getByLabel("Repeat the new password").fill("a-different-one");
  await form.getByRole("button", { name: "Change password" }).click();
  await form.getByText("does not match the new password").waitFor();

  await form.getByLabel("Repeat the new password").fill("a-brand-new-password");
  await form.getByRole("button", { name: "Change password" }).click();
  await form.getByRole("status").filter({ hasText: "Password changed" }).waitFor();

  const other = await browser.newContext({ baseURL: url });
  const otherPage = await other.newPage();
  await otherPage.goto("/login");
  await otherPage.getByLabel("Email").fill("pat@e2e.test");
  await otherPage.getByLabel("Password").fill(AGENT_PASSWORD);
  await otherPage.getByRole("button", { name: "Sign in" }).click();
  await otherPage.getByRole("alert").waitFor();
  await signIn(otherPage, "pat@e2e.test", "a-brand-new-password");
  await other.close();
  await context.close();
});

test("the profile's name and time zone are saved", async () => {
  const { api, newAgentPage } = e2e();
  await api.createAgent("Zoe Zone", "zoe@e2e.test");
  const { context, page } = await newAgentPage("zoe@e2e.test", AGENT_PASSWORD);
  await page.goto("/settings");
  const form = page.getByRole("form", { name: "Profile" });
  await form.getByLabel("Name").fill("Zoe Zonal");
  await form.getByLabel("Time zone").selectOption("Asia/Tokyo");
  await form.getByRole("button", { name: "Save profile" }).click();
  await form.getByRole("status").filter({ hasText: "Profile saved" }).waitFor();
  await page.getByRole("link", { name: "Settings for Zoe Zonal" }).waitFor();
  const users = await api.get("/api/v1/users");
  const zoe = users.data.find((u: { email: string }) => u.email === "zoe@e2e.test");
  assert.equal(zoe.timeZone, "Asia/Tokyo");
  await context.close();
});

test("? opens the keyboard shortcut help, Escape closes it, and g i goes to the inbox", async () => {
  const { newAgentPage } = e2e();
  const { context, page } = await newAgentPage();
  await page.goto("/settings");
  await page.getByRole("heading", { level: 1, name: "Your settings" }).click();
  await page.keyboard.press("Shift+?");
  const help = page.getByRole("dialog", { name: "Keyboard shortcuts" });
  await help.waitFor();
  const text = await help.innerText();
  for (const label of ["Go to the inbox", "Search", "Show keyboard shortcuts", "Go to your settings"]) {
    assert.ok(text.includes(label), `the overlay lists "${label}"`);
  }
  await page.keyboard.press("Escape");
  await help.waitFor({ state: "detached" });
  await page.keyboard.press("g");
  await page.keyboard.press("i");
  await page.waitForURL(/\/views\/\d+$/);
  await context.close();
});

test("the skip link jumps to the content, and a page change focuses the new page's title", async () => {
  const { newAgentPage } = e2e();
  const { context, page } = await newAgentPage();
  await page.goto("/settings");
  await page.getByRole("heading", { level: 1, name: "Your settings" }).waitFor();
  await page.keyboard.press("Tab");
  assert.equal(await waitForFocus(page, "a"), "Skip to content");
  await page.keyboard.press("Enter");
  await waitForFocus(page, "main");

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" }).click();
  assert.equal(await waitForFocus(page, "h1"), "Agents");
  assert.equal(await page.title(), "Agents · Parley");
  // A page that focuses something itself keeps it: search focuses its box.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Search" }).click();
  await waitForFocus(page, "input");
  await context.close();
});

test("at tablet width the navigation folds behind a menu and the ticket's side panels stack", async () => {
  const { api, browser, url } = e2e();
  const ticket = await api.createTicket("Tablet layout", "tab@customer.test");
  const context = await browser.newContext({ baseURL: url, viewport: { width: 768, height: 1024 } });
  const page = await context.newPage();
  await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  const menu = page.getByRole("button", { name: "Menu" });
  await menu.waitFor();
  assert.equal(await menu.getAttribute("aria-expanded"), "false");
  assert.equal(await page.getByRole("link", { name: "Search" }).isVisible(), false);
  await menu.click();
  assert.equal(await menu.getAttribute("aria-expanded"), "true");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Search" }).click();
  await page.waitForURL(/\/search/);
  // Arriving on the page folds the menu again.
  await page.getByRole("navigation", { name: "Main" }).waitFor({ state: "hidden" });

  await page.goto(`/tickets/${ticket.id}`);
  const conversation = page.getByRole("heading", { level: 1, name: /Tablet layout/ });
  const properties = page.getByRole("region", { name: "Properties" });
  await properties.waitFor();
  const title = await conversation.boundingBox();
  const side = await properties.boundingBox();
  assert.ok(
    title && side && side.y > title.y + title.height,
    "the properties panel is below the conversation",
  );
  assert.ok(side && side.width > 600, "the stacked panel uses the full width");
  await context.close();
});

test("the header tells the live connection from availability, names Admin once, and /admin opens a section", async () => {
  const { newAgentPage } = e2e();
  const { context, page } = await newAgentPage();
  const banner = page.getByRole("banner");
  // The first admin is called "Admin": the header shows the Admin link, and the agent as an avatar.
  assert.equal(await banner.getByText("Admin", { exact: true }).count(), 1);
  await banner.getByRole("link", { name: "Settings for Admin" }).waitFor();
  await banner.getByRole("status").filter({ hasText: "Updates: Live" }).waitFor();
  await banner.getByText("Availability", { exact: true }).waitFor();
  await banner.getByRole("combobox", { name: "Availability" }).waitFor();
  const icon = await page.locator('link[rel="icon"]').getAttribute("href");
  assert.equal(icon, "/favicon.svg");
  assert.equal((await page.request.get(icon)).status(), 200);

  await page.goto("/admin");
  await page.waitForURL(/\/admin\/agents$/);
  await page.getByRole("heading", { level: 1, name: "Agents" }).waitFor();
  assert.equal(await page.getByRole("heading", { name: "Page not found" }).count(), 0);
  await context.close();
});
