// axe-core over every page of the agent app, in light and dark mode: no serious or critical
// violation may remain. Each finding names the page, the rule and the elements, so a failure
// says what to fix.
import assert from "node:assert/strict";
import { test } from "node:test";
import axe from "axe-core";
import type { Browser, Page } from "playwright-core";
import { ADMIN_EMAIL, ADMIN_PASSWORD, signIn, useE2e } from "./harness.ts";

const e2e = useE2e();

interface Finding {
  page: string;
  scheme: string;
  rule: string;
  impact: string;
  help: string;
  nodes: string[];
}

async function scan(page: Page, name: string, scheme: string): Promise<Finding[]> {
  await page.addScriptTag({ content: axe.source });
  const results = (await page.evaluate(() => {
    const runner = (globalThis as unknown as { axe: { run: (options: unknown) => Promise<unknown> } }).axe;
    return runner.run({ resultTypes: ["violations"] });
  })) as axe.AxeResults;
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({
      page: name,
      scheme,
      rule: v.id,
      impact: v.impact ?? "",
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(" ")}: ${n.html.slice(0, 160)}`),
    }));
}

async function arrange() {
  const { api } = e2e();
  const group = await api.post("/api/v1/groups", { name: "Support" });
  await api.createAgent("Robin Agent", "robin@e2e.test", { groupIds: [group.id] });
  await api.post("/api/v1/custom-fields", {
    key: "plan",
    label: "Plan",
    kind: "dropdown",
    options: ["Free", "Pro"],
  });
  await api.post("/api/v1/custom-fields", {
    key: "vip",
    label: "VIP",
    kind: "checkbox",
    requiredOnSolve: true,
  });
  await api.post("/api/v1/mailboxes", { name: "Support", address: "help@shop.test", groupId: group.id });
  await api.post("/api/v1/api-tokens", { name: "CRM sync", scopes: ["read"] });
  await api.post("/api/v1/canned-responses", {
    title: "Thanks",
    body: "Thanks, {{requester.first_name}}! We are on it.",
  });
  const ticket = await api.createTicket("Printer jams on page two", "casey@customer.test", "It jams.", {
    tags: ["hardware"],
    groupId: group.id,
  });
  await api.post(`/api/v1/tickets/${ticket.id}/messages`, { body: "Which model is it?", kind: "reply" });
  await api.post(`/api/v1/tickets/${ticket.id}/messages`, {
    body: "Known issue with firmware 2.1.",
    kind: "note",
  });
  await api.createTicket("Invoice address is wrong", "dana@customer.test");
  return ticket;
}

async function scanEverything(
  browser: Browser,
  url: string,
  scheme: "light" | "dark",
  ticketId: number,
  contactId: number,
) {
  const findings: Finding[] = [];
  const context = await browser.newContext({
    baseURL: url,
    colorScheme: scheme,
    viewport: { width: 1280, height: 800 },
    // axe is injected as a script; the app's Content-Security-Policy would refuse it.
    bypassCSP: true,
  });
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByRole("heading", { name: "Sign in to Parley" }).waitFor();
  findings.push(...(await scan(page, "sign-in", scheme)));

  await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  await page.getByRole("link", { name: /^All open/ }).click();
  await page.getByRole("row").filter({ hasText: "Printer jams" }).first().waitFor();
  findings.push(...(await scan(page, "inbox", scheme)));
  await page.getByRole("banner").getByRole("button", { name: "New ticket" }).click();
  const newTicket = page.getByRole("form", { name: "New ticket" });
  await newTicket.getByRole("combobox", { name: "Requester" }).fill("case");
  await newTicket.getByRole("option", { name: /casey@customer\.test/ }).waitFor();
  findings.push(...(await scan(page, "new ticket (suggestions open)", scheme)));
  await page.keyboard.press("Escape");
  await newTicket.waitFor({ state: "detached" });

  await page.goto(`/tickets/${ticketId}`);
  await page.getByRole("region", { name: "Properties" }).waitFor();
  await page.getByText("Known issue with firmware 2.1.").waitFor();
  findings.push(...(await scan(page, "ticket", scheme)));

  await page.goto("/search?q=printer");
  await page
    .getByRole("link", { name: /Printer jams/ })
    .first()
    .waitFor();
  findings.push(...(await scan(page, "search", scheme)));

  await page.goto(`/contacts/${contactId}`);
  await page.getByRole("region", { name: "Tickets", exact: true }).getByRole("row").nth(1).waitFor();
  findings.push(...(await scan(page, "contact", scheme)));

  for (const section of ["agents", "groups", "fields", "mailboxes", "tokens"]) {
    await page.goto(`/admin/${section}`);
    await page.getByRole("table").waitFor();
    findings.push(...(await scan(page, `admin/${section}`, scheme)));
  }
  // With no mail failed, Mail problems says so instead of showing its two tables; those are
  // scanned, full, by admin-mail-problems.test.ts.
  await page.goto("/admin/mail-problems");
  await page.getByText(/^Nothing is wrong here: every incoming mail/).waitFor();
  await page.getByText(/^Nothing is wrong here: no outgoing mail/).waitFor();
  findings.push(...(await scan(page, "admin/mail-problems", scheme)));
  await page.goto("/admin/email-templates");
  await page.getByRole("list", { name: "System mail templates" }).getByRole("listitem").nth(3).waitFor();
  findings.push(...(await scan(page, "admin/email-templates", scheme)));
  await page.getByRole("button", { name: "Edit Ticket received" }).click();
  await page.getByRole("button", { name: "Preview" }).click();
  await page.getByRole("region", { name: "Preview" }).waitFor();
  findings.push(...(await scan(page, "admin/email-templates (editing, preview)", scheme)));
  // Canned responses are a list with an in-place form rather than a table and dialogs.
  await page.goto("/admin/canned-responses");
  await page.getByRole("list", { name: "Saved canned responses" }).getByRole("listitem").first().waitFor();
  findings.push(...(await scan(page, "admin/canned-responses", scheme)));
  await page.getByRole("button", { name: "Edit Thanks" }).click();
  await page.getByRole("form", { name: "Edit canned response" }).waitFor();
  findings.push(...(await scan(page, "admin/canned-responses (editing)", scheme)));
  await page.goto("/settings");
  await page.getByRole("heading", { level: 1, name: "Your settings" }).waitFor();
  findings.push(...(await scan(page, "settings", scheme)));
  await context.close();
  return findings;
}

test("no serious or critical axe violations on any page, in light and dark mode", async () => {
  const { browser, url } = e2e();
  const ticket = await arrange();
  const { requesterId } = await e2e().api.get(`/api/v1/tickets/${ticket.id}`);
  const findings = [
    ...(await scanEverything(browser, url, "light", ticket.id, requesterId)),
    ...(await scanEverything(browser, url, "dark", ticket.id, requesterId)),
  ];
  const report = findings
    .map((f) => `${f.page} (${f.scheme}): ${f.rule} [${f.impact}] ${f.help}\n    ${f.nodes.join("\n    ")}`)
    .join("\n");
  assert.equal(findings.length, 0, `axe found:\n${report}`);
});
