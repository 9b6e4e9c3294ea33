import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { Client } from "../test/harness.ts";
import { buildWorkspace, useTestApp } from "../test/harness.ts";

const storeDir = mkdtempSync(join(tmpdir(), "parley-files-"));
after(() => rmSync(storeDir, { recursive: true, force: true }));
const ctx = useTestApp({ PARLEY_FILE_STORE_DIR: storeDir, PARLEY_MAX_ATTACHMENT_MB: "1" });

const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from("not really the rest of a png"),
]);

function multipart(filename: string, contentType: string, content: Buffer, field = "file") {
  const boundary = `----parley${Math.random().toString(16).slice(2)}`;
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\n` +
        `Content-Type: ${contentType}\r\n\r\n`,
    ),
    content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, headers: { "content-type": `multipart/form-data; boundary=${boundary}` } };
}

async function upload(client: Client, filename: string, contentType: string, content: Buffer) {
  const { body, headers } = multipart(filename, contentType, content);
  return client.request("POST", "/api/v1/attachments", body, headers);
}

function storedFiles(): string[] {
  return readdirSync(storeDir, { recursive: true, encoding: "utf8" }).filter((p) =>
    statSync(join(storeDir, p)).isFile(),
  );
}

test("an upload posted with a message is downloadable by another agent", async () => {
  const ws = await buildWorkspace(ctx());
  const writer = await ws.agent();
  const reader = await ws.agent();
  const ticket = await ws.ticket();
  const res = await upload(ws.as(writer), "screenshot.png", "image/png", PNG);
  assert.equal(res.statusCode, 201, res.body);
  const file = res.json();
  assert.deepEqual(file, {
    id: file.id,
    filename: "screenshot.png",
    contentType: "image/png",
    size: PNG.length,
    url: `/api/v1/attachments/${file.id}`,
  });

  const posted = await ws.as(writer).post(`/api/v1/tickets/${ticket.id}/messages`, {
    body: "Here is what I see",
    attachmentIds: [file.id],
  });
  assert.equal(posted.statusCode, 201, posted.body);
  assert.deepEqual(posted.json().message.attachments, [file]);

  const download = await ws.as(reader).get(file.url);
  assert.equal(download.statusCode, 200);
  assert.deepEqual(download.rawPayload, PNG);
  assert.equal(download.headers["content-type"], "image/png");
  assert.equal(download.headers["content-length"], String(PNG.length));
  assert.match(String(download.headers["content-disposition"]), /^inline; filename="screenshot.png"/);
  assert.equal(download.headers["x-content-type-options"], "nosniff");
});

test("files that are not safe images are served as downloads with their real type", async () => {
  const ws = await buildWorkspace(ctx());
  const html = await upload(
    ws.as(ws.admin),
    "page.html",
    "text/html",
    Buffer.from("<script>alert(1)</script>"),
  );
  assert.equal(html.json().contentType, "text/html");
  const res = await ws.as(ws.admin).get(html.json().url);
  assert.equal(res.headers["content-type"], "text/html");
  assert.match(String(res.headers["content-disposition"]), /^attachment; /);
  assert.equal(res.headers["x-content-type-options"], "nosniff");

  // Claiming to be an image does not make a file one.
  const fake = await upload(ws.as(ws.admin), "cat.png", "image/png", Buffer.from("<html>hi</html>"));
  assert.equal(fake.json().contentType, "application/octet-stream");
  const served = await ws.as(ws.admin).get(fake.json().url);
  assert.match(String(served.headers["content-disposition"]), /^attachment; /);

  const svg = await upload(ws.as(ws.admin), "logo.svg", "image/svg+xml", Buffer.from("<svg></svg>"));
  assert.match(
    String((await ws.as(ws.admin).get(svg.json().url)).headers["content-disposition"]),
    /^attachment/,
  );
});

test("file names lose their folders and control characters and keep their letters", async () => {
  const ws = await buildWorkspace(ctx());
  const res = await upload(
    ws.as(ws.admin),
    "C:\\Users\\me\\Rechnung März\u0007.pdf",
    "application/pdf",
    Buffer.from("%PDF-1.7"),
  );
  assert.equal(res.json().filename, "Rechnung März.pdf");
  const download = await ws.as(ws.admin).get(res.json().url);
  assert.equal(
    download.headers["content-disposition"],
    `attachment; filename="Rechnung M_rz.pdf"; filename*=UTF-8''Rechnung%20M%C3%A4rz.pdf`,
  );
});

test("before it is attached, only the uploader can fetch an upload", async () => {
  const ws = await buildWorkspace(ctx());
  const uploader = await ws.agent();
  const file = (await upload(ws.as(uploader), "notes.txt", "text/plain", Buffer.from("draft"))).json();
  assert.equal((await ws.as(uploader).get(file.url)).statusCode, 200);
  const other = await ws.as(ws.admin).get(file.url);
  assert.equal(other.statusCode, 404);
  assert.equal(other.json().code, "not_found");
  // Nor can anyone else attach it to their message.
  const ticket = await ws.ticket();
  const stolen = await ws.as(ws.admin).post(`/api/v1/tickets/${ticket.id}/messages`, {
    body: "mine now",
    attachmentIds: [file.id],
  });
  assert.equal(stolen.statusCode, 422);
});

test("an agent outside the ticket's group, and another workspace, get 404", async () => {
  const ws = await buildWorkspace(ctx());
  const billing = await ws.group("Billing");
  const member = await ws.agent({ ticketAccess: "groups", groupIds: [billing.id] });
  const outsider = await ws.agent({ ticketAccess: "groups" });
  const ticket = await ws.ticket({ groupId: billing.id });
  const file = (
    await upload(ws.as(member), "invoice.pdf", "application/pdf", Buffer.from("%PDF-1.7"))
  ).json();
  const posted = await ws.as(member).post(`/api/v1/tickets/${ticket.id}/messages`, {
    body: "Invoice attached",
    kind: "note",
    attachmentIds: [file.id],
  });
  assert.equal(posted.statusCode, 201, posted.body);

  assert.equal((await ws.as(member).get(file.url)).statusCode, 200);
  const outside = await ws.as(outsider).get(file.url);
  assert.equal(outside.statusCode, 404);
  assert.equal(outside.json().code, "not_found");

  const elsewhere = await buildWorkspace(ctx());
  assert.equal((await elsewhere.as(elsewhere.admin).get(file.url)).statusCode, 404);
});

test("a customer uploads to their own ticket and never sees files on internal notes", async () => {
  const ws = await buildWorkspace(ctx());
  const contact = await ws.contact();
  const stranger = await ws.contact();
  const ticket = await ws.ticket({ requester: { id: contact.id } });
  const customer = await ws.customerSession(contact.id);

  const file = (await upload(customer, "photo.png", "image/png", PNG)).json();
  assert.equal((await customer.get(file.url)).statusCode, 200);
  assert.equal((await (await ws.customerSession(stranger.id)).get(file.url)).statusCode, 404);
  const reply = await customer.post(`/api/v1/tickets/${ticket.id}/messages`, {
    body: "See photo",
    attachmentIds: [file.id],
  });
  assert.equal(reply.statusCode, 201, reply.body);
  assert.equal((await ws.as(ws.admin).get(file.url)).statusCode, 200);
  assert.equal((await customer.get(file.url)).statusCode, 200);

  const noteFile = (await upload(ws.as(ws.admin), "internal.txt", "text/plain", Buffer.from("x"))).json();
  await ws.as(ws.admin).post(`/api/v1/tickets/${ticket.id}/messages`, {
    body: "Internal",
    kind: "note",
    attachmentIds: [noteFile.id],
  });
  assert.equal((await customer.get(noteFile.url)).statusCode, 404);
});

test("a customer cannot attach another customer's upload to their own ticket", async () => {
  const ws = await buildWorkspace(ctx());
  const victim = await ws.contact();
  const thief = await ws.contact();
  const thiefTicket = await ws.ticket({ requester: { id: thief.id } });
  const secret = (await upload(await ws.customerSession(victim.id), "passport.png", "image/png", PNG)).json();
  const thiefClient = await ws.customerSession(thief.id);
  const res = await thiefClient.post(`/api/v1/tickets/${thiefTicket.id}/messages`, {
    body: "mine now",
    attachmentIds: [secret.id],
  });
  assert.equal(res.statusCode, 422);
  assert.equal(res.json().errors[0].path, "attachmentIds");
  assert.equal((await thiefClient.get(secret.url)).statusCode, 404);
});

test("an upload over PARLEY_MAX_ATTACHMENT_MB is 413 payload_too_large and leaves no file", async () => {
  const ws = await buildWorkspace(ctx());
  const before = storedFiles().length;
  const justOver = await upload(
    ws.as(ws.admin),
    "big.bin",
    "application/octet-stream",
    Buffer.alloc(1024 * 1024 + 1),
  );
  assert.equal(justOver.statusCode, 413);
  assert.equal(justOver.json().code, "payload_too_large");
  const wayOver = await upload(
    ws.as(ws.admin),
    "huge.bin",
    "application/octet-stream",
    Buffer.alloc(3 * 1024 * 1024),
  );
  assert.equal(wayOver.statusCode, 413);
  assert.equal(storedFiles().length, before);
  const exact = await upload(
    ws.as(ws.admin),
    "fits.bin",
    "application/octet-stream",
    Buffer.alloc(1024 * 1024),
  );
  assert.equal(exact.statusCode, 201);
  assert.equal(exact.json().size, 1024 * 1024);
  assert.equal(storedFiles().length, before + 1);
});

test("an upload must be multipart with a file part", async () => {
  const ws = await buildWorkspace(ctx());
  const json = await ws.as(ws.admin).post("/api/v1/attachments", { file: "abc" });
  assert.equal(json.statusCode, 415);
  assert.equal(json.json().code, "unsupported_media_type");
  const boundary = "----nofile";
  const noFile = await ws
    .as(ws.admin)
    .request(
      "POST",
      "/api/v1/attachments",
      `--${boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n--${boundary}--\r\n`,
      { "content-type": `multipart/form-data; boundary=${boundary}` },
    );
  assert.equal(noFile.statusCode, 400);
  assert.equal(noFile.json().code, "validation_failed");
  assert.equal(noFile.json().errors[0].path, "body.file");
});

test("uploads need a caller with write access; downloads of unknown ids are 404", async () => {
  const ws = await buildWorkspace(ctx());
  assert.equal((await upload(ws.anonymous(), "a.txt", "text/plain", Buffer.from("a"))).statusCode, 401);
  const token = (await ws.as(ws.admin).post("/api/v1/api-tokens", { name: "ro", scopes: ["read"] })).json()
    .token;
  const { body, headers } = multipart("a.txt", "text/plain", Buffer.from("a"));
  const readOnly = await ws
    .anonymous()
    .request("POST", "/api/v1/attachments", body, { ...headers, authorization: `Bearer ${token}` });
  assert.equal(readOnly.statusCode, 403);
  const light = await ws.agent({ role: "light_agent" });
  assert.equal((await upload(ws.as(light), "a.txt", "text/plain", Buffer.from("a"))).statusCode, 201);
  assert.equal((await ws.anonymous().get("/api/v1/attachments/1")).statusCode, 401);
  assert.equal((await ws.as(ws.admin).get("/api/v1/attachments/999999999")).statusCode, 404);
});
