import { test } from "node:test";
import { AGENT_PASSWORD, expectCount, useE2e } from "./harness.ts";

const e2e = useE2e();

// An incident linked to a problem, the way the API links one: a PATCH of the incident.
async function linkedIncident(problemId: number, subject: string, email: string) {
  const { api } = e2e();
  const incident = await api.createTicket(subject, email, "It fails for me too.", { type: "incident" });
  await api.patch(`/api/v1/tickets/${incident.id}`, { problemId });
  return incident;
}

test("an incident is linked to a problem found by subject or number, only problems offered, and unlinked", async () => {
  const { api, newAgentPage } = e2e();
  const problem = await api.createTicket("Mailserver outage", "ops@customer.test", "Mail is down.", {
    type: "problem",
  });
  await api.createTicket("Mailserver outage question", "q@customer.test", "Is it down?", {
    type: "question",
  });
  const incident = await api.createTicket("No mail since noon", "ann@customer.test", "Nothing arrives.", {
    type: "incident",
  });
  const { context, page } = await newAgentPage();
  await page.goto(`/tickets/${incident.id}`);
  const section = page.getByRole("region", { name: "Problem" });
  await section.getByText("This incident is not linked to a problem.").waitFor();
  await section.getByRole("button", { name: "Link to a problem" }).click();

  const dialog = page.getByRole("dialog", { name: "Link to a problem" });
  await dialog.getByRole("searchbox", { name: "Ticket number or subject" }).fill("Mailserver");
  const found = dialog.getByRole("list", { name: "Tickets found" }).getByRole("listitem");
  // The question about the outage matches too, but only a problem can be linked.
  await expectCount(found, 1);
  await found.getByText(`#${problem.number} Mailserver outage`).waitFor();
  await dialog.getByRole("button", { name: `Link #${problem.number} Mailserver outage` }).click();
  await expectCount(page.getByRole("dialog"), 0);
  await section.getByRole("link", { name: `#${problem.number} Mailserver outage` }).waitFor();
  await section.getByText("When the problem is solved, this incident is solved with it.").waitFor();

  await section.getByRole("button", { name: "Unlink from problem" }).click();
  await section.getByText("This incident is not linked to a problem.").waitFor();

  // By number, as "#12".
  await section.getByRole("button", { name: "Link to a problem" }).click();
  await dialog.getByRole("searchbox", { name: "Ticket number or subject" }).fill(`#${problem.number}`);
  await dialog.getByRole("button", { name: `Link #${problem.number} Mailserver outage` }).click();
  await section.getByRole("link", { name: `#${problem.number} Mailserver outage` }).click();
  await page.getByRole("heading", { name: /Mailserver outage/ }).waitFor();
  await page
    .getByRole("region", { name: "Incidents" })
    .getByRole("link", { name: `#${incident.number} No mail since noon` })
    .waitFor();
  await context.close();
});

test("a problem lists its incidents a page at a time, links another, and each one opens", async () => {
  const { api, newAgentPage } = e2e();
  const problem = await api.createTicket("Login outage", "ops@customer.test", "Logins fail.", {
    type: "problem",
  });
  for (let i = 1; i <= 27; i++) {
    await linkedIncident(problem.id, `Cannot log in ${i}`, `user${i}@customer.test`);
  }
  const spare = await api.createTicket("Login broken here too", "late@customer.test", "Same.", {
    type: "incident",
  });
  const { context, page } = await newAgentPage();
  await page.goto(`/tickets/${problem.id}`);
  const section = page.getByRole("region", { name: "Incidents" });
  await section.getByText(/Solving this problem solves its linked incidents that are still open/).waitFor();
  const rows = section.getByRole("row").filter({ has: page.getByRole("link") });
  await expectCount(rows, 25);
  await section.getByRole("button", { name: "More incidents" }).click();
  await expectCount(rows, 27);

  await section.getByRole("button", { name: "Link incident" }).click();
  const dialog = page.getByRole("dialog", { name: "Link an incident" });
  await dialog.getByRole("searchbox", { name: "Ticket number or subject" }).fill(`#${spare.number}`);
  await dialog.getByRole("button", { name: `Link #${spare.number} Login broken here too` }).click();
  await expectCount(page.getByRole("dialog"), 0);
  // Both loaded pages are read again, and the new link is last (oldest link first).
  await expectCount(rows, 28);
  await section.getByRole("link", { name: `#${spare.number} Login broken here too` }).waitFor();

  await section.getByRole("link", { name: /Cannot log in 27$/ }).click();
  await page.getByRole("heading", { name: /Cannot log in 27/ }).waitFor();
  await page
    .getByRole("region", { name: "Problem" })
    .getByRole("link", { name: /Login outage$/ })
    .waitFor();
  await context.close();
});

test("solving a problem solves its incidents and posts its latest public reply on them", async () => {
  const { api, newAgentPage } = e2e();
  const problem = await api.createTicket("Payment outage", "ops@customer.test", "Card payments fail.", {
    type: "problem",
  });
  const incidents = [];
  for (const who of ["pia", "pol"]) {
    incidents.push(await linkedIncident(problem.id, `Payment failed for ${who}`, `${who}@customer.test`));
  }
  await api.post(`/api/v1/tickets/${problem.id}/messages`, {
    body: "The payment provider fixed the outage; please try again.",
    kind: "reply",
  });
  const { context, page } = await newAgentPage();
  await page.goto(`/tickets/${problem.id}`);
  const section = page.getByRole("region", { name: "Incidents" });
  const solved = section.getByRole("row").filter({ hasText: "Solved" });
  await expectCount(section.getByRole("row").filter({ has: page.getByRole("link") }), 2);
  await expectCount(solved, 0);
  await page.getByRole("combobox", { name: "Status", exact: true }).selectOption("solved");
  await expectCount(solved, 2);

  await section.getByRole("link", { name: `#${incidents[0].number} Payment failed for pia` }).click();
  await page.getByRole("heading", { name: /Payment failed for pia/ }).waitFor();
  await page
    .getByRole("list", { name: "Conversation" })
    .getByText("The payment provider fixed the outage; please try again.")
    .waitFor();
  await expectCount(
    page
      .getByRole("combobox", { name: "Status", exact: true })
      .locator("option:checked", { hasText: "Solved" }),
    1,
  );
  await context.close();
});

test("a light agent sees the problem and its incidents but cannot link or unlink", async () => {
  const { api, newAgentPage } = e2e();
  await api.createAgent("Lux Light", "lux.problems@e2e.test", { role: "light_agent", ticketAccess: "all" });
  const problem = await api.createTicket("Printer outage", "ops@customer.test", "Printers down.", {
    type: "problem",
  });
  const incident = await linkedIncident(problem.id, "Cannot print", "cat@customer.test");
  const { context, page } = await newAgentPage("lux.problems@e2e.test", AGENT_PASSWORD);
  await page.goto(`/tickets/${incident.id}`);
  const problemSection = page.getByRole("region", { name: "Problem" });
  await problemSection.getByRole("link", { name: `#${problem.number} Printer outage` }).click();
  const incidentsSection = page.getByRole("region", { name: "Incidents" });
  await incidentsSection.getByRole("link", { name: `#${incident.number} Cannot print` }).waitFor();
  await expectCount(incidentsSection.getByRole("button", { name: "Link incident" }), 0);
  await page.goto(`/tickets/${incident.id}`);
  await problemSection.getByRole("link", { name: `#${problem.number} Printer outage` }).waitFor();
  await expectCount(problemSection.getByRole("button"), 0);
  await context.close();
});
