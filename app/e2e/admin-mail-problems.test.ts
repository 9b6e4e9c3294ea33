import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { test } from "node:test";
import axe from "axe-core";
import type { Page } from "playwright-core";
import { startSinkMta } from "../../server/test/sink-mta.ts";
import { AGENT_PASSWORD, expectCount, signIn, useE2e } from "./harness.ts";

// The admin's "Mail problems" page with real failures: an incoming mail whose attachment cannot
// be stored (the file store's directory is a file, as on a broken disk), and a reply that the
// customer's mail server (a real smtp-server on loopback) refuses with 550. The admin finds both,
// fixes the causes, retries, and the mail gets through.

const e2e = useE2e();

const uploadMail = (mailboxId: number, lines: string[]) =>
  e2e().api.uploadMail(mailboxId, lines.join("\r\n"));

const plainMail = (from: string, subject: string, id: string) => [
  `From: ${from}`,
  "To: support@e2e.test",
  `Subject: ${subject}`,
  `Message-ID: <${id}@customer.test>`,
  "Date: Mon, 23 Nov 2026 10:00:00 +0000",
  "MIME-Version: 1.0",
  "Content-Type: text/plain; charset=utf-8",
  "",
  "It jams on every page.",
  "",
];

// An attachment is what needs the file store.
const mailWithAttachment = (from: string, subject: string, id: string) => [
  `From: ${from}`,
  "To: support@e2e.test",
  `Subject: ${subject}`,
  `Message-ID: <${id}@customer.test>`,
  "Date: Mon, 23 Nov 2026 11:00:00 +0000",
  "MIME-Version: 1.0",
  'Content-Type: multipart/mixed; boundary="b1"',
  "",
  "--b1",
  "Content-Type: text/plain; charset=utf-8",
  "",
  "The invoice is attached.",
  "--b1",
  'Content-Type: text/plain; name="invoice.txt"',
  'Content-Disposition: attachment; filename="invoice.txt"',
  "",
  "Total: 42",
  "--b1--",
  "",
];

// Mail is processed and sent by workers after the API answers; the test waits for what it needs.
async function until<T>(what: string, read: () => Promise<T | null | undefined | false>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

// The file store's directory replaced by a file: every attachment write fails, as on a broken disk.
function breakFileStore() {
  const dir = e2e().server.app.config.fileStoreDir;
  rmSync(dir, { recursive: true, force: true });
  writeFileSync(dir, "not a directory");
  let repaired = false;
  return () => {
    if (repaired) return;
    repaired = true;
    rmSync(dir, { force: true });
    mkdirSync(dir, { recursive: true });
  };
}

async function seriousAxeViolations(page: Page) {
  if (!(await page.evaluate(() => "axe" in globalThis))) await page.addScriptTag({ content: axe.source });
  const results = (await page.evaluate(() =>
    (globalThis as unknown as { axe: { run: (o: unknown) => Promise<unknown> } }).axe.run({
      resultTypes: ["violations"],
    }),
  )) as axe.AxeResults;
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

test("an admin finds mail Parley could not handle, fixes the causes, retries, and it gets through", async () => {
  const { api, browser, url } = e2e();
  const refuse: Record<string, number> = { "casey@customer.test": 550 };
  const mta = await startSinkMta({ refuse });
  try {
    const mailbox = await api.post<{ id: number }>("/api/v1/mailboxes", {
      name: "Support",
      address: "support@e2e.test",
      inbound: "upload",
      smtp: { host: "127.0.0.1", port: mta.port, secure: false },
      settings: { sendReceipt: false },
    });

    // A customer's mail becomes a ticket; the agent's reply to it is refused by their server.
    await uploadMail(mailbox.id, plainMail("Casey <casey@customer.test>", "Printer jams", "jam-1"));
    const ticketId = await until("the mail to become a ticket", async () => {
      const page = await api.get(`/api/v1/mailboxes/${mailbox.id}/inbound?status=processed`);
      return page.data[0]?.ticketId as number | undefined;
    });
    await api.post(`/api/v1/tickets/${ticketId}/messages`, {
      body: "A new roller is on its way.",
      kind: "reply",
    });
    await until("the reply to be refused", async () => (await api.get("/api/v1/outbound-emails")).data[0]);

    // An incoming mail with an attachment, while the disk is broken.
    const repairFileStore = breakFileStore();
    try {
      await uploadMail(
        mailbox.id,
        mailWithAttachment("Dana Doe <dana@customer.test>", "Invoice attached", "inv-1"),
      );
      await until("the mail to fail", async () => (await api.get("/api/v1/inbound-emails")).data[0]);

      // A second admin opens the page (axe is injected as a script, which the app's CSP refuses).
      const morgan = await api.createAgent("Morgan Admin", "morgan@e2e.test", { role: "admin" });
      const context = await browser.newContext({
        baseURL: url,
        viewport: { width: 1280, height: 800 },
        bypassCSP: true,
      });
      const page = await context.newPage();
      await signIn(page, "morgan@e2e.test", AGENT_PASSWORD);
      await page.goto("/admin/mailboxes");
      await page.getByRole("link", { name: "1 incoming mail could not be processed" }).click();
      await page.getByRole("heading", { level: 1, name: "Mail problems" }).waitFor();
      assert.equal(
        await page
          .getByRole("navigation", { name: "Admin" })
          .getByRole("link", { name: "Mail problems" })
          .getAttribute("aria-current"),
        "page",
      );

      const incoming = page.getByRole("region", { name: "Incoming mail that could not be processed" });
      const invoice = incoming.getByRole("row").filter({ hasText: "Invoice attached" });
      await invoice.waitFor();
      const invoiceText = await invoice.innerText();
      assert.match(invoiceText, /Dana Doe/);
      assert.match(invoiceText, /dana@customer\.test/);
      assert.match(invoiceText, /Support/);
      // The store's error, not the mail's content.
      assert.match(invoiceText, /ENOTDIR|EEXIST|not a directory/i);
      assert.doesNotMatch(invoiceText, /Total: 42/);

      const outgoing = page.getByRole("region", { name: "Outgoing mail that was not delivered" });
      const reply = outgoing.getByRole("row").filter({ hasText: "Printer jams" });
      await reply.waitFor();
      assert.match(await reply.innerText(), /Not delivered/);
      assert.match(await reply.innerText(), /550/);
      assert.match(await reply.innerText(), /casey@customer\.test/);
      assert.equal(
        await reply.getByRole("link", { name: /Printer jams/ }).getAttribute("href"),
        `/tickets/${ticketId}`,
      );
      assert.deepEqual(await seriousAxeViolations(page), [], "light mode");
      await page.emulateMedia({ colorScheme: "dark" });
      assert.deepEqual(await seriousAxeViolations(page), [], "dark mode");

      // The raw mail downloads as it arrived, with the admin's session.
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        invoice.getByRole("link", { name: "Download raw “Invoice attached”" }).click(),
      ]);
      assert.equal(
        download.suggestedFilename(),
        `inbound-${(await api.get("/api/v1/inbound-emails")).data[0].id}.eml`,
      );
      const raw = readFileSync(await download.path(), "utf8");
      assert.match(raw, /Subject: Invoice attached/);
      assert.match(raw, /Total: 42/);

      // Morgan is no longer an admin when they press Retry: the refusal is said beside the row.
      await api.patch(`/api/v1/users/${morgan.id}`, { role: "agent" });
      await invoice.getByRole("button", { name: "Retry “Invoice attached”" }).click();
      await invoice
        .getByRole("alert")
        .filter({ hasText: /Could not retry/ })
        .waitFor();
      await api.patch(`/api/v1/users/${morgan.id}`, { role: "admin" });

      // The customer's server takes mail again: the reply is retried and delivered.
      delete refuse["casey@customer.test"];
      await reply.getByRole("button", { name: /^Retry/ }).click();
      await reply.waitFor({ state: "detached" });
      await page
        .getByRole("status")
        .filter({ hasText: /queued to be sent again/ })
        .waitFor();
      await outgoing.getByText("Nothing is wrong here: no outgoing mail failed or bounced.").waitFor();
      const delivered = await until("the reply to be delivered", async () =>
        mta.accepted().find((d) => d.rcptTo.includes("casey@customer.test")),
      );
      assert.match(delivered.raw.toString("utf8"), /A new roller is on its way/);

      // The disk is repaired: the incoming mail is processed and becomes a ticket.
      repairFileStore();
      await invoice.getByRole("button", { name: "Retry “Invoice attached”" }).click();
      await invoice.waitFor({ state: "detached" });
      // Parley's own retry may have got there between the repair and the click: either way it is done.
      await page
        .getByRole("status")
        .filter({ hasText: /“Invoice attached” was (sent for processing again|already processed)/ })
        .waitFor();
      await incoming.getByText(/^Nothing is wrong here: every incoming mail/).waitFor();
      await until("the mail to become a ticket", async () => {
        const page = await api.get(`/api/v1/mailboxes/${mailbox.id}/inbound?status=processed`);
        return page.data.find(
          (m: { subject: string; ticketId: number | null }) => m.subject === "Invoice attached",
        )?.ticketId;
      });
      await page.goto("/admin/mailboxes");
      await page.getByRole("table").waitFor();
      await expectCount(page.getByRole("link", { name: /could not be processed/ }), 0);
      await context.close();
    } finally {
      repairFileStore();
    }
  } finally {
    await mta.close();
  }
});

test("a long list of failed incoming mail pages with Load more", async () => {
  const { api, newAgentPage } = e2e();
  const mailbox = await api.post<{ id: number }>("/api/v1/mailboxes", {
    name: "Billing",
    address: "billing@e2e.test",
    inbound: "upload",
  });
  const repairFileStore = breakFileStore();
  try {
    for (let i = 1; i <= 26; i++) {
      await uploadMail(mailbox.id, mailWithAttachment("lee@customer.test", `Receipt ${i}`, `receipt-${i}`));
    }
    await until("26 mails to fail", async () => {
      const counts = await api.get("/api/v1/inbound-emails/counts");
      return counts.failed === 26;
    });
    const { context, page } = await newAgentPage();
    await page.goto("/admin/mail-problems");
    const incoming = page.getByRole("region", { name: "Incoming mail that could not be processed" });
    // Newest first, a page of 25: the first mail is on the next page.
    const mail = (subject: string) => incoming.getByRole("rowheader", { name: subject, exact: true });
    await mail("Receipt 26").waitFor();
    await mail("Receipt 2").waitFor();
    await expectCount(mail("Receipt 1"), 0);
    await incoming.getByRole("button", { name: "Load more incoming mail" }).click();
    await mail("Receipt 1").waitFor();
    // The header row and 26 mails; nothing more to load.
    await expectCount(incoming.getByRole("row"), 27);
    await incoming.getByRole("button", { name: "Load more incoming mail" }).waitFor({ state: "detached" });
    await context.close();
  } finally {
    repairFileStore();
  }
});

test("an admin narrows the incoming list to one mailbox, and the URL keeps the choice", async () => {
  const { api, newAgentPage } = e2e();
  const sales = await api.post<{ id: number }>("/api/v1/mailboxes", {
    name: "Sales",
    address: "sales@e2e.test",
    inbound: "upload",
  });
  const returns = await api.post<{ id: number }>("/api/v1/mailboxes", {
    name: "Returns",
    address: "returns@e2e.test",
    inbound: "upload",
  });
  const repairFileStore = breakFileStore();
  try {
    await uploadMail(sales.id, mailWithAttachment("kim@customer.test", "Quote request", "quote-1"));
    await uploadMail(returns.id, mailWithAttachment("lou@customer.test", "Return label", "return-1"));
    for (const mailbox of [sales, returns]) {
      await until(
        "the mail to fail",
        async () => (await api.get(`/api/v1/inbound-emails?mailboxId=${mailbox.id}`)).data[0],
      );
    }
    const { context, page } = await newAgentPage();
    const incoming = page.getByRole("region", { name: "Incoming mail that could not be processed" });
    const mail = (subject: string) => incoming.getByRole("rowheader", { name: subject, exact: true });
    const mailboxSelect = page.getByRole("combobox", { name: "Mailbox" });
    const searchMailbox = () => new URL(page.url()).searchParams.get("mailbox");

    // The Sales row of the Mailboxes page links to Sales's failures only.
    await page.goto("/admin/mailboxes");
    await page
      .getByRole("row")
      .filter({ has: page.getByRole("rowheader", { name: "Sales", exact: true }) })
      .getByRole("link", { name: "1 failed incoming mail" })
      .click();
    await page.getByRole("heading", { level: 1, name: "Mail problems" }).waitFor();
    await mail("Quote request").waitFor();
    assert.equal(searchMailbox(), String(sales.id));
    assert.equal(await mailboxSelect.inputValue(), String(sales.id));
    await expectCount(mail("Return label"), 0);
    // The header row and Sales's one mail.
    await expectCount(incoming.getByRole("row"), 2);

    // Choosing Returns shows only its mail, and says so in the URL.
    await mailboxSelect.selectOption({ label: "Returns" });
    await mail("Return label").waitFor();
    await expectCount(mail("Quote request"), 0);
    assert.equal(searchMailbox(), String(returns.id));

    // A reload keeps the choice.
    await page.reload();
    await mail("Return label").waitFor();
    assert.equal(await mailboxSelect.inputValue(), String(returns.id));
    await expectCount(mail("Quote request"), 0);
    await expectCount(incoming.getByRole("row"), 2);

    // All mailboxes shows both again, and the URL no longer names one.
    await mailboxSelect.selectOption({ label: "All mailboxes" });
    await mail("Quote request").waitFor();
    await mail("Return label").waitFor();
    assert.equal(searchMailbox(), null);

    // The choice belongs to Mail problems: the other admin pages do not carry it.
    await mailboxSelect.selectOption({ label: "Sales" });
    await page.waitForURL((u) => u.searchParams.get("mailbox") === String(sales.id));
    await page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Mailboxes" }).click();
    await page.getByRole("heading", { level: 1, name: "Mailboxes" }).waitFor();
    assert.equal(searchMailbox(), null);
    await context.close();
  } finally {
    repairFileStore();
  }
});
