import assert from "node:assert/strict";
import { test } from "node:test";
import { AGENT_PASSWORD, expectCount, useE2e } from "./harness.ts";

const e2e = useE2e();

// A 1x1 PNG: a real image, so the server serves it inline and the thread shows a thumbnail.
const PIXEL = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=",
  "base64",
);

test("a reply and an internal note appear in the thread, the note styled apart, with the status change between", async () => {
  const { api, newAgentPage } = e2e();
  const ticket = await api.createTicket("Cannot log in", "sam@customer.test", "My password does not work.");
  const { context, page } = await newAgentPage();
  await page.goto(`/tickets/${ticket.id}`);
  await page
    .getByRole("article", { name: /^Reply by|^Customer reply by/ })
    .first()
    .waitFor();

  await page.getByRole("textbox", { name: "Reply" }).fill("Try resetting it from the sign-in page.");
  await page.getByRole("button", { name: "Send reply" }).click();
  const reply = page.getByRole("article", { name: /^Reply by/ }).filter({ hasText: "Try resetting it" });
  await reply.waitFor();
  assert.match((await reply.getAttribute("class")) ?? "", /message-reply/);
  await expectCount(reply.getByText("Public reply"), 1);
  // Replying to a new ticket opens it: a compact line says so.
  await page
    .getByRole("list", { name: "Conversation" })
    .getByText(/set status to Open/)
    .waitFor();

  await page.getByRole("radio", { name: "Internal note" }).check();
  await page
    .getByRole("textbox", { name: "Internal note" })
    .fill("Their account was locked by the fraud check.");
  await page.getByRole("button", { name: "Add note" }).click();
  const note = page.getByRole("article", { name: /^Internal note by/ }).filter({ hasText: "fraud check" });
  await note.waitFor();
  assert.match((await note.getAttribute("class")) ?? "", /message-note/);
  assert.doesNotMatch((await reply.getAttribute("class")) ?? "", /message-note/);

  // The customer sees the reply but not the note; the thread order is customer, reply, event, note.
  const messages = await api.get(`/api/v1/tickets/${ticket.id}/messages`);
  assert.deepEqual(
    messages.data.map((m: { kind: string }) => m.kind),
    ["reply", "reply", "note"],
  );
  assert.match(messages.data[1].html, /<p>Try resetting it/);
  await context.close();
});

test("a reply with an image and a file shows a thumbnail and a download link with its size", async () => {
  const { api, newAgentPage } = e2e();
  const ticket = await api.createTicket("Screenshot request", "ola@customer.test");
  const { context, page } = await newAgentPage();
  await page.goto(`/tickets/${ticket.id}`);
  await page.getByRole("textbox", { name: "Reply" }).fill("Here is what I see, and the log.");
  await page.getByLabel("Attach files").setInputFiles([
    { name: "pixel.png", mimeType: "image/png", buffer: PIXEL },
    { name: "server.log", mimeType: "text/plain", buffer: Buffer.from("line one\nline two\n") },
    { name: "unwanted.txt", mimeType: "text/plain", buffer: Buffer.from("not this one") },
  ]);
  const pending = page.getByRole("list", { name: "Files to send" });
  await pending.getByText("unwanted.txt").waitFor();
  await page.getByRole("button", { name: "Remove unwanted.txt" }).click();
  await pending.getByText("unwanted.txt").waitFor({ state: "detached" });
  await pending.getByRole("status").filter({ hasText: "Uploading" }).first().waitFor({ state: "detached" });

  await page.getByRole("button", { name: "Send reply" }).click();
  const reply = page.getByRole("article", { name: /^Reply by/ }).filter({ hasText: "Here is what I see" });
  await reply.waitFor();
  const image = reply.getByRole("img", { name: "pixel.png" });
  await image.waitFor();
  // The thumbnail really loaded from the attachments API.
  assert.ok(await image.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth === 1));
  const link = reply.getByRole("link", { name: "server.log" });
  await link.waitFor();
  assert.match(await reply.innerText(), /server\.log \(18 B\)/);
  await expectCount(reply.getByText("unwanted.txt"), 0);
  await expectCount(pending, 0);
  await context.close();
});

test("a canned response goes in with the requester's first name and the ticket number filled in", async () => {
  const { api, newAgentPage } = e2e();
  await api.post("/api/v1/canned-responses", {
    title: "Greeting",
    body: "Hi {{requester.first_name}},\n\nthanks for writing about ticket #{{ticket.number}}.",
  });
  await api.post("/api/v1/canned-responses", { title: "Goodbye", body: "Have a nice day." });
  const ticket = await api.createTicket("Billing question", "robin@customer.test", "Why two charges?", {
    requester: { email: "robin@customer.test", name: "Robin Example" },
  });
  const { context, page } = await newAgentPage();
  await page.goto(`/tickets/${ticket.id}`);
  await page.getByRole("textbox", { name: "Reply" }).waitFor();
  await page.getByRole("button", { name: "Canned responses" }).click();
  const search = page.getByRole("combobox", { name: "Search canned responses" });
  await search.fill("greet");
  const options = page.getByRole("listbox", { name: "Canned responses" }).getByRole("option");
  await options.filter({ hasText: "Greeting" }).waitFor();
  await expectCount(options, 1);
  await search.press("Enter");

  const editor = page.getByRole("textbox", { name: "Reply" });
  await editor.getByText("Hi Robin,").waitFor();
  assert.match(await editor.innerText(), new RegExp(`thanks for writing about ticket #${ticket.number}\\.`));
  await page.getByRole("button", { name: "Send reply" }).click();
  const reply = page.getByRole("article", { name: /^Reply by/ }).filter({ hasText: "Hi Robin," });
  await reply.waitFor();
  const messages = await api.get(`/api/v1/tickets/${ticket.id}/messages`);
  assert.equal(messages.data[1].body, `Hi Robin,\n\nthanks for writing about ticket #${ticket.number}.`);
  await context.close();
});

test("send and set status: a reply sent as Pending sets the ticket pending in one step", async () => {
  const { api, newAgentPage } = e2e();
  const ticket = await api.createTicket("Waiting on logs", "lee@customer.test");
  const { context, page } = await newAgentPage();
  await page.goto(`/tickets/${ticket.id}`);
  await page.getByRole("textbox", { name: "Reply" }).fill("Could you send us the logs?");
  await page.getByRole("button", { name: "Send and set status" }).click();
  await page.getByRole("menuitem", { name: "Send as Pending" }).click();
  await page
    .getByRole("article", { name: /^Reply by/ })
    .filter({ hasText: "send us the logs" })
    .waitFor();
  await page
    .getByRole("list", { name: "Conversation" })
    .getByText(/set status to Pending/)
    .waitFor();
  assert.equal((await api.get(`/api/v1/tickets/${ticket.id}`)).status, "pending");
  await context.close();
});

test("closed and merged tickets are read-only, with a banner saying why and where to go", async () => {
  const { api, newAgentPage } = e2e();
  const closed = await api.createTicket("Old issue", "kim@customer.test");
  const solved = await api.patch(`/api/v1/tickets/${closed.id}`, {
    status: "solved",
    version: closed.version,
  });
  await api.patch(`/api/v1/tickets/${closed.id}`, { status: "closed", version: solved.version });
  const source = await api.createTicket("Duplicate", "kim@customer.test");
  const target = await api.createTicket("Original", "kim@customer.test");
  await api.post(`/api/v1/tickets/${source.id}/merge`, { targetId: target.id });

  const { context, page } = await newAgentPage();
  await page.goto(`/tickets/${closed.id}`);
  await page.getByRole("note").filter({ hasText: "This ticket is closed" }).waitFor();
  assert.match(await page.getByRole("note").innerText(), /follow-up/);
  await expectCount(page.getByRole("textbox", { name: "Reply" }), 0);

  await page.goto(`/tickets/${source.id}`);
  const banner = page.getByRole("note").filter({ hasText: "merged into" });
  await banner.getByRole("link", { name: `#${target.number} Original` }).click();
  await page.waitForURL(new RegExp(`/tickets/${target.id}$`));
  await page.getByRole("textbox", { name: "Reply" }).waitFor();
  await context.close();
});

test("an admin adds, corrects and deletes canned responses from the picker", async () => {
  const { api, newAgentPage } = e2e();
  const ticket = await api.createTicket("Manage texts", "mo@customer.test");
  const { context, page } = await newAgentPage();
  await page.goto(`/tickets/${ticket.id}`);
  await page.getByRole("textbox", { name: "Reply" }).waitFor();
  await page.getByRole("button", { name: "Canned responses" }).click();
  await page.getByRole("button", { name: "Manage canned responses" }).click();
  const dialog = page.getByRole("dialog", { name: "Canned responses" });

  await dialog.getByRole("button", { name: "New canned response" }).click();
  await dialog.getByLabel("Title").fill("Shipping times");
  await dialog.getByLabel("Text").fill("Hi {{requester.frist_name}}, parcels take 3 days.");
  await dialog.getByRole("button", { name: "Save" }).click();
  // A typo in a placeholder is caught on save, next to the text.
  await dialog.getByRole("alert").filter({ hasText: "requester.frist_name" }).waitFor();
  await dialog.getByLabel("Text").fill("Hi {{requester.first_name}}, parcels take 3 days.");
  await dialog.getByRole("button", { name: "Save" }).click();
  const saved = dialog.getByRole("list", { name: "Saved canned responses" });
  await saved.getByText("Shipping times").waitFor();

  await dialog.getByRole("button", { name: "Edit Shipping times" }).click();
  await dialog.getByLabel("Title").fill("Shipping time");
  await dialog.getByRole("button", { name: "Save" }).click();
  await saved.getByText("Shipping time", { exact: true }).waitFor();
  assert.equal((await api.get("/api/v1/canned-responses?q=shipping")).data[0].title, "Shipping time");

  await dialog.getByRole("button", { name: "New canned response" }).click();
  await dialog.getByLabel("Title").fill("Temporary");
  await dialog.getByLabel("Text").fill("Remove me.");
  await dialog.getByRole("button", { name: "Save" }).click();
  await dialog.getByRole("button", { name: "Delete Temporary" }).click();
  await page
    .getByRole("dialog", { name: "Delete canned response" })
    .getByRole("button", { name: "Delete" })
    .click();
  await saved.getByText("Temporary").waitFor({ state: "detached" });
  await dialog.getByRole("button", { name: "Close" }).click();

  await page.getByRole("button", { name: "Canned responses" }).click();
  await page.getByRole("combobox", { name: "Search canned responses" }).fill("ship");
  await page
    .getByRole("listbox", { name: "Canned responses" })
    .getByRole("option", { name: /Shipping time/ })
    .click();
  await page.getByRole("textbox", { name: "Reply" }).getByText("Hi mo, parcels take 3 days.").waitFor();
  await context.close();
});

test("a light agent writes internal notes only", async () => {
  const { api, newAgentPage } = e2e();
  await api.createAgent("Lee Light", "lee.light@e2e.test", { role: "light_agent" });
  const ticket = await api.createTicket("Second opinion", "pat@customer.test");
  const { context, page } = await newAgentPage("lee.light@e2e.test", AGENT_PASSWORD);
  await page.goto(`/tickets/${ticket.id}`);
  const editor = page.getByRole("textbox", { name: "Internal note" });
  await editor.waitFor();
  await expectCount(page.getByRole("radio", { name: "Public reply" }), 0);
  await expectCount(page.getByRole("button", { name: "Send and set status" }), 0);
  await page.keyboard.press("r");
  await page.locator('[aria-label="Internal note"]:focus').waitFor();
  await editor.fill("Looks like a billing bug to me.");
  await page.getByRole("button", { name: "Add note" }).click();
  await page.getByRole("article", { name: "Internal note by Lee Light" }).waitFor();
  await context.close();
});

test("files dropped on the composer or pasted into the editor are attached", async () => {
  const { api, newAgentPage } = e2e();
  const ticket = await api.createTicket("Drop and paste", "dee@customer.test");
  const { context, page } = await newAgentPage();
  await page.goto(`/tickets/${ticket.id}`);
  const editor = page.getByRole("textbox", { name: "Reply" });
  await editor.fill("Two files for you.");
  // What a browser does when a file is dragged from the desktop onto the composer.
  const dropped = await page.evaluateHandle(
    `(() => { const dt = new DataTransfer(); dt.items.add(new File(["dropped"], "dropped.txt", { type: "text/plain" })); return dt; })()`,
  );
  const composer = page.getByRole("form", { name: "Reply to the customer" });
  await composer.dispatchEvent("dragover", { dataTransfer: dropped });
  await composer.dispatchEvent("drop", { dataTransfer: dropped });
  // And a screenshot pasted from the clipboard.
  await editor.evaluate((element) => {
    // Browser globals, typed loosely: this file is type-checked without the DOM library.
    const web = globalThis as any;
    const data = new web.DataTransfer();
    data.items.add(new web.File(["pasted"], "pasted.txt", { type: "text/plain" }));
    element.dispatchEvent(
      new web.ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }),
    );
  });
  const pending = page.getByRole("list", { name: "Files to send" });
  await pending.getByText("dropped.txt").waitFor();
  await pending.getByText("pasted.txt").waitFor();
  await pending.getByRole("status").filter({ hasText: "Uploading" }).first().waitFor({ state: "detached" });
  await page.getByRole("button", { name: "Send reply" }).click();
  const reply = page.getByRole("article", { name: /^Reply by/ }).filter({ hasText: "Two files" });
  await reply.getByRole("link", { name: "dropped.txt" }).waitFor();
  await reply.getByRole("link", { name: "pasted.txt" }).waitFor();
  // Only the file's name says "pasted": its bytes did not go into the text.
  await expectCount(reply.getByText("pasted"), 1);
  await context.close();
});
