import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { useE2e } from "./harness.ts";

const e2e = useE2e();
// Code passed to the page runs in the browser; the tests' tsconfig has no DOM types.
declare function getComputedStyle(element: unknown): { outlineStyle: string };

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

// axe-core run in the page: serious and critical findings fail the test.
async function seriousViolations(page: Page): Promise<string[]> {
  const source = await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  // Evaluated over the DevTools protocol: the page's CSP (no inline scripts) does not apply.
  await page.evaluate(source);
  const violations = (await page.evaluate(
    "axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations)",
  )) as Violation[];
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}

test("the ticket page, its composer, canned response picker and mention list pass axe's serious checks", async () => {
  const { api, newAgentPage } = e2e();
  await api.post("/api/v1/canned-responses", { title: "Thanks", body: "Thanks, {{requester.first_name}}!" });
  const ticket = await api.createTicket("Accessible ticket", "ada@customer.test", "Hello there.");
  await api.post(`/api/v1/tickets/${ticket.id}/messages`, { body: "A note.", kind: "note" });
  const { context, page } = await newAgentPage();
  await page.goto(`/tickets/${ticket.id}`);
  await page.getByRole("textbox", { name: "Reply" }).waitFor();
  await page.getByRole("article", { name: /^Internal note by/ }).waitFor();
  assert.deepEqual(await seriousViolations(page), []);

  await page.getByRole("button", { name: "Canned responses" }).click();
  await page.getByRole("listbox", { name: "Canned responses" }).getByRole("option").first().waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await page.keyboard.press("Escape");

  await page.getByRole("radio", { name: "Internal note" }).check();
  await page.getByRole("textbox", { name: "Internal note" }).pressSequentially("@");
  await page.getByRole("listbox", { name: "Mention an agent" }).waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await context.close();
});

test("the reply/note switch moves with the arrow keys and shows its focus; the note's lock icon adds no text", async () => {
  const { api, newAgentPage } = e2e();
  const ticket = await api.createTicket("Switch ticket", "switch@customer.test", "Hello.");
  await api.post(`/api/v1/tickets/${ticket.id}/messages`, { body: "Locked away.", kind: "note" });
  const { context, page } = await newAgentPage();
  await page.goto(`/tickets/${ticket.id}`);
  const reply = page.getByRole("radio", { name: "Public reply" });
  const note = page.getByRole("radio", { name: "Internal note" });
  await reply.focus();
  assert.equal(await reply.isChecked(), true);
  // The radio itself is transparent: its label draws the focus ring.
  const ring = await reply.evaluate((el) => getComputedStyle(el.closest("label")).outlineStyle);
  assert.equal(ring, "solid");

  await page.keyboard.press("ArrowRight");
  assert.equal(await note.isChecked(), true);
  await page.getByRole("textbox", { name: "Internal note" }).waitFor();
  await page.keyboard.press("ArrowLeft");
  assert.equal(await reply.isChecked(), true);
  await page.getByRole("textbox", { name: "Reply" }).waitFor();

  // The icon is drawn by CSS without a glyph, so what a screen reader hears is the author's name.
  const article = page.getByRole("article", { name: /^Internal note by/ });
  const author = (await api.get<{ name: string }>("/api/v1/me")).name;
  assert.match(await article.ariaSnapshot(), new RegExp(`- strong: ${author}\\n`));
  await context.close();
});

test("the split dialog, the problem picker and a problem's incidents pass axe's serious checks", async () => {
  const { api, newAgentPage } = e2e();
  const ticket = await api.createTicket("Split me", "sam@customer.test", "First question.");
  await api.post(`/api/v1/tickets/${ticket.id}/messages`, { body: "Second question.", kind: "reply" });
  const problem = await api.createTicket("Accessible outage", "ops@customer.test", "Down.", {
    type: "problem",
  });
  const incident = await api.createTicket("Accessible incident", "ida@customer.test", "Down here.", {
    type: "incident",
  });
  await api.patch(`/api/v1/tickets/${incident.id}`, { problemId: problem.id });
  const other = await api.createTicket("Another incident", "ora@customer.test", "Me too.", {
    type: "incident",
  });
  const { context, page } = await newAgentPage();

  await page.goto(`/tickets/${ticket.id}`);
  await page.getByRole("button", { name: "Split into new ticket" }).click();
  await page.getByRole("dialog", { name: "Split into a new ticket" }).waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await page.keyboard.press("Escape");

  await page.goto(`/tickets/${problem.id}`);
  const incidents = page.getByRole("region", { name: "Incidents" });
  await incidents.getByRole("link", { name: /Accessible incident$/ }).waitFor();
  assert.deepEqual(await seriousViolations(page), []);

  await page.goto(`/tickets/${other.id}`);
  await page.getByRole("button", { name: "Link to a problem" }).click();
  const dialog = page.getByRole("dialog", { name: "Link to a problem" });
  await dialog.getByRole("searchbox", { name: "Ticket number or subject" }).fill("outage");
  await dialog.getByRole("button", { name: /^Link #\d+ Accessible outage$/ }).waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await context.close();
});
