// Screenshots of the inbox and the ticket page for docs/agent-app.md, taken from a workspace
// with realistic data. The pages are always checked to render; the PNGs are written only with
// PARLEY_SCREENSHOTS=1, so an ordinary test run leaves the tree clean.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { ADMIN_EMAIL, ADMIN_PASSWORD, type ApiSession, signIn, useE2e } from "./harness.ts";

const e2e = useE2e();
const OUT = join(import.meta.dirname, "..", "..", "docs", "screenshots");
const WRITE = process.env.PARLEY_SCREENSHOTS === "1";

const AGENTS = [
  ["Maya Okafor", "maya@northwind.test"],
  ["Jonas Berg", "jonas@northwind.test"],
  ["Priya Raman", "priya@northwind.test"],
  ["Tomás Silva", "tomas@northwind.test"],
];
const GROUPS = ["Billing", "Technical support", "Shipping"];
const CUSTOMERS = [
  ["Ada Lindqvist", "ada@lindqvist-design.test"],
  ["Ben Carter", "ben.carter@mailbox.test"],
  ["Chloé Martin", "chloe@atelier-martin.test"],
  ["Diego Alvarez", "diego@alvarez-bikes.test"],
  ["Emma Schultz", "emma.schultz@praxis.test"],
  ["Farah Haddad", "farah@haddad-law.test"],
  ["George Ito", "george@ito-ceramics.test"],
  ["Hana Novak", "hana.novak@mailbox.test"],
];
// [subject, first message, group index, priority, status, tags]
const TICKETS: [string, string, number, string, string, string[]][] = [
  [
    "Charged twice for the March invoice",
    "My card shows two charges of €49 on 3 March. Can you refund one?",
    0,
    "high",
    "open",
    ["refund"],
  ],
  [
    "Cannot log in after changing my email",
    "Since I changed my email address the login page says my password is wrong.",
    1,
    "urgent",
    "open",
    ["login"],
  ],
  [
    "Parcel stuck in Rotterdam for a week",
    "Tracking has said 'in transit – Rotterdam' since Monday.",
    2,
    "normal",
    "pending",
    ["delayed"],
  ],
  [
    "How do I add a second user to my plan?",
    "We hired someone and want to give her access to our account.",
    0,
    "low",
    "new",
    ["plan"],
  ],
  [
    "Export to CSV leaves out the notes column",
    "When I export my orders the notes are missing from the file.",
    1,
    "normal",
    "open",
    ["export", "bug"],
  ],
  [
    "Wrong VAT number on invoice 2024-118",
    "Our VAT number is DE298765432, the invoice shows an old one.",
    0,
    "normal",
    "open",
    ["invoice"],
  ],
  [
    "Damaged box, one mug broken",
    "The parcel arrived crushed and one of the four mugs is broken. Photo attached.",
    2,
    "high",
    "open",
    ["damaged"],
  ],
  [
    "API returns 429 during the nightly sync",
    "Our sync gets 'too many requests' around 02:00 every night.",
    1,
    "high",
    "on_hold",
    ["api"],
  ],
  [
    "Change delivery address for order 5531",
    "Please ship to our new office at Kastanienallee 12 instead.",
    2,
    "normal",
    "new",
    [],
  ],
  [
    "Discount code SPRING24 not accepted",
    "The checkout says the code is invalid but it is in your newsletter.",
    0,
    "normal",
    "pending",
    ["promo"],
  ],
  [
    "Two-factor codes arrive late",
    "The SMS code often arrives after it has expired.",
    1,
    "high",
    "open",
    ["2fa", "login"],
  ],
  [
    "Cancel my subscription at the end of the month",
    "We are closing the shop; please cancel from 1 May.",
    0,
    "low",
    "open",
    ["cancellation"],
  ],
  [
    "Webhook signature does not verify",
    "We compute the HMAC as documented but it never matches.",
    1,
    "normal",
    "open",
    ["api", "webhooks"],
  ],
  [
    "Return label for order 5402",
    "I'd like to return the linen shirt, size M is too small.",
    2,
    "low",
    "new",
    ["returns"],
  ],
  [
    "Invoice PDF is blank",
    "The PDF for invoice 2024-131 opens as an empty page.",
    0,
    "normal",
    "open",
    ["invoice", "bug"],
  ],
  [
    "Reset password mail never arrives",
    "I asked three times; nothing in spam either.",
    1,
    "urgent",
    "new",
    ["login", "email"],
  ],
  [
    "Customs fees charged on delivery",
    "The courier asked me for €18 customs, I thought shipping was DDP.",
    2,
    "normal",
    "open",
    ["customs"],
  ],
  [
    "Upgrade from Starter to Team",
    "What happens to our data when we upgrade mid-month?",
    0,
    "low",
    "pending",
    ["plan"],
  ],
  [
    "Slow dashboard since Tuesday",
    "The dashboard takes 20 seconds to load for all of us.",
    1,
    "high",
    "open",
    ["performance"],
  ],
  [
    "Order 5590 shows delivered but nothing came",
    "Tracking says delivered yesterday at 14:02; no parcel anywhere.",
    2,
    "high",
    "open",
    ["lost"],
  ],
  [
    "Receipt for expense report",
    "Could you send a receipt with our company name on it?",
    0,
    "low",
    "solved",
    ["invoice"],
  ],
  [
    "SSO with Azure AD",
    "Do you support SAML with Azure AD, and on which plan?",
    1,
    "normal",
    "pending",
    ["sso"],
  ],
  [
    "Gift wrapping for order 5611",
    "Can you still add gift wrapping? It's a birthday present.",
    2,
    "low",
    "open",
    [],
  ],
  [
    "Refund not received after 10 days",
    "You confirmed the refund on the 2nd but nothing has arrived.",
    0,
    "high",
    "open",
    ["refund"],
  ],
  [
    "Mobile app crashes on startup",
    "Since the last update the iOS app closes right after the splash screen.",
    1,
    "urgent",
    "open",
    ["ios", "bug"],
  ],
  [
    "Express shipping to Norway",
    "Do you ship express to Oslo, and what does it cost?",
    2,
    "low",
    "new",
    ["shipping"],
  ],
  [
    "Card declined although it works elsewhere",
    "My Visa is declined at your checkout but works in other shops.",
    0,
    "normal",
    "open",
    ["payment"],
  ],
  [
    "Bulk import of 3,000 contacts",
    "Is there a limit on the CSV import? Ours stops at 1,000 rows.",
    1,
    "normal",
    "open",
    ["import"],
  ],
  [
    "Package left at the wrong door",
    "The driver's photo shows a door that is not ours.",
    2,
    "normal",
    "pending",
    ["delivery"],
  ],
  [
    "Question about the annual plan discount",
    "Is the 20% annual discount also valid for the Team plan?",
    0,
    "low",
    "solved",
    ["plan"],
  ],
];
const REPLIES = [
  "Thanks for writing in! I've looked into this and I'm on it; I'll get back to you today.",
  "Sorry about the trouble. Could you send me the order number and a screenshot of what you see?",
  "I've passed this on to the team that handles it and will update you as soon as I hear back.",
];
const NOTES = [
  "Checked the payment provider: the second charge is a pending authorisation, it should drop off.",
  "Same issue as last week's ticket from this customer. Escalating to engineering.",
  "Courier confirmed the parcel is at their depot; redelivery booked for Thursday.",
];

async function seed(api: ApiSession) {
  // The admin taking the screenshots is a named person at work, not "Admin" and offline.
  await api.patch("/api/v1/me", { name: "Sam Rivera", availability: "online", timeZone: "Europe/Berlin" });
  const groupIds: number[] = [];
  for (const name of GROUPS) groupIds.push((await api.post("/api/v1/groups", { name })).id);
  const agentIds: number[] = [];
  for (const [i, [name, email]] of AGENTS.entries()) {
    agentIds.push((await api.createAgent(name, email, { groupIds: [groupIds[i % groupIds.length]] })).id);
  }
  await api.post("/api/v1/custom-fields", {
    key: "plan",
    label: "Plan",
    kind: "dropdown",
    options: ["Starter", "Team", "Business"],
  });
  await api.post("/api/v1/custom-fields", { key: "order_number", label: "Order number", kind: "text" });
  const org = await api.post("/api/v1/organizations", {
    name: "Lindqvist Design AB",
    domains: ["lindqvist-design.test"],
    notes: "Design studio, 12 seats on the Team plan since 2022.",
  });
  const contactIds: number[] = [];
  for (const [name, email] of CUSTOMERS) {
    const contact = await api.post("/api/v1/contacts", {
      name,
      emails: [email],
      ...(email.includes("lindqvist")
        ? {
            organizationId: org.id,
            timeZone: "Europe/Stockholm",
            phones: ["+46 8 555 0142"],
            attributes: { plan: "Team" },
          }
        : {}),
    });
    contactIds.push(contact.id);
  }
  const membersOf = (group: number) => agentIds.filter((_, a) => a % GROUPS.length === group);
  const ids: number[] = [];
  for (const [i, [subject, body, group, priority, status, tags]] of TICKETS.entries()) {
    const ticket = await api.post("/api/v1/tickets", {
      subject,
      requester: { id: contactIds[i % contactIds.length] },
      comment: { body },
      groupId: groupIds[group],
      priority,
      tags,
      channel: ["email", "web_form", "api", "chat"][i % 4],
      // Assignees come from the ticket's group; every fifth ticket waits unassigned.
      ...(i % 5 === 3 ? {} : { assigneeId: membersOf(group)[i % membersOf(group).length] }),
      ...(group === 0 ? { customFields: { plan: ["Starter", "Team", "Business"][i % 3] } } : {}),
    });
    if (i % 3 !== 2 && status !== "new")
      await api.post(`/api/v1/tickets/${ticket.id}/messages`, { body: REPLIES[i % 3], kind: "reply" });
    if (i % 2 === 0)
      await api.post(`/api/v1/tickets/${ticket.id}/messages`, { body: NOTES[i % 3], kind: "note" });
    const current = await api.get(`/api/v1/tickets/${ticket.id}`);
    // "new" is where a ticket starts, not a status to set; those keep no agent reply instead.
    if (current.status !== status && status !== "new") {
      await api.patch(`/api/v1/tickets/${ticket.id}`, { version: current.version, status });
    }
    ids.push(ticket.id);
  }
  return ids[0];
}

async function shoot(page: Page, name: string) {
  if (!WRITE) return;
  await mkdir(OUT, { recursive: true });
  await page.screenshot({ path: join(OUT, `${name}.png`) });
}

test("the inbox and the ticket page render with realistic data, in light and dark mode", async () => {
  const { api, browser, url } = e2e();
  const ticketId = await seed(api);
  for (const scheme of ["light", "dark"] as const) {
    const context = await browser.newContext({
      baseURL: url,
      colorScheme: scheme,
      viewport: { width: 1280, height: 800 },
    });
    const page = await context.newPage();
    await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.getByRole("link", { name: /^All open/ }).click();
    await page.getByRole("row").filter({ hasText: "Charged twice for the March invoice" }).waitFor();
    await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
    // The inbox lists the seeded tickets: more than ten rows.
    await page.getByRole("row").nth(10).waitFor();
    // Wait for the requesters' names, which arrive after the rows.
    await page.getByRole("row").filter({ hasText: "Ada Lindqvist" }).first().waitFor();
    await shoot(page, `inbox-${scheme}`);

    await page.goto(`/tickets/${ticketId}`);
    await page.getByRole("heading", { level: 1, name: /Charged twice/ }).waitFor();
    await page.getByText(NOTES[0]).waitFor();
    await page.getByRole("region", { name: "Properties" }).waitFor();
    await page
      .getByRole("region", { name: /^Requester: Ada Lindqvist/ })
      .getByText("Lindqvist Design AB")
      .waitFor();
    await page.getByRole("region", { name: "Other tickets" }).getByRole("link").first().waitFor();
    await shoot(page, `ticket-${scheme}`);
    await context.close();
  }
});
