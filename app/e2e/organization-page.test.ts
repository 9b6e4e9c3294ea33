// The organization page (/organizations/$id): opened from the requester panel and from search,
// its people and tickets, an edit with a refused domain explained, read-only for light agents,
// not found for a missing one, and an axe scan in light and dark mode.
import assert from "node:assert/strict";
import { test } from "node:test";
import axe from "axe-core";
import type { Page } from "playwright-core";
import { ADMIN_EMAIL, ADMIN_PASSWORD, AGENT_PASSWORD, expectCount, signIn, useE2e } from "./harness.ts";

// Code passed to the page runs in the browser; the tests' tsconfig has no DOM types.
declare const document: { activeElement: { textContent: string | null } | null };

const e2e = useE2e();

async function seriousViolations(page: Page) {
  await page.addScriptTag({ content: axe.source });
  const results = (await page.evaluate(() => {
    const runner = (globalThis as unknown as { axe: { run: (options: unknown) => Promise<unknown> } }).axe;
    return runner.run({ resultTypes: ["violations"] });
  })) as axe.AxeResults;
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}

async function arrange(name: string, domain: string) {
  const { api } = e2e();
  const org = await api.post("/api/v1/organizations", {
    name,
    domains: [domain],
    notes: "Pays yearly.",
    attributes: { tier: "Gold" },
  });
  const ivy = await api.post("/api/v1/contacts", {
    name: "Ivy Inkwell",
    emails: [`ivy@${domain}`],
    organizationId: org.id,
  });
  const jon = await api.post("/api/v1/contacts", {
    name: "Jon Blotter",
    emails: [`jon@${domain}`],
    organizationId: org.id,
  });
  const older = await api.post("/api/v1/tickets", {
    subject: "Nib keeps snapping",
    requester: { id: ivy.id },
    comment: { body: "Third nib this week." },
  });
  const newer = await api.post("/api/v1/tickets", {
    subject: "Ink arrived dry",
    requester: { id: jon.id },
    status: "pending",
    comment: { body: "The bottle was empty." },
  });
  return { org, ivy, jon, older, newer };
}

test("an agent opens the organization from the requester panel, sees its people and tickets and edits it", async () => {
  const { api, browser, url } = e2e();
  const { org, jon, older, newer } = await arrange("Quillfeather Ltd", "quillfeather.test");
  // axe is injected as a script; the app's Content-Security-Policy would refuse it.
  const context = await browser.newContext({
    baseURL: url,
    viewport: { width: 1280, height: 800 },
    bypassCSP: true,
  });
  const page = await context.newPage();
  await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  await page.goto(`/tickets/${older.id}`);
  await page
    .getByRole("region", { name: "Requester: Ivy Inkwell" })
    .getByRole("region", { name: "Organization" })
    .getByRole("link", { name: "Quillfeather Ltd" })
    .click();
  await page.waitForURL(new RegExp(`/organizations/${org.id}$`));

  const header = page.getByRole("region", { name: "Quillfeather Ltd" });
  await header.getByRole("heading", { level: 1, name: "Quillfeather Ltd" }).waitFor();
  await header.getByText("quillfeather.test").waitFor();
  await header.getByText("Pays yearly.").waitFor();
  await header.getByText("Gold").waitFor();

  const people = page.getByRole("region", { name: "People" });
  await people.getByRole("link", { name: "Ivy Inkwell" }).waitFor();
  await people.getByRole("link", { name: "Jon Blotter" }).waitFor();

  // Newest first, each with its status.
  const rows = page.getByRole("region", { name: "Tickets", exact: true }).getByRole("row");
  await rows.nth(2).waitFor();
  assert.match(await rows.nth(1).innerText(), new RegExp(`#${newer.number} Ink arrived dry\\s+Pending`));
  assert.match(await rows.nth(2).innerText(), new RegExp(`#${older.number} Nib keeps snapping\\s+New`));

  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    assert.deepEqual(await seriousViolations(page), [], `axe on the organization page (${scheme})`);
  }

  // A domain the API refuses is named beside the Domains field, in words rather than a pattern.
  await header.getByRole("button", { name: "Edit organization" }).click();
  const form = header.getByRole("form", { name: "Edit organization" });
  const domains = form.getByLabel("Domains");
  await domains.fill("quillfeather.test\nnot a domain");
  await form.getByRole("button", { name: "Save organization" }).click();
  await page.waitForFunction(
    (el) => el?.getAttribute("aria-invalid") === "true",
    await domains.elementHandle(),
  );
  await form.getByText('"not a domain" is not a domain name').waitFor();
  assert.deepEqual((await api.get(`/api/v1/organizations/${org.id}`)).domains, ["quillfeather.test"]);
  // The page is still in dark mode from the scan above.
  assert.deepEqual(await seriousViolations(page), [], "axe on the form with its error (dark)");

  await domains.fill("quillfeather.test\nquill.example");
  await form.getByLabel("Notes").fill("Pays yearly. Prefers phone calls.");
  await form.getByRole("button", { name: "Save organization" }).click();
  await form.waitFor({ state: "detached" });
  await page.waitForFunction(() => document.activeElement?.textContent === "Edit organization");
  await header.getByText("Prefers phone calls.").waitFor();
  await page.reload();
  await header.getByText("quill.example").waitFor();
  const saved = await api.get(`/api/v1/organizations/${org.id}`);
  assert.deepEqual(saved.domains, ["quillfeather.test", "quill.example"]);
  assert.equal(saved.notes, "Pays yearly. Prefers phone calls.");
  assert.deepEqual(saved.attributes, { tier: "Gold" });

  // A person opens their contact page, whose organization leads back here.
  await people.getByRole("link", { name: "Jon Blotter" }).click();
  await page.waitForURL(new RegExp(`/contacts/${jon.id}$`));
  await page.getByRole("link", { name: "Quillfeather Ltd" }).click();
  await page.waitForURL(new RegExp(`/organizations/${org.id}$`));
  await page.getByRole("link", { name: `#${newer.number} Ink arrived dry` }).click();
  await page.waitForURL(new RegExp(`/tickets/${newer.id}$`));
  await context.close();
});

test("an organization found by search opens its page", async () => {
  const { newAgentPage } = e2e();
  const { org } = await arrange("Zephyrwick Papers", "zephyrwick.test");
  const { context, page } = await newAgentPage();
  await page.goto("/search");
  await page.getByLabel("Search tickets and people").fill("Zephyrwick");
  await page
    .getByRole("region", { name: "People and organizations" })
    .getByRole("link", { name: /Zephyrwick Papers\s*Organization/ })
    .click();
  await page.waitForURL(new RegExp(`/organizations/${org.id}$`));
  await page.getByRole("heading", { level: 1, name: "Zephyrwick Papers" }).waitFor();
  await context.close();
});

test("people load a page at a time; a light agent reads only; a missing one is not found", async () => {
  const { api, newAgentPage } = e2e();
  const org = await api.post("/api/v1/organizations", { name: "Crowded Co" });
  for (let i = 1; i <= 27; i++) {
    await api.post("/api/v1/contacts", {
      name: `Member ${i}`,
      emails: [`m${i}@crowded.test`],
      organizationId: org.id,
    });
  }
  await api.createAgent("Lou Light", "lou@e2e.test", { role: "light_agent" });
  const { context, page } = await newAgentPage("lou@e2e.test", AGENT_PASSWORD);
  await page.goto(`/organizations/${org.id}`);
  await page.getByRole("heading", { level: 1, name: "Crowded Co" }).waitFor();
  await page.getByText("Your role can view this organization but not change it.").waitFor();
  await expectCount(page.getByRole("button", { name: "Edit organization" }), 0);

  const people = page.getByRole("region", { name: "People" });
  await people.getByRole("link", { name: "Member 27" }).waitFor();
  await expectCount(people.getByRole("listitem"), 25);
  await people.getByRole("button", { name: "More people" }).click();
  await people.getByRole("link", { name: "Member 1", exact: true }).waitFor();
  const names = await people.getByRole("link").allInnerTexts();
  assert.equal(names.length, 27);
  assert.equal(new Set(names).size, 27);
  await expectCount(people.getByRole("button", { name: "More people" }), 0);
  await page
    .getByRole("region", { name: "Tickets", exact: true })
    .getByText("No tickets you can see.")
    .waitFor();

  await page.goto("/organizations/987654321");
  await page.getByRole("heading", { level: 1, name: "Organization not found" }).waitFor();
  await context.close();
});
